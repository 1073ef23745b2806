// Bundles each process entry point (CLI, supervisor, one per emulator) into dist/ with esbuild.
// Component processes start from these bundles rather than through tsx: a cluster start spawns
// half a dozen Node processes on two cores, and on-the-fly TypeScript costs each of them time.
// `ensureBuilt()` rebuilds only when a source file is newer than the last build, so a developer
// who edits TypeScript and runs `neon-local` never runs stale code.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = path.join(root, 'dist');
const stampFile = path.join(distDir, '.build-stamp');
const sourceDirs = ['cli', 'cluster', 'fixtures', 'scenarios'];

export const entryPoints = {
  'cli': 'cli/main.ts',
  'supervisor': 'cluster/supervisor/main.ts',
  'emulated/pageserver': 'cluster/emulated/pageserver/main.ts',
  'emulated/safekeeper': 'cluster/emulated/safekeeper/main.ts',
  'emulated/storage-controller': 'cluster/emulated/storage-controller/main.ts',
  'emulated/storage-broker': 'cluster/emulated/storage-broker/main.ts',
  'emulated/compute': 'cluster/emulated/compute/main.ts',
};

function newestSourceMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function isStale() {
  let built;
  try {
    built = fs.statSync(stampFile).mtimeMs;
  } catch {
    return true;
  }
  const inputs = [...sourceDirs.map((d) => path.join(root, d)), path.join(root, 'package.json')];
  return inputs.some((p) => (fs.existsSync(p) && fs.statSync(p).isFile() ? fs.statSync(p).mtimeMs : newestSourceMtime(p)) > built);
}

export async function build() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([out, src]) => [out, `./${src}`])),
    outdir: distDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    write: false,
    logLevel: 'warning',
  });
  fs.mkdirSync(distDir, { recursive: true });
  // Each file is written beside its target and renamed over it, so a process starting while
  // another one rebuilds never loads a half-written bundle.
  for (const file of result.outputFiles) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    const tmp = `${file.path}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, file.contents);
    fs.renameSync(tmp, file.path);
  }
  fs.writeFileSync(stampFile, new Date().toISOString() + '\n');
}

export async function ensureBuilt() {
  if (isStale()) await build();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await build();
}
