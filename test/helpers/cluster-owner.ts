// A process that owns a cluster through the fixtures API and then waits to be killed. Used to
// prove that a SIGKILLed owner leaves no component behind. Prints one JSON line once up.

import { startCluster } from '../../fixtures/cluster.ts';

const repoDir = process.argv[2];
const cluster = await startCluster({ safekeepers: 3, ...(repoDir ? { repoDir } : {}) });
const status = await cluster.status();
process.stdout.write(JSON.stringify({
  repoDir: cluster.repoDir,
  supervisorPid: status.supervisor.pid,
  pids: status.components.map((c) => c.pid),
  ports: status.components.flatMap((c) => Object.values(c.ports)),
}) + '\n');
setInterval(() => {}, 60_000);
