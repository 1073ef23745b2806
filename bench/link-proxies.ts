// What the link proxies cost (issue: fault injection): commits/s with 16 clients and commit p50
// with 1 client through the proxies against direct connections, in the same run, on two clusters
// (link_proxies true and false) in short interleaved rounds, A B then B A, so that a slow stretch
// of the machine (another test run, a disk flush) falls on both alike; each figure is the median
// of the per-round differences. With the CPU each commit costs, split into the supervisor (the
// process running the proxies) and the rest: on two cores the proxies' CPU is the components'.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCluster, type Cluster } from '../fixtures/cluster.ts';
import { commitLoad, connect } from './data-path.ts';
import { median, percentile, type Figure } from './stats.ts';

const ROUNDS = Number(process.env['BENCH_PROXY_ROUNDS'] ?? 8);
const P50_SECONDS = 1.5;
const THROUGHPUT_SECONDS = 2;
const TICK_MS = 10; // /proc/<pid>/stat counts CPU in USER_HZ (100 on Linux)

interface Side {
  name: 'direct' | 'proxied';
  cluster: Cluster;
  repoDir: string;
  /** Per round: commit p50 with 1 client (ms), commits/s with 16 clients. */
  p50s: number[];
  rates: number[];
  latencies: number[];
  commits: number;
  seconds: number;
  /** During the 16-client rounds: CPU ms of the supervisor and of everything (it, components, this process); reads by the supervisor. */
  supervisorCpuMs: number;
  totalCpuMs: number;
  supervisorReads: number;
}

function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime
  } catch {
    return 0;
  }
}

/** read(2) calls of a process: for the supervisor under load, one per chunk a proxy forwards. */
function readCalls(pid: number): number {
  try {
    return Number(/^syscr: (\d+)/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function open(name: Side['name']): Promise<Side> {
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), `neon-local-bench-${name}-`));
  const cluster = await startCluster({ repoDir, withEndpoint: true, spec: { link_proxies: name === 'proxied' } });
  const setup = await connect(cluster.endpoint('ep-main'));
  await setup.query('CREATE TABLE t (k bigint PRIMARY KEY, v text)');
  await setup.end();
  return { name, cluster, repoDir, p50s: [], rates: [], latencies: [], commits: 0, seconds: 0, supervisorCpuMs: 0, totalCpuMs: 0, supervisorReads: 0 };
}

async function latencyRound(side: Side): Promise<void> {
  const load = await commitLoad(side.cluster.endpoint('ep-main'), 't', 1, P50_SECONDS);
  side.p50s.push(load.p50);
  side.latencies.push(...load.latencies);
}

async function throughputRound(side: Side): Promise<void> {
  const status = await side.cluster.status();
  const supervisor = status.supervisor.pid!;
  const pids = [supervisor, ...status.components.flatMap((c) => (c.pid ? [c.pid] : []))];
  const total = () => pids.reduce((sum, p) => sum + cpuMs(p), 0);
  const before = { supervisor: cpuMs(supervisor), total: total(), reads: readCalls(supervisor), self: process.cpuUsage() };
  const load = await commitLoad(side.cluster.endpoint('ep-main'), 't', 16, THROUGHPUT_SECONDS);
  const self = process.cpuUsage(before.self);
  side.supervisorCpuMs += cpuMs(supervisor) - before.supervisor;
  side.totalCpuMs += total() - before.total + (self.user + self.system) / 1000;
  side.supervisorReads += readCalls(supervisor) - before.reads;
  side.rates.push(load.commitsPerSecond);
  side.commits += load.latencies.length;
  side.seconds += load.latencies.length / load.commitsPerSecond;
}

export async function linkProxyBenchmark(): Promise<Figure[]> {
  const stage = (s: string) => process.stderr.write(`  link proxies: ${s}\n`);
  const sides: Side[] = [];
  try {
    stage('starting a cluster without link proxies and one with');
    sides.push(await open('direct'));
    sides.push(await open('proxied'));
    const [direct, proxied] = sides as [Side, Side];
    // Warm both up (JIT, first segment files) before anything counts.
    for (const side of sides) await commitLoad(side.cluster.endpoint('ep-main'), 't', 16, 1);
    for (let r = 0; r < ROUNDS; r++) {
      stage(`round ${r + 1} of ${ROUNDS}`);
      const order = r % 2 ? [proxied, direct] : [direct, proxied];
      for (const side of order) await latencyRound(side);
      for (const side of order) await throughputRound(side);
    }

    const losses = direct.rates.map((d, i) => (1 - proxied.rates[i]! / d) * 100);
    const addedUs = direct.p50s.map((d, i) => (proxied.p50s[i]! - d) * 1000);
    const rate = (s: Side) => s.commits / s.seconds;
    const cpuPerCommit = (s: Side) => (s.totalCpuMs / s.commits) * 1000;
    const proxyUs = (proxied.supervisorCpuMs / proxied.commits) * 1000;
    const rounds = (values: number[], digits = 0) => values.map((v) => v.toFixed(digits)).join('/');
    return [
      { name: 'commits/s, 16 clients, direct', value: median(direct.rates), unit: '/s', detail: `median of ${ROUNDS} rounds: ${rounds(direct.rates)}; ${cpuPerCommit(direct).toFixed(0)} µs CPU per commit` },
      { name: 'commits/s, 16 clients, link proxies', value: median(proxied.rates), unit: '/s', detail: `rounds ${rounds(proxied.rates)}; ${cpuPerCommit(proxied).toFixed(0)} µs CPU per commit` },
      { name: '  throughput lost to link proxies', value: median(losses), unit: '%', target: { op: '<=', value: 10 }, detail: `median of per-round losses ${rounds(losses, 1)}; all rounds pooled ${((1 - rate(proxied) / rate(direct)) * 100).toFixed(1)} %` },
      { name: '  proxies\' CPU per commit (supervisor)', value: proxyUs, unit: 'µs', detail: `${((proxyUs / cpuPerCommit(proxied)) * 100).toFixed(0)} % of all CPU per commit; ${(proxied.supervisorReads / proxied.commits).toFixed(1)} chunks forwarded per commit, ${((proxied.supervisorCpuMs * 1000) / proxied.supervisorReads).toFixed(1)} µs each` },
      { name: 'commit p50, 1 client, direct', value: median(direct.p50s), unit: 'ms', detail: `rounds ${rounds(direct.p50s.map((v) => v * 1000))} µs; p99 ${percentile(direct.latencies, 99).toFixed(2)} ms` },
      { name: 'commit p50, 1 client, link proxies', value: median(proxied.p50s), unit: 'ms', detail: `rounds ${rounds(proxied.p50s.map((v) => v * 1000))} µs; p99 ${percentile(proxied.latencies, 99).toFixed(2)} ms` },
      { name: '  p50 added by link proxies', value: median(addedUs), unit: 'µs', target: { op: '<=', value: 100 }, detail: `median of per-round differences ${rounds(addedUs)}; all rounds pooled ${((percentile(proxied.latencies, 50) - percentile(direct.latencies, 50)) * 1000).toFixed(0)} µs` },
    ];
  } finally {
    for (const side of sides) {
      await side.cluster.stop('immediate');
      fs.rmSync(side.repoDir, { recursive: true, force: true });
    }
  }
}
