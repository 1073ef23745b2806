// Loading and saving cluster.yaml.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { errnoCode, NeonLocalError } from '../util/errors.ts';
import { CONFIG_FILE_NAME, type RepoLayout } from '../repo/layout.ts';
import { clusterFileDecoder, fromFile, toFile } from './schema.ts';
import type { ClusterConfig } from './types.ts';
import { validateCluster } from './validate.ts';
import { decodeYaml } from './yaml-file.ts';

const HEADER = `# neon-local cluster configuration, written by \`neon-local init\`.
# Ports were chosen once and are kept across restarts. Edit with the cluster stopped.
`;

export async function loadClusterConfig(layout: RepoLayout): Promise<ClusterConfig> {
  let text: string;
  try {
    text = await fsp.readFile(layout.configFile, 'utf8');
  } catch (err) {
    throw missingConfig(layout, err);
  }
  return parseClusterConfig(layout, text);
}

/** The same, for synchronous callers (fixture getters). */
export function loadClusterConfigSync(layout: RepoLayout): ClusterConfig {
  let text: string;
  try {
    text = fs.readFileSync(layout.configFile, 'utf8');
  } catch (err) {
    throw missingConfig(layout, err);
  }
  return parseClusterConfig(layout, text);
}

function missingConfig(layout: RepoLayout, err: unknown): unknown {
  if (errnoCode(err) !== 'ENOENT') return err;
  return new NeonLocalError('not-initialized', `no cluster in ${layout.root} (${CONFIG_FILE_NAME} not found)`, {
    hint: 'run `neon-local init` first, or `neon-local start --init`; set NEON_REPO_DIR or --repo-dir to use another directory',
  });
}

function parseClusterConfig(layout: RepoLayout, text: string): ClusterConfig {
  const hint = `fix ${layout.configFile}, or re-create the cluster with \`neon-local init --force remove-all-contents\``;
  const config = fromFile(decodeYaml(text, clusterFileDecoder, layout.configFile, hint));
  validateCluster(config, layout.configFile);
  return config;
}

export function renderClusterConfig(config: ClusterConfig): string {
  return HEADER + stringify(toFile(config), { lineWidth: 0 });
}

export async function saveClusterConfig(layout: RepoLayout, config: ClusterConfig): Promise<void> {
  await writeFileAtomic(layout.configFile, renderClusterConfig(config));
}
