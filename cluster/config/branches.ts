// Branch names and the default tenant, as neon_local keeps them: `branch_name_mappings` maps a
// name to (tenant, timeline) pairs, so the same name (e.g. main) exists once per tenant.

import { NeonLocalError } from '../util/errors.ts';
import type { ClusterConfig } from './types.ts';

/** The tenant a command acts on: the one given, else the default tenant. */
export function resolveTenant(config: ClusterConfig, explicit: string | undefined): string {
  if (explicit) return explicit;
  if (config.defaultTenantId) return config.defaultTenantId;
  throw new NeonLocalError('usage', 'no --tenant-id given and this cluster has no default tenant', {
    hint: 'pass --tenant-id, or create one with `neon-local tenant create --set-default`',
  });
}

export function timelineOfBranch(config: ClusterConfig, tenantId: string, branchName: string): string | null {
  return config.branchMappings[branchName]?.find(([tenant]) => tenant === tenantId)?.[1] ?? null;
}

/** The timeline a branch name stands for, or a not-found error naming the branches that exist. */
export function requireBranch(config: ClusterConfig, tenantId: string, branchName: string): string {
  const timeline = timelineOfBranch(config, tenantId, branchName);
  if (timeline) return timeline;
  const names = branchNamesOfTenant(config, tenantId);
  throw new NeonLocalError('not-found', `tenant ${tenantId} has no branch named "${branchName}"`, {
    hint: names.length ? `its branches: ${names.join(', ')} (see \`neon-local timeline list\`)` : 'create one with `neon-local timeline create --branch-name NAME`',
  });
}

export function branchNameOf(config: ClusterConfig, tenantId: string, timelineId: string): string | null {
  for (const [name, pairs] of Object.entries(config.branchMappings)) {
    if (pairs.some(([t, tl]) => t === tenantId && tl === timelineId)) return name;
  }
  return null;
}

export function branchNamesOfTenant(config: ClusterConfig, tenantId: string): string[] {
  return Object.entries(config.branchMappings)
    .filter(([, pairs]) => pairs.some(([t]) => t === tenantId))
    .map(([name]) => name);
}

/** Refuses a name the tenant already uses (neon_local: "Branch name already exists"). */
export function ensureBranchNameFree(config: ClusterConfig, tenantId: string, branchName: string): void {
  const existing = timelineOfBranch(config, tenantId, branchName);
  if (existing) {
    throw new NeonLocalError('conflict', `tenant ${tenantId} already has a branch named "${branchName}" (timeline ${existing})`, {
      hint: 'choose another --branch-name',
    });
  }
}

/** Records name → (tenant, timeline); a name maps to one timeline per tenant. */
export function mapBranch(config: ClusterConfig, branchName: string, tenantId: string, timelineId: string): ClusterConfig {
  const existing = timelineOfBranch(config, tenantId, branchName);
  if (existing === timelineId) return config;
  ensureBranchNameFree(config, tenantId, branchName);
  const pairs = [...(config.branchMappings[branchName] ?? []), [tenantId, timelineId] as [string, string]];
  return { ...config, branchMappings: { ...config.branchMappings, [branchName]: pairs } };
}
