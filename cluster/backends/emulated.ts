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

export const emulatedBackend: Backend = {
  name: 'emulated',
  launch(spec: ComponentSpec, options: LaunchOptions) {
    return spawnOwned({
      command: process.execPath,
      args: [bundlePath(EMULATOR_BUNDLES[spec.program]), ...spec.args],
      cwd: spec.workDir,
      env: componentEnvironment({ ...spec.env, NEON_LOCAL_COMPONENT: spec.name }),
      logFile: spec.logFile,
      tieToParent: options.tieToParent,
    });
  },
};
