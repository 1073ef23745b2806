// Deciding what a pageserver registration means (neon service.rs node_register): the same address
// again is fine, https/grpc changes are updates, any other change is a conflict.

import type { NodeRegisterRequest } from '../../../api/storage-controller.ts';

export interface RegisteredNode {
  id: number;
  listenHttpAddr: string;
  listenHttpPort: number;
  listenHttpsPort: number | null;
  listenPgAddr: string;
  listenPgPort: number;
  listenGrpcAddr: string | null;
  listenGrpcPort: number | null;
  availabilityZoneId: string;
}

export type RegistrationOutcome = 'new' | 'up-to-date' | 'needs-update' | 'mismatched';

export function classifyRegistration(existing: RegisteredNode | undefined, req: NodeRegisterRequest): RegistrationOutcome {
  if (!existing) return 'new';
  const sameAddress =
    existing.listenHttpAddr === req.listen_http_addr &&
    existing.listenHttpPort === req.listen_http_port &&
    existing.listenPgAddr === req.listen_pg_addr &&
    existing.listenPgPort === req.listen_pg_port &&
    existing.availabilityZoneId === req.availability_zone_id;
  if (!sameAddress) return 'mismatched';
  const changed =
    existing.listenHttpsPort !== (req.listen_https_port ?? null) ||
    existing.listenGrpcAddr !== (req.listen_grpc_addr ?? null) ||
    existing.listenGrpcPort !== (req.listen_grpc_port ?? null);
  return changed ? 'needs-update' : 'up-to-date';
}

export function nodeFromRequest(req: NodeRegisterRequest): RegisteredNode {
  return {
    id: req.node_id,
    listenHttpAddr: req.listen_http_addr,
    listenHttpPort: req.listen_http_port,
    listenHttpsPort: req.listen_https_port ?? null,
    listenPgAddr: req.listen_pg_addr,
    listenPgPort: req.listen_pg_port,
    listenGrpcAddr: req.listen_grpc_addr ?? null,
    listenGrpcPort: req.listen_grpc_port ?? null,
    availabilityZoneId: req.availability_zone_id,
  };
}
