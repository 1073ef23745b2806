// `neon-local workload run` and `neon-local check` as a user runs them: a clean history checks with
// exit 0, a corrupted one lists its violations with exit 1, a file that is no history is refused.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { cliIn, cliRepo, escapeRegExp } from '../helpers/cli.ts';

t.test('workload run, then check', async (t) => {
  const repo = cliRepo(t);
  const run = (...args: string[]) => cliIn(repo, args);
  t.equal((await run('start', '--init')).exitCode, 0, 'start --init');
  const history = path.join(repo, 'history.jsonl');

  const ran = await run('workload', 'run', '--endpoint', 'ep-main', '--clients', '3', '--duration', '2s', '--keys', '5', '--read-fraction', '0.3', '--seed', '7', '--history', history);
  t.equal(ran.exitCode, 0, 'workload run', { stderr: ran.stderr });
  t.match(ran.stdout, /^Workload on ep-main \(table workload_kv, 5 keys, 3 clients, seed 7\): [\d.]+ s, \d+ ok/m, 'a summary on stdout');
  t.match(ran.stdout, new RegExp(`Check it: neon-local check ${escapeRegExp(history)} --endpoint ep-main`));
  t.match(ran.stderr, /^\s+1 s {2}ok \d+ {2}fail \d+ {2}unknown \d+/m, 'progress on stderr');
  const lines = fs.readFileSync(history, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.match(lines[0], { type: 'header', format: 'neon-local-history/1', endpoint: 'ep-main', keys: 5, clients: 3, seed: 7 });
  t.equal(lines.filter((e) => e.type === 'final').length, 5, 'a final value per key');

  const checked = await run('check', history, '--endpoint', 'ep-main');
  t.equal(checked.exitCode, 0, 'check --endpoint: exit 0', { stdout: checked.stdout, stderr: checked.stderr });
  t.match(checked.stdout, /Checked \d+ writes \(\d+ acknowledged, 0 failed, \d+ unknown\), \d+ reads, 5 keys/);
  t.match(checked.stdout, /Final values re-read through ep-main: 5 keys\./);
  t.match(checked.stdout, /LSN check: \d+ acknowledged writes read back at their commit LSN, 0 skipped/);
  t.match(checked.stdout, /^OK: no acknowledged write was lost/m);

  const json = await run('check', history, '--json');
  t.equal(json.exitCode, 0);
  t.match(json.json, { ok: true, stats: { keys: 5 }, lsnCheck: null, violations: [] });

  // A phantom final value: listed with its operation, exit 1, in text and JSON.
  const corrupted = path.join(repo, 'corrupted.jsonl');
  const final = lines.findIndex((e) => e.type === 'final');
  fs.writeFileSync(corrupted, lines.map((e, i) => JSON.stringify(i === final ? { ...e, value: 'nobody-wrote-this' } : e)).join('\n') + '\n');
  const dirty = await run('check', corrupted);
  t.equal(dirty.exitCode, 1, 'a violation: exit 1');
  t.match(dirty.stdout, /1 violation:\n\nphantom: key k\d: final value is "nobody-wrote-this", which no operation wrote to this key\n.* final +final +read +k\d = "nobody-wrote-this"/);
  const dirtyJson = await run('check', corrupted, '--json');
  t.equal(dirtyJson.exitCode, 1);
  t.match(dirtyJson.json, { ok: false, violations: [{ kind: 'phantom', ops: [{ type: 'final', value: 'nobody-wrote-this' }] }] });
});

t.test('check refuses what is not a history', async (t) => {
  const repo = cliRepo(t);
  const file = path.join(repo, 'notes.txt');
  fs.mkdirSync(repo, { recursive: true });
  fs.writeFileSync(file, 'just some notes\n');
  const bad = await cliIn(repo, ['check', file]);
  t.equal(bad.exitCode, 1);
  t.equal(bad.stdout, '');
  t.match(bad.stderr, `neon-local: ${file}:1: not a JSON line: "just some notes"\nhint: not a history written by \`neon-local workload run\``);

  fs.writeFileSync(file, '{"type":"header","format":"neon-local-history/1","startedAt":"x","endpoint":"e","tenant":"t","timeline":"l","table":"t","keys":1,"clients":1}\n{"type":"ok"}\n');
  const broken = await cliIn(repo, ['check', file, '--json']);
  t.equal(broken.exitCode, 1);
  t.match(broken.json, { error: { code: 'usage', message: `${file}:2: op must be "write" or "read", got undefined` } });

  const missing = await cliIn(repo, ['check', path.join(repo, 'nope.jsonl')]);
  t.equal(missing.exitCode, 1);
  t.match(missing.stderr, /cannot read history .*nope\.jsonl/);
});
