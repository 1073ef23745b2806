// Locations inside the installed neon-local package (not the repo dir): the bundles in dist/.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The neon-local package directory, found by walking up from this module (source or bundle). */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'neon-local') {
      return (root = dir);
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the neon-local package directory above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** A bundle built by scripts/build.mjs, e.g. bundlePath('emulated/pageserver'). */
export function bundlePath(name: string): string {
  const file = path.join(packageRoot(), 'dist', `${name}.mjs`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` in ${packageRoot()}`);
  return file;
}
