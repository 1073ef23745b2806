// Creating a PGlite database runs initdb inside WebAssembly: ~4 s and ~900 MB of memory. Reopening
// one takes ~0.3 s. So the first creation on a machine is kept as a template in the user cache and
// every new cluster gets a copy of it (`init` does this, so `start` never pays for initdb).

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cacheDir } from '../../../util/cache-dir.ts';
import { abstractSocketName, SocketMutex } from '../../../util/socket-mutex.ts';

/** The installed PGlite version (its package.json is not exported, so find it from the entry). */
function pgliteVersion(): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; version: string };
      if (pkg.name === '@electric-sql/pglite') return pkg.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

function isDatabaseDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'PG_VERSION'));
}

async function ensureTemplate(progress: (line: string) => void): Promise<string> {
  const template = path.join(cacheDir(), `pglite-${pgliteVersion()}`, 'template');
  if (isDatabaseDir(template)) return template;
  progress(`Creating the embedded database template in ${template} (once per machine, a few seconds) ...`);
  const name = abstractSocketName('pglite-template', template);
  const mutex = await SocketMutex.acquire(name, 'create the PGlite template', { timeoutMs: 120_000 });
  if (!(mutex instanceof SocketMutex)) throw new Error('timed out waiting for another process creating the PGlite template');
  try {
    if (isDatabaseDir(template)) return template;
    const staging = `${template}.tmp-${process.pid}`;
    await fsp.rm(staging, { recursive: true, force: true });
    await fsp.mkdir(path.dirname(staging), { recursive: true });
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create({ dataDir: staging });
    await db.close();
    await fsp.rename(staging, template);
    return template;
  } finally {
    await mutex.release();
  }
}

/** Makes `dir` a ready PGlite data directory, copying the template if it is not one yet. */
export async function ensureEmbeddedDatabase(dir: string, progress: (line: string) => void = () => {}): Promise<void> {
  if (isDatabaseDir(dir)) return;
  const template = await ensureTemplate(progress);
  const staging = `${dir}.tmp-${process.pid}`;
  await fsp.rm(staging, { recursive: true, force: true });
  await fsp.cp(template, staging, { recursive: true });
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.rename(staging, dir);
}
