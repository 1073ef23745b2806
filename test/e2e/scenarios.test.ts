// `neon-local scenario run --all --seed 7` as a user runs it: every scenario passes (with every
// bug switch off), each writes its reports, and the same seed gives the same fault schedule — run
// again, and replayed from the saved schedule.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { SCENARIOS } from '../../scenarios/library/index.ts';
import { cli } from '../helpers/cli.ts';

t.setTimeout(600_000);

const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-scenarios-'));
t.teardown(() => fs.rmSync(reports, { recursive: true, force: true }));
const schedule = (dir: string, name: string) => JSON.parse(fs.readFileSync(path.join(reports, dir, name, 'schedule.json'), 'utf8'));

t.test('scenario run --all --seed 7 passes', async (t) => {
  const run = await cli(['scenario', 'run', '--all', '--seed', '7', '--report', path.join(reports, 'all')], { timeoutMs: 480_000 });
  t.equal(run.exitCode, 0, 'exit 0', { stdout: run.stdout.slice(-3000), stderr: run.stderr.slice(-3000) });
  t.match(run.stdout, /seed 7: 8 passed, 0 failed/);
  for (const s of SCENARIOS) {
    t.match(run.stdout, new RegExp(`^${s.name} +PASSED +[\\d.]+ +\\d+ +\\S+report\\.html$`, 'm'), `${s.name} in the summary`);
    const report = JSON.parse(fs.readFileSync(path.join(reports, 'all', s.name, 'report.json'), 'utf8'));
    t.match(report, { outcome: 'passed', seed: 7, check: { ok: true, violations: [] } }, `${s.name}: report.json`);
    t.ok(report.check.stats.acknowledged > 0, `${s.name}: writes were acknowledged`);
    t.ok(report.faults.length > 0, `${s.name}: faults were injected`);
    t.ok(fs.statSync(path.join(reports, 'all', s.name, 'report.html')).size > 10_000, `${s.name}: report.html`);
    t.ok(fs.statSync(path.join(reports, 'all', s.name, 'history.jsonl')).size > 0, `${s.name}: history.jsonl`);
    t.ok(schedule('all', s.name).entries.length > 0, `${s.name}: schedule.json`);
  }
});

t.test('the same seed executes the same schedule; a replay reproduces it', async (t) => {
  const name = 'compute-safekeeper-partitions';
  const again = await cli(['scenario', 'run', name, '--seed', '7', '--report', path.join(reports, 'again')], { timeoutMs: 240_000 });
  t.equal(again.exitCode, 0, 'second run passes', { stderr: again.stderr.slice(-2000) });
  const first = schedule('all', name);
  const second = schedule('again', name);
  t.same(second.entries, first.entries, 'identical fault schedule');
  t.ok(first.entries.some((e: { action: string; request?: { kind: string } }) => e.action === 'fault' && e.request?.kind === 'partition'), 'with partitions in it');

  const file = path.join(reports, 'all', name, 'schedule.json');
  const replay = await cli(['scenario', 'run', '--replay', file, '--report', path.join(reports, 'replay')], { timeoutMs: 240_000 });
  t.equal(replay.exitCode, 0, 'replay passes', { stderr: replay.stderr.slice(-2000) });
  t.same(schedule('replay', name).entries, first.entries, 'the replay executed the recorded schedule');

  // A different seed draws a different schedule.
  const other = await cli(['scenario', 'run', name, '--seed', '8', '--report', path.join(reports, 'other')], { timeoutMs: 240_000 });
  t.equal(other.exitCode, 0);
  t.notSame(schedule('other', name).entries, first.entries, 'seed 8 differs from seed 7');
});
