// The per-user cache for things shared by all clusters on a machine: the port registry and the
// embedded database template.

import os from 'node:os';
import path from 'node:path';

export function cacheDir(): string {
  const explicit = process.env['NEON_LOCAL_CACHE_DIR'];
  if (explicit) return path.resolve(explicit);
  const xdg = process.env['XDG_CACHE_HOME'];
  return path.join(xdg ? path.resolve(xdg) : path.join(os.homedir(), '.cache'), 'neon-local');
}
