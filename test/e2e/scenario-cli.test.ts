// `neon-local scenario list` and the scenario command's bad input: each refusal says what was
// wrong and lists the valid choices, exits 1, prints nothing on stdout, and starts no cluster.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { BUG_SWITCHES } from '../../cluster/bugs.ts';
import { SCENARIOS } from '../../scenarios/library/index.ts';
import { cli, escapeRegExp } from '../helpers/cli.ts';

t.test('scenario list names every scenario and bug switch', async (t) => {
  const list = await cli(['scenario', 'list']);
  t.equal(list.exitCode, 0);
  for (const s of SCENARIOS) t.match(list.stdout, new RegExp(`^${s.name} +${escapeRegExp(s.description)}$`, 'm'));
  for (const b of BUG_SWITCHES) t.match(list.stdout, new RegExp(`^${b.name} +${b.caughtBy} +`, 'm'));
  const json = await cli(['scenario', 'list', '--json']);
  t.equal(json.exitCode, 0);
  t.same(json.json.scenarios.map((s: { name: string }) => s.name), SCENARIOS.map((s) => s.name));
});

t.test('bad input', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neon-local-scenario-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const notOurs = path.join(dir, 'notes.json');
  fs.writeFileSync(notOurs, '{"entries": []}\n');
  const notJson = path.join(dir, 'notes.txt');
  fs.writeFileSync(notJson, 'hello\n');
  const validNames = SCENARIOS.map((s) => s.name).join(', ');
  const cases: [string[], RegExp][] = [
    [['run', 'no-such-scenario'], new RegExp(`no scenario named "no-such-scenario"\\nhint: scenarios: ${validNames}`)],
    [['run'], /name a scenario, or pass --all\nhint: scenarios: /],
    [['run', '--all', 'quorum-loss'], /name a scenario or pass --all, not both/],
    [['run', 'quorum-loss', '--seed', 'seven'], /--seed must be a number from 0 to 2147483647, got "seven"/],
    [['run', 'quorum-loss', '--seed', '-3'], /--seed must be a number from 0 to 2147483647, got "-3"/],
    [['run', 'quorum-loss', '--bugs', 'ack-everything'], new RegExp(`unknown bug switch "ack-everything"\\nhint: bug switches: ${BUG_SWITCHES.map((b) => b.name).join(', ')}`)],
    [['run', '--replay', notOurs], /notes\.json is not a neon-local fault schedule \(format neon-local-schedule\/1\)\nhint: pass the schedule\.json a scenario run wrote/],
    [['run', '--replay', notJson], /notes\.txt is not a neon-local fault schedule: not JSON \(it begins "hello\\n"\)\nhint: /],
    [['run', '--replay', path.join(dir, 'missing.json')], /cannot read the schedule .*missing\.json: ENOENT/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(['scenario', ...args]);
    t.equal(r.exitCode, 1, `${args.join(' ')}: exit 1`);
    t.equal(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
    t.match(r.stderr, message, `${args.join(' ')}: says what was wrong`);
  }
});
