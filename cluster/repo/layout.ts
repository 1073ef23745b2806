// Where things live inside a repo directory. The layout mirrors neon_local's `.neon/` so that a
// Neon developer finds logs and data where they expect them; our own additions are cluster.yaml,
// run/ (process records) and supervisor.log.

import path from 'node:path';
import { NeonLocalError } from '../util/errors.ts';

export const CONFIG_FILE_NAME = 'cluster.yaml';

export class RepoLayout {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  get configFile(): string { return path.join(this.root, CONFIG_FILE_NAME); }
  /** One JSON record per running component: pid, start time, backend. */
  get runDir(): string { return path.join(this.root, 'run'); }
  get supervisorLog(): string { return path.join(this.root, 'supervisor.log'); }
  get brokerDir(): string { return path.join(this.root, 'storage_broker'); }
  get storageControllerDir(): string { return path.join(this.root, 'storage_controller_1'); }
  get storageControllerDbDir(): string { return path.join(this.root, 'storage_controller_db'); }
  get remoteStorageDir(): string { return path.join(this.root, 'local_fs_remote_storage', 'pageserver'); }
  get endpointsDir(): string { return path.join(this.root, 'endpoints'); }
  get privateKeyFile(): string { return path.join(this.root, 'auth_private_key.pem'); }
  get publicKeyFile(): string { return path.join(this.root, 'auth_public_key.pem'); }

  pageserverDir(id: number): string { return path.join(this.root, `pageserver_${id}`); }
  safekeeperDir(id: number): string { return path.join(this.root, 'safekeepers', `sk${id}`); }
  runRecord(component: string): string { return path.join(this.runDir, `${component}.json`); }
}

/**
 * The repo directory: an explicit choice, else $NEON_REPO_DIR, else ./.neon — as neon_local, except
 * that a relative $NEON_REPO_DIR is resolved against the working directory instead of refused.
 */
export function resolveRepoDir(explicit?: string): string {
  const chosen = explicit ?? process.env['NEON_REPO_DIR'] ?? '.neon';
  if (chosen.trim() === '') {
    throw new NeonLocalError('usage', 'the repo directory is empty', { hint: 'set NEON_REPO_DIR or --repo-dir to a directory path' });
  }
  return path.resolve(chosen);
}
