// pageserver.toml's [tenant_config]: this pageserver's defaults for every tenant, between Neon's
// built-in defaults and a tenant's own overrides (Neon: the pageserver's default tenant conf).
// Set once at startup, from the config file, and read wherever a tenant's config is used.

import type { TenantConfig } from '../../../api/tenant-config.ts';

let defaults: TenantConfig = {};

export function setPageserverTenantDefaults(conf: TenantConfig): void {
  defaults = { ...conf };
}

export function pageserverTenantDefaults(): TenantConfig {
  return defaults;
}

/** A tenant's overrides over this pageserver's defaults (Neon's built-in ones still apply below). */
export function withPageserverDefaults(overrides: TenantConfig | undefined | null): TenantConfig {
  return { ...defaults, ...(overrides ?? {}) };
}
