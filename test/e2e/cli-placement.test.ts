// The README's relocation commands as a user types them: `tenant migrate` moves the tenant to the
// other pageserver and back while an endpoint keeps serving; `tenant policy --placement` detaches
// and attaches it with its config; bad input exits 1 with a message on stderr.

import t from 'tap';
import { cliIn, cliRepo, type CliResult } from '../helpers/cli.ts';
import { psql } from '../helpers/sql.ts';

t.test('tenant migrate and tenant policy, from the README', async (t) => {
  const repo = cliRepo(t);
  const run = (...args: string[]) => cliIn(repo, args);
  const succeeds = (r: CliResult, what: string) => t.equal(r.exitCode, 0, what, { stderr: r.stderr, stdout: r.stdout });
  const failing = async (args: string[], message: RegExp, what: string) => {
    const r = await run(...args);
    t.equal(r.exitCode, 1, `${what}: exit 1`);
    t.match(r.stderr, message, `${what}: says why`);
  };

  succeeds(await run('init', '--num-pageservers', '2'), 'init --num-pageservers 2');
  succeeds(await run('start'), 'start');
  succeeds(await run('tenant', 'create', '--set-default'), 'tenant create');
  succeeds(await run('endpoint', 'create', 'ep-main'), 'endpoint create');
  const started = await run('endpoint', 'start', 'ep-main');
  succeeds(started, 'endpoint start');
  const port = Number(/-p (\d+)/.exec(started.stdout)![1]);
  await psql(port, 'CREATE TABLE t (k int PRIMARY KEY, v text)');
  await psql(port, "INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 10000) g");
  t.match((await run('tenant', 'list')).stdout, /^[0-9a-f]{32} Active on pageserver 1 \(default\)$/m, 'on pageserver 1');

  const moved = await run('tenant', 'migrate', '--node', '2');
  succeeds(moved, 'tenant migrate --node 2');
  t.match(moved.stdout, /^Tenant [0-9a-f]{32} migrated from pageserver 1 to 2 in \d+\.\d s; its running endpoints now read from pageserver 2\.$/m, 'says where from, where to, how long');
  t.match((await run('tenant', 'list')).stdout, /Active on pageserver 2 \(default\)$/m, 'tenant list: on pageserver 2');
  t.same((await psql(port, 'SELECT count(*) AS n FROM t')).rows[0].n, '10000', 'the endpoint reads every row from pageserver 2');

  const back = await run('tenant', 'migrate', '--node', '1', '--prewarm', 'false', '--json');
  succeeds(back, 'tenant migrate --node 1 --prewarm false --json');
  t.match(JSON.parse(back.stdout), { from: 2, to: 1, durationMs: Number }, '--json: from, to, durationMs');
  t.match((await run('tenant', 'migrate', '--node', '1')).stdout, /is already on pageserver 1/, 'to where it is: nothing to do');

  succeeds(await run('tenant', 'config', '-c', 'pitr_interval:30days', '-c', 'gc_horizon:1048576'), 'tenant config');
  const detached = await run('tenant', 'policy', '--placement', 'detached');
  succeeds(detached, 'tenant policy --placement detached');
  t.match(detached.stdout, /detached; its data stays in remote storage/);
  t.match((await run('tenant', 'list')).stdout, /^[0-9a-f]{32} Detached \(default\)$/m, 'tenant list: Detached');
  const whileDetached = await run('tenant', 'config', '--patch', '-c', 'gc_period:0s');
  succeeds(whileDetached, 'config changed while detached');
  t.match(whileDetached.stdout, /The tenant is detached: the pageserver that attaches it next runs with these\./, 'and says when it applies');
  const attached = await run('tenant', 'policy', '--placement', 'attached');
  succeeds(attached, 'tenant policy --placement attached');
  t.match(attached.stdout, /attached to pageserver \d in generation \d+, with its config/);
  const config = JSON.parse((await run('tenant', 'config', '--patch', '--json')).stdout);
  t.match(config.effective, { pitr_interval: '30days', gc_horizon: 1048576, gc_period: '0s' }, 'the pageserver runs with every override, the one set while detached included');
  t.same((await psql(port, 'SELECT count(*) AS n FROM t')).rows[0].n, '10000', 'and the endpoint reads every row again');

  await failing(['tenant', 'migrate', '--node', '3'], /no pageserver with id 3\nhint: pageservers: 1, 2/, 'an unknown pageserver');
  await failing(['tenant', 'migrate', '--node', 'two'], /--node/, 'a malformed node id');
  await failing(['tenant', 'migrate'], /required option '--node <id>'/, 'no --node');
  await failing(['tenant', 'policy', '--placement', 'secondary'], /expected detached or attached/, 'an unsupported placement');
});
