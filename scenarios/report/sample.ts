// A realistic, deterministic report for the report's tests and for looking at the page without a
// run: 3 safekeepers, a partition, latency, a kill -9 and restart, a fault still active at the
// end, 120 s of workload, a timed-out step and a lost write whose message contains markup.

import { REPORT_FORMAT, type ReportFault, type ReportSeriesPoint, type ScenarioReport } from './types.ts';

const S = 1000;

/** mulberry32: a few lines of deterministic noise, so the sample depends on nothing else. */
function noise(seed: number): { next(): number; int(min: number, max: number): number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

export function sampleReport(seed = 20251122): ScenarioReport {
  const rng = noise(seed);
  const faults: ReportFault[] = [
    { id: 'f1-partition', kind: 'partition', description: 'partition sk1 from ep-main (walproposer ↔ safekeeper)', targets: ['sk1', 'ep-main'], startMs: 20 * S, endMs: 45 * S },
    { id: 'f2-latency', kind: 'latency', description: 'latency +180 ms ±40 ms on sk2 ↔ ep-main', targets: ['sk2', 'ep-main'], startMs: 50 * S, endMs: 82 * S },
    { id: 'f3-kill', kind: 'kill', description: 'kill -9 sk3 (down until restarted)', targets: ['sk3'], startMs: 60 * S, endMs: 75 * S },
    { id: 'f4-restart', kind: 'restart', description: 'restart ps1 (SIGTERM, start)', targets: ['ps1'], startMs: 88 * S, endMs: 89.4 * S },
    { id: 'f5-pause', kind: 'pause', description: 'SIGSTOP storcon for 6 s', targets: ['storcon'], startMs: 92 * S, endMs: 98 * S },
    { id: 'f6-latency', kind: 'latency', description: 'latency +25 ms on ps1 ↔ sk1 <still active> & "healed" by the runner', targets: ['ps1', 'sk1'], startMs: 104 * S, endMs: null },
  ];
  const active = (t: number, id: string): boolean => faults.some((f) => f.id === id && t >= f.startMs && t < (f.endMs ?? Infinity));

  const series: ReportSeriesPoint[] = [];
  for (let i = 0; i < 120; i++) {
    const t = i * S;
    // Baseline: ~420 commits/s at 2-3 ms. A degraded quorum (sk2 slow while sk3 is dead) stalls commits.
    let ok = 400 + rng.int(0, 45);
    let p50 = 2.1 + rng.next() * 0.8;
    let p99 = 7 + rng.next() * 4;
    let fail = 0;
    let unknown = 0;
    if (i < 2) [ok, p50, p99] = [i === 0 ? 0 : 180, 3.5, 14];
    if (active(t, 'f1-partition')) [ok, p99] = [ok - 30, p99 * 1.6];
    if (active(t, 'f2-latency')) [ok, p50, p99] = [Math.round(ok * 0.55), p50 + 1.5, p99 + 60];
    if (active(t, 'f3-kill')) {
      // Two of three safekeepers left, one of them 180 ms away: every commit waits for it.
      ok = rng.int(3, 6);
      p50 = 185 + rng.next() * 30;
      p99 = 2400 + rng.next() * 1800;
      fail = rng.int(2, 9);
      unknown = i === 61 || i === 62 ? rng.int(4, 12) : rng.int(0, 2);
    }
    if (t >= 88 * S && t < 90 * S) [ok, p99, fail] = [Math.round(ok * 0.7), 95, 1];
    if (active(t, 'f6-latency')) p99 += 4;
    series.push({ t, ok, fail, unknown, p50Ms: ok ? Math.round(p50 * 100) / 100 : null, p99Ms: ok ? Math.round(p99 * 10) / 10 : null });
  }
  const sum = (f: (p: ReportSeriesPoint) => number): number => series.reduce((a, p) => a + f(p), 0);
  const acknowledged = sum((p) => p.ok);
  const failed = sum((p) => p.fail);
  const unknown = sum((p) => p.unknown);

  return {
    format: REPORT_FORMAT,
    scenario: {
      name: 'safekeeper-partition-kill',
      description: 'Partition one safekeeper from the compute, slow a second one, then kill -9 the third while a key/value workload writes; every acknowledged write must survive.',
    },
    seed,
    startedAt: '2025-11-22T05:23:11.482Z',
    durationMs: 120 * S,
    outcome: 'failed',
    failure: 'checker: 1 violation (lost: key k42, an acknowledged write <script> & "quotes" overwritten by an unknown older one); step "heal and settle" timed out',
    topology: { pageservers: 1, safekeepers: 3, endpoints: ['ep-main'], components: ['broker', 'storcon', 'ps1', 'sk1', 'sk2', 'sk3', 'ep-main'] },
    steps: [
      { name: 'start cluster', startMs: 0, endMs: 1.6 * S, boundMs: 30 * S, outcome: 'ok' },
      { name: 'warm up workload', startMs: 1.6 * S, endMs: 20 * S, boundMs: 20 * S, outcome: 'ok' },
      { name: 'partition sk1 ↮ ep-main', startMs: 20 * S, endMs: 50 * S, boundMs: 35 * S, outcome: 'ok' },
      { name: 'slow sk2, kill -9 sk3', startMs: 50 * S, endMs: 75 * S, boundMs: 30 * S, outcome: 'ok' },
      { name: 'restart ps1, pause storcon', startMs: 75 * S, endMs: 100 * S, boundMs: 30 * S, outcome: 'ok' },
      {
        name: 'heal and settle',
        startMs: 100 * S,
        endMs: 115 * S,
        boundMs: 15 * S,
        outcome: 'timeout',
        error: 'timed out after 15 s waiting for sk3 to catch up: flush_lsn 0/39F0000 < commit_lsn 0/3A1B2C8 (<b>not</b> bold & "quoted")',
      },
      { name: 'check history', startMs: 115 * S, endMs: 120 * S, boundMs: 60 * S, outcome: 'ok' },
    ],
    faults,
    series,
    check: {
      ok: false,
      stats: { writes: acknowledged + failed + unknown, acknowledged, failed, unknown, reads: 9214, keys: 2048, lsnChecked: 37 },
      violations: [
        {
          kind: 'lost',
          key: 'k42',
          message: 'key k42: acknowledged write <script>alert("xss")</script> & friends: value "3-8817" (commit LSN 0/3A0F1E0) is not the final value "5-8790", and no acknowledged write supersedes it',
          ops: [
            { type: 'invoke', op: 'write', process: 3, key: 'k42', value: '3-8817', timeMs: 61_204, lsn: null },
            { type: 'ok', op: 'write', process: 3, key: 'k42', value: '3-8817', timeMs: 63_977, lsn: '0/3A0F1E0' },
            { type: 'invoke', op: 'write', process: 5, key: 'k42', value: '5-8790', timeMs: 60_950, lsn: null },
            { type: 'unknown', op: 'write', process: 5, key: 'k42', value: '5-8790', timeMs: 65_951, lsn: null, error: 'no answer within 5000 ms' },
            { type: 'final', op: 'read', process: -1, key: 'k42', value: '5-8790', timeMs: 116_013, lsn: null },
          ],
        },
      ],
    },
    invariants: [
      { name: 'no acknowledged write lost', ok: false, message: '1 lost write (k42)' },
      { name: 'commit_lsn never goes backwards on any safekeeper', ok: true },
      { name: 'every component running at the end', ok: true, message: 'broker, storcon, ps1, sk1, sk2, sk3, ep-main' },
      { name: 'pageserver caught up with the last commit', ok: true, message: 'last_record_lsn 0/3A1B2C8 within 1.2 s' },
    ],
    schedule: {
      seed,
      faults: faults.map((f) => ({ at: f.startMs, until: f.endMs, kind: f.kind, targets: f.targets, id: f.id })),
      workload: { processes: 8, keys: 2048, mix: { write: 0.6, read: 0.4 } },
    },
  };
}
