// The tenant, timeline, endpoint and mappings commands as a user runs them, with neon_local's
// names and flags, and their errors: message on stderr, non-zero exit.

import t from 'tap';
import { newHexId } from '../../cluster/api/ids.ts';
import { cliIn, cliRepo, type CliResult } from '../helpers/cli.ts';
import { psql } from '../helpers/sql.ts';

const LSN = /^[0-9A-F]+\/[0-9A-F]+$/;

function lastToken(r: CliResult): string {
  return r.stdout.trim().split(/\s+/).pop()!;
}

t.test('start --init gives a default tenant, branch main and a running ep-main', async (t) => {
  const repo = cliRepo(t);
  const run = (...args: string[]) => cliIn(repo, args);
  const failing = async (args: string[], message: RegExp, what: string) => {
    const r = await run(...args);
    t.equal(r.exitCode, 1, `${what}: exit 1`);
    t.match(r.stderr, message, `${what}: says why`);
    t.equal(r.stdout, '', `${what}: nothing on stdout`);
  };

  const succeeds = (r: CliResult, what: string) => t.equal(r.exitCode, 0, what, { stderr: r.stderr });

  const started = await run('start', '--init');
  succeeds(started, 'start --init');
  const connect = /psql -h 127\.0\.0\.1 -p (\d+) -U cloud_admin postgres/.exec(started.stdout);
  t.ok(connect, 'start prints the psql line');
  const mainPort = Number(connect![1]);
  await psql(mainPort, 'CREATE TABLE kv (k int PRIMARY KEY, v text)');
  await psql(mainPort, "INSERT INTO kv VALUES (1, 'one'), (2, 'two')");

  const tenants = await run('tenant', 'list');
  t.match(tenants.stdout, /^[0-9a-f]{32} Active on pageserver 1 \(default\)$/, 'tenant list: id, state and pageserver');
  const defaultTenant = tenants.stdout.split(' ')[0]!;

  // tenants
  const other = newHexId();
  const created = await run('tenant', 'create', '--tenant-id', other, '-c', 'gc_horizon:1024', '-c', 'pitr_interval:1h');
  succeeds(created, 'tenant create with -c');
  t.match(created.stdout, new RegExp(`tenant ${other} successfully created`), 'tenant create reports the tenant');
  t.equal((await run('tenant', 'list', '--json')).json.length, 2, 'tenant list --json: two tenants');
  await failing(['tenant', 'create', '-c', 'no_such_setting:1'], /unknown field `no_such_setting`/, 'unknown tenant config key');
  await failing(['tenant', 'create', '--tenant-id', 'not-hex'], /--tenant-id not-hex: expected 32 lowercase hex digits/, 'malformed tenant id');
  await failing(['tenant', 'create', '--tenant-id', other], /already has a branch named "main"/, 'the same tenant twice');
  await failing(['tenant', 'create', '-c', 'gc_horizon'], /expected key:value/, '-c without a value');

  // timelines
  const root = await run('timeline', 'create', '--branch-name', 'other-root', '--tenant-id', other);
  t.match(root.stdout, /Created timeline '[0-9a-f]{32}' at Lsn [0-9A-F]+\/[0-9A-F]+ for tenant/, 'timeline create reports id and LSN');
  const head = (await psql(mainPort, 'SELECT pg_current_wal_flush_lsn() AS lsn')).rows[0].lsn as string;
  const branched = await run('timeline', 'branch', '--branch-name', 'b1', '--ancestor-start-lsn', head);
  succeeds(branched, 'timeline branch');
  t.match(branched.stdout, `at Lsn ${head}`, 'branched at the LSN asked for');
  const tree = (await run('timeline', 'list')).stdout.split('\n');
  t.match(tree[0], /^main \[[0-9a-f]{32}\]$/, 'timeline list: main at the root');
  t.match(tree[1], new RegExp(`^┗━ @${head.replace('/', '\\/')}: b1 \\[[0-9a-f]{32}\\]$`), 'timeline list draws the branch under main');
  await failing(['timeline', 'branch', '--branch-name', 'b2', '--ancestor-branch-name', 'nope'], /has no branch named "nope"/, 'unknown ancestor branch');
  await failing(['timeline', 'branch', '--branch-name', 'b1'], /already has a branch named "b1"/, 'a branch name twice');
  await failing(['timeline', 'branch', '--branch-name', 'b3', '--ancestor-start-lsn', 'FFFF/0'], /answered 406: .*FFFF\/0/, 'a branch point past the ancestor’s end');
  await failing(['timeline', 'branch', '--branch-name', 'b4', '--ancestor-start-lsn', 'soon'], /expected an LSN like 0\/16B3748/, 'a malformed LSN');
  await failing(['timeline', 'list', '--tenant-id', newHexId()], /answered 404/, 'an unknown tenant');
  await failing(['timeline', 'create'], /required option '--branch-name <name>'/, 'a missing flag');

  // mappings: name a timeline created through the API directly
  const storcon = (await run('status', '--json')).json.components.find((c: { kind: string }) => c.kind === 'storage-controller').httpUrl as string;
  const unnamed = newHexId();
  const res = await fetch(`${storcon}/v1/tenant/${defaultTenant}/timeline`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ new_timeline_id: unnamed, pg_version: 17 }) });
  t.equal(res.status, 201, 'a timeline created on the storage controller directly');
  succeeds(await run('mappings', 'map', '--tenant-id', defaultTenant, '--timeline-id', unnamed, '--branch-name', 'imported'), 'mappings map');
  t.match((await run('timeline', 'list')).stdout, `imported [${unnamed}]`, 'the mapped name shows in timeline list');

  // endpoints
  const epCreated = await run('endpoint', 'create', '--branch-name', 'b1');
  t.match(epCreated.stdout, /Created endpoint ep-b1 \(primary\) on branch b1/, 'endpoint create: default id ep-<branch>');
  const epStarted = await run('endpoint', 'start', 'ep-b1');
  succeeds(epStarted, 'endpoint start');
  const b1Port = Number(/-p (\d+)/.exec(epStarted.stdout)![1]);
  t.same((await psql(b1Port, 'SELECT k FROM kv')).rows, [{ k: 1 }, { k: 2 }], 'the branch endpoint reads the rows before its LSN');
  await failing(['endpoint', 'start', 'ep-b1'], /endpoint ep-b1 is already running/, 'starting a running endpoint');
  await failing(['endpoint', 'start', 'ep-nope'], /no endpoint "ep-nope"/, 'an unknown endpoint');
  await failing(['endpoint', 'create', '--branch-name', 'b1'], /endpoint ep-b1 already exists/, 'an endpoint id twice');
  await failing(['endpoint', 'start', 'ep-b1', '--safekeepers', '1,x'], /node ids separated by commas/, 'a malformed safekeeper list');
  const listed = (await run('endpoint', 'list')).stdout.split('\n');
  t.match(listed[0], /^ENDPOINT\s+ADDRESS\s+TIMELINE\s+BRANCH NAME\s+LSN\s+STATUS$/, 'endpoint list: neon_local’s columns');
  t.match(listed.find((l) => l.startsWith('ep-b1')), /127\.0\.0\.1:\d+\s+[0-9a-f]{32}\s+b1\s+[0-9A-F]+\/[0-9A-F]+\s+running/, 'endpoint list: the endpoint, its branch, LSN and status');

  const reconf = await run('endpoint', 'reconfigure', 'ep-main', '--safekeepers', '1,2');
  t.match(reconf.stdout, /safekeepers 1,2 /, 'endpoint reconfigure --safekeepers 1,2');
  await psql(mainPort, "INSERT INTO kv VALUES (3, 'after reconfigure')");
  t.pass('writes go on after reconfigure');

  const stopped = await run('endpoint', 'stop', 'ep-b1');
  t.match(lastToken(stopped), LSN, 'endpoint stop: the last token is the flush LSN');
  const destroyed = await run('endpoint', 'stop', 'ep-b1', '--destroy');
  t.equal(lastToken(destroyed), 'null', 'stopping a stopped endpoint: null');
  t.notMatch((await run('endpoint', 'list')).stdout, /ep-b1/, '--destroy removes it');

  // stop and start: running endpoints come back
  succeeds(await run('stop'), 'stop');
  const restarted = await run('start');
  t.match(restarted.stdout, `-p ${mainPort} `, 'ep-main is started again');
  t.same((await psql(mainPort, 'SELECT count(*) AS n FROM kv')).rows, [{ n: '3' }], 'with its rows');
});
