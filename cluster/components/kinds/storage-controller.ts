// The storage controller. Its command line is the one neon_local gives the real binary; the
// emulator adds one flag of its own, --embedded-database, when no database URL is configured.

import path from 'node:path';
import { formatHostPort, type ClusterConfig } from '../../config/types.ts';
import { formatDuration } from '../../util/duration.ts';
import type { RepoLayout } from '../../repo/layout.ts';
import type { ComponentSpec } from '../spec.ts';

/** Where pageservers send their upcalls (re-attach, validate): neon_local's control_plane_api. */
export function controlPlaneApi(config: ClusterConfig): string {
  return `http://${formatHostPort(config.storageController.listen)}/upcall/v1/`;
}

export function storageControllerSpec(config: ClusterConfig, layout: RepoLayout): ComponentSpec {
  const sc = config.storageController;
  const httpUrl = `http://${formatHostPort(sc.listen)}`;
  const database = sc.databaseUrl ? ['--database-url', sc.databaseUrl] : ['--embedded-database', layout.storageControllerDbDir];
  const safekeeperCount = config.safekeepers.length;
  return {
    name: 'storcon',
    kind: 'storage-controller',
    id: 1,
    displayName: 'storage controller',
    backend: sc.backend,
    program: 'storage_controller',
    args: [
      '--dev',
      ...database,
      '--listen', formatHostPort(sc.listen),
      '--address-for-peers', httpUrl,
      '--max-offline-interval', formatDuration(sc.maxOfflineMs),
      '--max-warming-up-interval', formatDuration(sc.maxWarmingUpMs),
      '--heartbeat-interval', formatDuration(sc.heartbeatIntervalMs),
      '--neon-local-repo-dir', layout.root,
      '--timelines-onto-safekeepers',
      // neon_local passes the count only when there are fewer safekeepers than storcon's default of 3.
      ...(safekeeperCount < 3 ? [`--timeline-safekeeper-count=${safekeeperCount}`] : []),
    ],
    env: {},
    workDir: layout.storageControllerDir,
    logFile: path.join(layout.storageControllerDir, 'storage_controller.log'),
    pidFile: path.join(layout.storageControllerDir, 'storage_controller.pid'),
    ports: [{ name: 'http', ...sc.listen }],
    httpUrl,
    probe: { url: `${httpUrl}/ready`, httpErrorIsFatal: false },
    stopGroup: 4,
    files: [],
  };
}
