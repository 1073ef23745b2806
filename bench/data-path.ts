// Data path benchmarks (issue: data path): acknowledged commits per second and commit latency with
// 1, 16 and 64 clients on 3 safekeepers, against the machine's fdatasync and loopback round trip;
// the RSS of the pageserver and safekeepers after 1 GiB of WAL; and how long a restarted
// pageserver takes to serve reads again.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startCluster, type Cluster } from '../fixtures/cluster.ts';
import type { Endpoint } from '../fixtures/endpoint.ts';
import { concurrentFdatasyncMs, fdatasyncMs, loopbackRttMs } from './machine.ts';
import { percentile, type Figure } from './stats.ts';

const LOAD_SECONDS = Number(process.env['BENCH_LOAD_SECONDS'] ?? 5);
const WAL_BYTES = Number(process.env['BENCH_WAL_MIB'] ?? 1024) * 1024 * 1024;

interface LoadFigures {
  commitsPerSecond: number;
  p50: number;
  p99: number;
}

export async function connect(ep: Endpoint): Promise<pg.Client> {
  const client = new pg.Client(ep.pgOptions);
  client.on('error', () => {}); // a failure shows as the query's rejection
  await client.connect();
  return client;
}

/** `clients` connections each inserting one row per commit for `seconds`. */
let keyBase = 0;

export async function commitLoad(ep: Endpoint, table: string, clients: number, seconds = LOAD_SECONDS): Promise<LoadFigures & { latencies: number[] }> {
  const base = (keyBase += 1_000_000_000);
  const connections = await Promise.all(Array.from({ length: clients }, () => connect(ep)));
  const latencies: number[] = [];
  const began = performance.now();
  const deadline = began + seconds * 1000;
  await Promise.all(
    connections.map(async (client, c) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        await client.query(`INSERT INTO ${table} VALUES ($1, $2)`, [base + c * 10_000_000 + i, 'x'.repeat(100)]);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - began) / 1000;
  await Promise.all(connections.map((c) => c.end()));
  return { commitsPerSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), latencies };
}

function rssMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
}

async function pid(cluster: Cluster, name: string): Promise<number> {
  const status = await cluster.status();
  return status.components.find((c) => c.name === name)!.pid!;
}

/** Pushes `bytes` of WAL through the compute in rows of 1 MiB, 8 writers at a time. */
async function writeWal(ep: Endpoint, bytes: number): Promise<number> {
  const value = 'w'.repeat(1024 * 1024 - 64);
  const rows = Math.ceil(bytes / (1024 * 1024));
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      const client = await connect(ep);
      try {
        while (next < rows) {
          const key = next++;
          await client.query('INSERT INTO big VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v', [key % 64, value]);
        }
      } finally {
        await client.end();
      }
    }),
  );
  return (performance.now() - began) / 1000;
}

export async function dataPathBenchmark(): Promise<Figure[]> {
  const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-bench-data-'));
  // The data path itself, with direct connections; what the link proxies add is link-proxies.ts.
  const cluster = await startCluster({ repoDir, withEndpoint: true, spec: { link_proxies: false } });
  const stage = (s: string) => process.stderr.write(`  data path: ${s}\n`);
  try {
    const ep = cluster.endpoint('ep-main');
    const floor = { fsync: fdatasyncMs(repoDir), fsync3: await concurrentFdatasyncMs(repoDir, 3), rtt: await loopbackRttMs() };
    const unit = floor.fsync + floor.rtt;
    const setup = await connect(ep);
    await setup.query('CREATE TABLE t (k bigint PRIMARY KEY, v text)');
    await setup.query('CREATE TABLE big (k bigint PRIMARY KEY, v text)');
    await setup.end();

    stage('commit latency, 1 client');
    const one = await commitLoad(ep, 't', 1);
    stage('16 clients');
    const sixteen = await commitLoad(ep, 't', 16);
    stage('64 clients');
    const sixtyFour = await commitLoad(ep, 't', 64);
    const floorNote = `fdatasync ${floor.fsync.toFixed(2)} ms + loopback RTT ${floor.rtt.toFixed(3)} ms = ${unit.toFixed(2)} ms`;
    const figures: Figure[] = [
      { name: 'commit p50, 1 client', value: one.p50, unit: 'ms', target: { op: '<=', value: 3 * unit }, detail: `${(one.p50 / unit).toFixed(2)} × (${floorNote}); p99 ${one.p99.toFixed(2)} ms; ${one.commitsPerSecond.toFixed(0)} commits/s` },
      { name: '  … against 3 writers syncing one disk', value: one.p50 / (floor.fsync3 + floor.rtt), unit: '×', detail: `fdatasync with 3 concurrent writers ${floor.fsync3.toFixed(2)} ms, as the 3 safekeepers share this disk` },
      { name: 'commits/s, 16 clients', value: sixteen.commitsPerSecond, unit: '/s', detail: `p50 ${sixteen.p50.toFixed(2)} ms, p99 ${sixteen.p99.toFixed(2)} ms` },
      { name: 'commits/s, 64 clients', value: sixtyFour.commitsPerSecond, unit: '/s', target: { op: '>=', value: 5000 }, detail: `p50 ${sixtyFour.p50.toFixed(2)} ms, p99 ${sixtyFour.p99.toFixed(2)} ms` },
    ];

    stage(`writing ${WAL_BYTES / 2 ** 20} MiB of WAL`);
    const walSeconds = await writeWal(ep, WAL_BYTES);
    const tenant = ep.tenantId;
    const timeline = ep.timelineId;
    const ps = cluster.pageserver(1);
    const flushed = (await ep.sql('SELECT pg_current_wal_flush_lsn() AS lsn')).rows![0]![0]!;
    while ((await ps.timeline(tenant, timeline)).last_record_lsn < flushed) await new Promise((r) => setTimeout(r, 100));
    const mib = WAL_BYTES / 2 ** 20;
    for (const name of ['ps1', 'sk1', 'sk2', 'sk3']) {
      const p = await pid(cluster, name);
      figures.push({ name: `${name} RSS after ${mib} MiB of WAL`, value: rssMiB(p, 'VmRSS'), unit: 'MiB', target: { op: '<=', value: 300 }, detail: `peak ${rssMiB(p, 'VmHWM').toFixed(0)} MiB; WAL written at ${(mib / walSeconds).toFixed(0)} MiB/s` });
    }

    stage('pageserver restart');
    const killedPid = await cluster.kill('ps1', 'SIGKILL');
    while (fs.existsSync(`/proc/${killedPid}`)) await new Promise((r) => setTimeout(r, 5));
    const restartBegan = performance.now();
    await cluster.startComponent('ps1');
    const ready = performance.now() - restartBegan;
    for (;;) {
      try {
        await ep.sql('SELECT k FROM big WHERE k = 1');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    const firstRead = performance.now() - restartBegan;
    figures.push({ name: 'pageserver kill -9 → start → first read', value: firstRead, unit: 'ms', target: { op: '<=', value: 1000 }, detail: `process ready after ${ready.toFixed(0)} ms; ${mib} MiB of WAL behind it` });
    return figures;
  } finally {
    await cluster.stop('immediate');
    if (process.env['BENCH_KEEP'] !== '1') fs.rmSync(repoDir, { recursive: true, force: true });
    else stage(`kept ${repoDir}`);
  }
}
