// Bad input gets one actionable line (plus a hint) on stderr and a non-zero exit — or a JSON error
// with --json — and leaves nothing half-written on disk.

import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { cli, cliIn } from '../helpers/cli.ts';
import { tempDir } from '../helpers/processes.ts';

t.test('usage errors', async (t) => {
  const { dir, remove } = tempDir();
  t.teardown(remove);
  const repo = `${dir}/.neon`;
  const cases: [string[], RegExp][] = [
    [['init', '--num-pagesevers', '2'], /unknown option '--num-pagesevers'[\s\S]*Did you mean --num-pageservers\?/],
    [['init', '--num-pageservers', 'two'], /--num-pageservers must be a number from 1 to 64, got "two"/],
    [['init', '--force', 'yes'], /Allowed choices are must-not-exist, empty-dir-ok, remove-all-contents/],
    [['pageserver', 'start', '--id', '0'], /--id must be a positive integer, got "0"/],
    [['safekeeper', 'stop', 'x'], /safekeeper id must be a positive integer, got "x"/],
    [['stop', '--mode', 'graceful'], /Allowed choices are fast, immediate/],
    [['start', '--start-timeout', 'soon'], /"soon" is not a duration/],
    [['teleport'], /unknown command 'teleport'/],
  ];
  for (const [args, message] of cases) {
    const res = await cliIn(repo, args);
    t.equal(res.exitCode, 1, `${args.join(' ')} exits 1`);
    t.match(res.stderr, message, args.join(' '));
    t.match(res.stderr, /hint: see `neon-local [a-z -]*--help`/);
    t.equal(res.stdout, '', 'nothing on stdout');
  }
  const json = await cliIn(repo, ['init', '--bogus', '--json']);
  t.equal(json.exitCode, 1);
  t.equal(json.json.error.code, 'usage');
  t.notOk(fs.existsSync(repo), 'nothing was created');
});

t.test('no cluster, unknown components, an existing repo dir', async (t) => {
  const { dir, remove } = tempDir();
  t.teardown(remove);
  const repo = `${dir}/.neon`;
  const none = await cliIn(repo, ['status']);
  t.equal(none.exitCode, 1);
  t.match(none.stderr, /no cluster in .*\.neon \(cluster\.yaml not found\)\nhint: run `neon-local init` first/);
  t.notOk(fs.existsSync(repo), 'status does not create the directory');

  t.equal((await cliIn(repo, ['init', '--num-safekeepers', '1'])).exitCode, 0);
  const sk = await cliIn(repo, ['safekeeper', 'start', '4']);
  t.equal(sk.exitCode, 1, 'a bad id is bad input, not a start failure');
  t.match(sk.stderr, /no safekeeper with id 4 in this cluster\nhint: configured ids: 1/);
  const ps = await cliIn(repo, ['pageserver', 'stop', '--id', '3', '--json']);
  t.equal(ps.exitCode, 1);
  t.same(ps.json.error, { code: 'unknown-component', message: 'no pageserver with id 3 in this cluster', hint: 'configured ids: 1' });
  const sc = await cliIn(repo, ['storage-controller', 'stop', '--instance-id', '2']);
  t.match(sc.stderr, /no storage controller with id 2/);

  const before = fs.readFileSync(path.join(repo, 'cluster.yaml'), 'utf8');
  const again = await cliIn(repo, ['init']);
  t.equal(again.exitCode, 1);
  t.match(again.stderr, /\.neon already exists\nhint: use --force empty-dir-ok/);
  const notEmpty = await cliIn(repo, ['init', '--force', 'empty-dir-ok']);
  t.match(notEmpty.stderr, /is not empty/);
  t.equal(fs.readFileSync(path.join(repo, 'cluster.yaml'), 'utf8'), before, 'the existing cluster is untouched');

  const replaced = await cliIn(repo, ['init', '--force', 'remove-all-contents', '--num-pageservers', '3', '--json']);
  t.equal(replaced.exitCode, 0);
  t.equal(replaced.json.config.pageservers.length, 3);
});

