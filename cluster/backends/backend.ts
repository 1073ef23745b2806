// The launch seam: a backend turns a ComponentSpec into a running process. It knows nothing of
// what the component is; the kind (components/kinds/*) knows nothing of how it is run.

import type { BackendName } from '../config/types.ts';
import type { ComponentSpec } from '../components/spec.ts';
import type { OwnedProcess } from '../process/spawn-owned.ts';

export interface LaunchOptions {
  /** Kill the component when the launching process dies (see process/spawn-owned.ts). */
  tieToParent: boolean;
}

export interface Backend {
  readonly name: BackendName;
  launch(spec: ComponentSpec, options: LaunchOptions): Promise<OwnedProcess>;
}
