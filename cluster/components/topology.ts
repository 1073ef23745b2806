// The components of a cluster, in start order, and lookup by name with errors that list the choices.

import type { ClusterConfig } from '../config/types.ts';
import type { RepoLayout } from '../repo/layout.ts';
import { NeonLocalError } from '../util/errors.ts';
import { computeSpec } from './kinds/compute.ts';
import { pageserverSpec } from './kinds/pageserver.ts';
import { safekeeperSpec } from './kinds/safekeeper.ts';
import { storageBrokerSpec } from './kinds/storage-broker.ts';
import { storageControllerSpec } from './kinds/storage-controller.ts';
import type { ComponentSpec, KindName } from './spec.ts';

export function componentSpecs(config: ClusterConfig, layout: RepoLayout): ComponentSpec[] {
  return [
    storageBrokerSpec(config, layout),
    storageControllerSpec(config, layout),
    ...config.pageservers.map((ps) => pageserverSpec(config, ps, layout)),
    ...config.safekeepers.map((sk) => safekeeperSpec(config, sk, layout)),
    ...config.endpoints.map((ep) => computeSpec(ep, layout)),
  ];
}

/** Resolves component names (broker, storcon, ps1, sk2) to specs, rejecting unknown ones. */
export function selectComponents(all: ComponentSpec[], names: readonly string[]): ComponentSpec[] {
  return names.map((name) => {
    const spec = all.find((c) => c.name === name);
    if (!spec) {
      throw new NeonLocalError('unknown-component', `no component named "${name}" in this cluster`, {
        hint: `components: ${all.map((c) => c.name).join(', ')}`,
      });
    }
    return spec;
  });
}

const KIND_WORDS: Record<KindName, string> = {
  'storage-broker': 'storage broker',
  'storage-controller': 'storage controller',
  pageserver: 'pageserver',
  safekeeper: 'safekeeper',
  compute: 'endpoint',
};

/** The component of `kind` with `id` (e.g. pageserver 2), with an error listing the ids that exist. */
export function componentByKindId(all: ComponentSpec[], kind: KindName, id: number): ComponentSpec {
  const ofKind = all.filter((c) => c.kind === kind);
  const spec = ofKind.find((c) => c.id === id);
  if (!spec) {
    throw new NeonLocalError('unknown-component', `no ${KIND_WORDS[kind]} with id ${id} in this cluster`, {
      hint: ofKind.length ? `configured ids: ${ofKind.map((c) => c.id).join(', ')}` : `this cluster has no ${KIND_WORDS[kind]}`,
    });
  }
  return spec;
}
