// Wire types of the storage controller's API (neon storage_controller/src/http.rs and
// libs/pageserver_api/src/controller_api.rs), with decoders for the request bodies it accepts.

import { array, bool, literal, optional, string, struct, u16, u32, u64, intRange, withDefault, type Decoded } from '../util/decode.ts';

export type NodeAvailability = 'Active' | 'WarmingUp' | 'Offline';
export type NodeSchedulingPolicy = 'Active' | 'Filling' | 'Pause' | 'PauseForRestart' | 'Draining' | 'Deleting';
export const NODE_SCHEDULING_POLICIES = ['Active', 'Filling', 'Pause', 'PauseForRestart', 'Draining', 'Deleting'] as const;
export type SafekeeperSchedulingPolicy = 'Active' | 'Activating' | 'Pause' | 'Decomissioned';
export const SAFEKEEPER_SCHEDULING_POLICIES = ['Active', 'Activating', 'Pause', 'Decomissioned'] as const;

export const nodeRegisterRequest = struct({
  node_id: u64,
  listen_pg_addr: string,
  listen_pg_port: u16,
  listen_grpc_addr: optional(string),
  listen_grpc_port: optional(u16),
  listen_http_addr: string,
  listen_http_port: u16,
  listen_https_port: optional(u16),
  availability_zone_id: string,
  node_ip_addr: optional(string),
});
export type NodeRegisterRequest = Decoded<typeof nodeRegisterRequest>;

export interface NodeDescribeResponse {
  id: number;
  availability: NodeAvailability;
  scheduling: NodeSchedulingPolicy;
  availability_zone_id: string;
  listen_http_addr: string;
  listen_http_port: number;
  listen_https_port: number | null;
  listen_pg_addr: string;
  listen_pg_port: number;
  listen_grpc_addr: string | null;
  listen_grpc_port: number | null;
}

export const nodeConfigureRequest = struct({
  node_id: u64,
  availability: optional(literal('Active', 'WarmingUp', 'Offline')),
  scheduling: optional(literal(...NODE_SCHEDULING_POLICIES)),
});
export type NodeConfigureRequest = Decoded<typeof nodeConfigureRequest>;

/** Unknown keys are ignored here (neon's SafekeeperPersistence upsert is not deny_unknown_fields). */
export const safekeeperUpsertRequest = struct(
  {
    id: intRange(u64, 1),
    region_id: string,
    version: u64,
    host: string,
    port: intRange(u16, 1),
    http_port: intRange(u16, 1),
    https_port: optional(u16),
    availability_zone_id: string,
    active: optional((v) => v),
  },
  { denyUnknown: false },
);
export type SafekeeperUpsertRequest = Decoded<typeof safekeeperUpsertRequest>;

export interface SafekeeperDescribeResponse {
  id: number;
  region_id: string;
  version: number;
  host: string;
  port: number;
  http_port: number;
  https_port: number | null;
  availability_zone_id: string;
  scheduling_policy: SafekeeperSchedulingPolicy;
}

export const safekeeperSchedulingPolicyRequest = struct({
  scheduling_policy: literal(...SAFEKEEPER_SCHEDULING_POLICIES),
});

export const reAttachRequest = struct({
  node_id: u64,
  register: optional(nodeRegisterRequest),
  empty_local_disk: withDefault(bool, false),
});
export type ReAttachRequest = Decoded<typeof reAttachRequest>;

export interface ReAttachResponseTenant {
  id: string;
  gen: number | null;
  mode: string;
  stripe_size: number;
}

export interface ReAttachResponse {
  tenants: ReAttachResponseTenant[];
}

export const validateRequest = struct({
  tenants: array(struct({ id: string, gen: u32 })),
});
