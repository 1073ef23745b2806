// Backends by name. Adding one (binary, docker) means adding it here and to BACKEND_NAMES.

import type { BackendName } from '../config/types.ts';
import { NeonLocalError } from '../util/errors.ts';
import type { Backend } from './backend.ts';
import { emulatedBackend } from './emulated.ts';

const BACKENDS: Record<BackendName, Backend> = {
  emulated: emulatedBackend,
};

export function backendFor(name: string): Backend {
  const backend = (BACKENDS as Record<string, Backend | undefined>)[name];
  if (!backend) {
    throw new NeonLocalError('config', `unknown backend "${name}"`, { hint: `available backends: ${Object.keys(BACKENDS).join(', ')}` });
  }
  return backend;
}
