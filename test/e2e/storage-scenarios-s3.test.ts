// The storage scenarios of issue 5 on S3: `neon-local scenario run NAME --remote-storage moto`
// starts a moto_server, runs the scenario with the pageservers' remote storage in a bucket there,
// and ends with the checker. (scenarios.test.ts runs the same scenarios on the local directory.)
// Relocation prints the compute's write stall for each move.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cli } from '../helpers/cli.ts';

t.setTimeout(600_000);

const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-s3-scenarios-'));
t.teardown(() => fs.rmSync(reports, { recursive: true, force: true }));

const STORAGE_SCENARIOS = ['relocation-under-load', 'attach-detach-with-config', 'disk-loss', 'stale-generation-fenced'];

for (const name of STORAGE_SCENARIOS) {
  t.test(`${name} on S3 (moto_server)`, async (t) => {
    const run = await cli(['scenario', 'run', name, '--seed', '7', '--remote-storage', 'moto', '--report', reports], { timeoutMs: 300_000 });
    t.equal(run.exitCode, 0, 'exit 0', { stdout: run.stdout.slice(-3000), stderr: run.stderr.slice(-3000) });
    t.match(run.stderr + run.stdout, /remote storage: S3 \(moto_server at http:\/\/127\.0\.0\.1:\d+\)/, 'it ran against moto_server');
    const report = JSON.parse(fs.readFileSync(path.join(reports, name, 'report.json'), 'utf8'));
    t.match(report, { outcome: 'passed', check: { ok: true, violations: [] }, topology: { remoteStorage: /^S3/ } }, 'report.json: passed, the checker found nothing');
    t.ok(report.check.stats.lsnChecked > 0, `the checker read ${report.check.stats.lsnChecked} acknowledged writes back at their LSN`);
    t.ok(report.invariants.every((i: { ok: boolean }) => i.ok) && report.invariants.some((i: { name: string }) => i.name === 'one attachment, in the current generation'), 'every invariant held, one attachment among them');
    if (name === 'relocation-under-load') {
      t.equal((run.stderr.match(/tenant migrated from ps\d to ps\d in \d+ ms; compute write stall \d+ ms/g) ?? []).length, 2, 'the write stall of both moves is printed');
      const moves = report.faults.filter((f: { kind: string }) => f.kind === 'migrate').map((f: { description: string }) => f.description);
      t.match(moves, [/^migrate the tenant ps\d → ps\d: compute write stall \d+ ms$/, /^migrate the tenant ps\d → ps\d: compute write stall \d+ ms$/], 'and recorded in the report, on the timeline');
    }
  });
}

t.test('--remote-storage refuses what it does not know', async (t) => {
  const run = await cli(['scenario', 'run', 'disk-loss', '--remote-storage', 'gcs://bucket']);
  t.equal(run.exitCode, 1);
  t.match(run.stderr, /expected local, moto, or s3:\/\/BUCKET\[\/PREFIX\]/);
});