t.test('a malformed cluster.yaml is reported with file, line and key', async (t) => {
  const { dir, remove } = tempDir();
  t.teardown(remove);
  const repo = `${dir}/.neon`;
  t.equal((await cliIn(repo, ['init', '--num-pageservers', '2'])).exitCode, 0);
  const file = path.join(repo, 'cluster.yaml');
  const good = fs.readFileSync(file, 'utf8');
  const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

  const badPort = good.replace(/(listen_http_addr: 127\.0\.0\.1:)(\d+)(\n[\s\S]*listen_http_addr)/, '$1abc$3');
  fs.writeFileSync(file, badPort);
  let res = await cliIn(repo, ['status']);
  t.equal(res.exitCode, 1);
  t.match(res.stderr, `cluster.yaml:${lineOf(badPort, '127.0.0.1:abc')}: pageservers[0].listen_http_addr: invalid value: string "127.0.0.1:abc", expected host:port`);

  const unknownKey = good.replace('  max_offline:', '  max_ofline:');
  fs.writeFileSync(file, unknownKey);
  res = await cliIn(repo, ['start']);
  t.equal(res.exitCode, 1, 'a config error is not a start failure');
  t.match(res.stderr, `cluster.yaml:${lineOf(unknownKey, 'max_ofline')}: storage_controller.max_ofline: unknown field \`max_ofline\``);

  const notYaml = good.replace('pageservers:', 'pageservers: [');
  fs.writeFileSync(file, notYaml);
  res = await cliIn(repo, ['status', '--json']);
  t.equal(res.json.error.code, 'config');
  t.match(res.json.error.message, /cluster\.yaml:\d+: not valid YAML/);

  const dupPort = good.replace(/(pg_port: )\d+/, `$1${/http_port: (\d+)/.exec(good)![1]}`);
  fs.writeFileSync(file, dupPort);
  res = await cliIn(repo, ['start']);
  t.match(res.stderr, /port \d+ is used by both sk1 \(http\) and sk1 \(pg\)|port \d+ is used by both sk1 \(pg\) and sk1 \(http\)/);
  fs.writeFileSync(file, good);
});

t.test('init --config: a partial file, and a bad one leaves nothing on disk', async (t) => {
  const { dir, remove } = tempDir();
  t.teardown(remove);
  const conf = path.join(dir, 'topology.yaml');
  fs.writeFileSync(conf, 'pageservers:\n  - id: 5\n  - id: 7\n    availability_zone: az-b\nstorage_controller:\n  heartbeat_interval: 250ms\n');
  const repo = path.join(dir, 'a');
  const ok = await cliIn(repo, ['init', '--config', conf, '--json']);
  t.equal(ok.exitCode, 0, ok.stderr);
  t.same(ok.json.config.pageservers.map((p: { id: number; availability_zone: string }) => [p.id, p.availability_zone]), [[5, 'local'], [7, 'az-b']]);
  t.equal(ok.json.config.storage_controller.heartbeat_interval, '250ms');
  t.equal(ok.json.config.safekeepers.length, 3, 'defaults for what the file leaves out');

  fs.writeFileSync(conf, 'pageservers:\n  - id: 1\n    listen_pg_addr: nowhere\n');
  const bad = await cliIn(path.join(dir, 'b'), ['init', '--config', conf]);
  t.equal(bad.exitCode, 1);
  t.match(bad.stderr, /topology\.yaml:3: pageservers\[0\]\.listen_pg_addr: invalid value: string "nowhere", expected host:port/);
  t.notOk(fs.existsSync(path.join(dir, 'b')), 'no repo dir after a failed init');

  const conflict = await cliIn(path.join(dir, 'c'), ['init', '--config', path.join(dir, 'a', 'cluster.yaml')]);
  t.equal(conflict.exitCode, 1, 'a full cluster.yaml is a valid --config, but its ports belong to cluster a');
  t.match(conflict.stderr, /port \d+ \([a-z_[\]0-9.]+\) is already assigned to the cluster in .*\/a\nhint: choose another port/);
  const missing = await cli(['init', '--config', path.join(dir, 'nope.yaml'), '--repo-dir', path.join(dir, 'd')]);
  t.match(missing.stderr, /cannot read --config .*nope\.yaml: no such file/);
  t.same(fs.readdirSync(dir).sort(), ['a', 'topology.yaml'], 'failed inits left nothing behind');
});
