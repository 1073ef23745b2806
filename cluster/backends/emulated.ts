// The emulated backend: each component is a Node process running our TypeScript emulator (bundled
// in dist/emulated/), started with the same command line as the real Neon binary.

import { bundlePath } from '../paths.ts';
import { componentEnvironment } from '../process/environment.ts';
import { spawnOwned } from '../process/spawn-owned.ts';
import type { ComponentSpec, ProgramName } from '../components/spec.ts';
import type { Backend, LaunchOptions } from './backend.ts';

const EMULATOR_BUNDLES: Record<ProgramName, string> = {
  storage_broker: 'emulated/storage-broker',
  storage_controller: 'emulated/storage-controller',
  pageserver: 'emulated/pageserver',
  safekeeper: 'emulated/safekeeper',
  compute_ctl: 'emulated/compute',
};

/**
 * glibc malloc settings for the emulators. Their big Buffers (WAL batches, layer blocks, values) are
 * malloc'd; by default glibc raises its mmap threshold after such frees, so later big buffers land
 * in the heap and freed memory stays in the process. A fixed threshold keeps big buffers in their
 * own mappings, returned to the OS when freed: RSS then follows live data, not history.
 */
const MALLOC_TUNING = { MALLOC_MMAP_THRESHOLD_: String(128 * 1024), MALLOC_ARENA_MAX: '2' };

export const emulatedBackend: Backend = {
  name: 'emulated',
  launch(spec: ComponentSpec, options: LaunchOptions) {
    // Node flags for the emulators, e.g. NEON_LOCAL_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
    // to profile them (NODE_OPTIONS is deliberately not inherited, see environment.ts).
    const nodeArgs = (process.env['NEON_LOCAL_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
    return spawnOwned({
      command: process.execPath,
      args: [...nodeArgs, bundlePath(EMULATOR_BUNDLES[spec.program]), ...spec.args],
      cwd: spec.workDir,
      env: componentEnvironment({ ...MALLOC_TUNING, ...spec.env, NEON_LOCAL_COMPONENT: spec.name }),
      logFile: spec.logFile,
      tieToParent: options.tieToParent,
    });
  },
};
