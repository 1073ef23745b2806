// Failpoints: the `fail` crate's action syntax, how tasks are picked (percentages, counts, chains),
// pause and its release, FAILPOINTS at startup, and the HTTP API every emulator serves.

import { spawnSync } from 'node:child_process';
import getPort from 'get-port';
import t from 'tap';
import { failpointRoutes, handlerFailpoint } from '../../cluster/emulated/common/failpoint-http.ts';
import { parseActions, parseFailpointsEnv } from '../../cluster/emulated/common/failpoint-syntax.ts';
import {
  configureFailpoint, configureFailpoints, failpoint, FailpointError, failpointReturns, failpointsActive,
  FailpointSyntaxError, failpointSleepMillis, listFailpoints, resetFailpoints,
} from '../../cluster/emulated/common/failpoints.ts';
import { ApiServer } from '../../cluster/emulated/common/http-server.ts';
import { httpRequest } from '../../cluster/clients/http.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether the promise is still pending after `ms`. */
async function pendingAfter(p: Promise<unknown>, ms: number): Promise<boolean> {
  const marker = Symbol('pending');
  return (await Promise.race([p.then(() => 'settled', () => 'settled'), sleep(ms).then(() => marker)])) === marker;
}

/** Evaluates a failpoint: 'ok', or the FailpointError's argument as 'return(<arg>)'. */
async function outcome(name: string): Promise<string> {
  try {
    await failpoint(name);
    return 'ok';
  } catch (err) {
    if (err instanceof FailpointError) return `return(${err.arg ?? ''})`;
    throw err;
  }
}

t.afterEach(() => resetFailpoints());

t.test('syntax: the fail crate’s tasks, chains, percentages and counts', async (t) => {
  t.same(parseActions('a', 'off'), [{ task: { kind: 'off' }, probability: 1, remaining: null }]);
  t.same(parseActions('a', 'return').map((a) => a.task), [{ kind: 'return', arg: null }]);
  t.same(parseActions('a', 'return(some (nested) 50% *value)').map((a) => a.task), [{ kind: 'return', arg: 'some (nested) 50% *value' }], 'the argument is taken first');
  t.same(parseActions('a', 'sleep(2000)').map((a) => a.task), [{ kind: 'sleep', ms: 2000 }]);
  t.same(parseActions('a', 'delay(5)').map((a) => a.task), [{ kind: 'delay', ms: 5 }]);
  t.same(parseActions('a', 'panic(oh no)').map((a) => a.task), [{ kind: 'panic', arg: 'oh no' }]);
  t.same(parseActions('a', 'print').map((a) => a.task), [{ kind: 'print', arg: null }]);
  t.same(parseActions('a', 'pause').map((a) => a.task), [{ kind: 'pause' }]);
  t.same(parseActions('a', 'yield').map((a) => a.task), [{ kind: 'yield' }]);
  t.same(parseActions('a', 'exit').map((a) => a.task), [{ kind: 'exit' }], "Neon's extra action");
  t.same(parseActions('a', '25%3*return(x) -> 1*sleep(10)->off'), [
    { task: { kind: 'return', arg: 'x' }, probability: 0.25, remaining: 3 },
    { task: { kind: 'sleep', ms: 10 }, probability: 1, remaining: 1 },
    { task: { kind: 'off' }, probability: 1, remaining: null },
  ]);
  t.same(parseActions('a', '0.5%return')[0]!.probability, 0.005, 'fractional percentages');

  const bad: [string, RegExp][] = [
    ['bogus', /unknown task type "bogus"/],
    ['', /a task type is missing/],
    ['return->', /a task type is missing/],
    ['sleep', /sleep needs a duration in milliseconds, e.g\. sleep\(1000\)/],
    ['sleep(abc)', /sleep needs a duration in milliseconds.*got \(abc\)/],
    ['delay(-1)', /delay needs a duration/],
    ['return(x', /parentheses do not match/],
    ['150%return', /percentage "150" is not a number from 0 to 100/],
    ['x%return', /percentage "x"/],
    ['1.5*return', /count "1.5" is not a non-negative integer/],
    ['off(1)', /off takes no argument/],
    ['pause(3)', /pause takes no argument/],
  ];
  for (const [actions, reason] of bad) {
    const err = t.throws(() => parseActions('sk-write-wal', actions), FailpointSyntaxError) as unknown as Error;
    t.match(err.message, reason, `${JSON.stringify(actions)}: ${reason}`);
    t.match(err.message, /^failpoint "sk-write-wal": cannot parse/, 'names the failpoint');
    t.match(err.message, /one of off, return, sleep, pause, panic, print, yield, delay, exit/, 'says what is allowed');
  }
  t.throws(() => parseActions(' ', 'return'), /the failpoint name is empty/);
});

t.test('off and unconfigured points do nothing, synchronously', async (t) => {
  t.equal(failpointsActive(), false);
  t.equal(failpoint('nowhere'), undefined, 'not configured: undefined, no promise');
  configureFailpoint('fp', 'off');
  t.equal(failpointsActive(), false, 'only off: nothing is active');
  t.equal(failpoint('fp'), undefined);
  configureFailpoint('fp', 'return');
  t.equal(failpointsActive(), true);
  configureFailpoint('fp', 'off');
  t.equal(failpointsActive(), false, 'turned off again');
});

t.test('return throws a FailpointError with the name and argument', async (t) => {
  configureFailpoint('fp', 'return');
  const err = await (failpoint('fp') as Promise<void>).then(() => null, (e: unknown) => e);
  t.ok(err instanceof FailpointError);
  t.match(err, { failpoint: 'fp', arg: null, message: 'failpoint fp' });
  configureFailpoint('fp', 'return(disk full)');
  t.equal(await outcome('fp'), 'return(disk full)');
  t.equal(await outcome('fp'), 'return(disk full)', 'again: no count, no limit');
});

t.test('counts and chains: each task while its count lasts, then the next', async (t) => {
  configureFailpoint('fp', '2*return(a)->1*off->return(b)');
  t.same([await outcome('fp'), await outcome('fp'), await outcome('fp'), await outcome('fp'), await outcome('fp')], ['return(a)', 'return(a)', 'ok', 'return(b)', 'return(b)']);
  configureFailpoint('fp', '1*return');
  t.same([await outcome('fp'), await outcome('fp')], ['return()', 'ok'], 'after the last count: nothing');
  configureFailpoint('fp', '1*sleep(60)->return(after)');
  const began = Date.now();
  t.equal(await outcome('fp'), 'ok', 'sleep resolves');
  t.ok(Date.now() - began >= 50, 'after sleeping');
  t.equal(await outcome('fp'), 'return(after)');
});

t.test('percentages: the task runs with that probability, else the next one is tried', async (t) => {
  configureFailpoint('never', '0%return');
  configureFailpoint('always', '100%return');
  configureFailpoint('half', '50%return->return(other)');
  const counts = { never: 0, always: 0, half: 0, other: 0 };
  for (let i = 0; i < 2000; i++) {
    if ((await outcome('never')) !== 'ok') counts.never++;
    if ((await outcome('always')) !== 'ok') counts.always++;
    const h = await outcome('half');
    if (h === 'return()') counts.half++;
    else if (h === 'return(other)') counts.other++;
  }
  t.equal(counts.never, 0);
  t.equal(counts.always, 2000);
  t.ok(counts.half > 800 && counts.half < 1200, `50%: ${counts.half} of 2000`);
  t.equal(counts.half + counts.other, 2000, 'a miss falls through to the next task');
  configureFailpoint('counted', '50%3*return');
  let fired = 0;
  for (let i = 0; i < 200; i++) if ((await outcome('counted')) !== 'ok') fired++;
  t.equal(fired, 3, 'a count is only used up when the task runs');
});

t.test('pause holds callers until the failpoint is reconfigured or turned off', async (t) => {
  configureFailpoint('fp', 'pause');
  const first = failpoint('fp')!;
  const second = failpoint('fp')!;
  t.ok(await pendingAfter(first, 100), 'paused');
  t.match(listFailpoints(), [{ name: 'fp', actions: 'pause', paused: 2 }], 'the listing shows who waits');
  configureFailpoint('fp', 'off');
  await first;
  await second;
  t.pass('turning it off released both');
  t.equal(listFailpoints()[0]!.paused, 0);

  configureFailpoint('fp', 'pause');
  const third = failpoint('fp')!;
  t.ok(await pendingAfter(third, 50), 'paused again');
  configureFailpoint('fp', 'return');
  await third;
  t.pass('reconfiguring releases it without running the new task (as the fail crate)');
  t.equal(await outcome('fp'), 'return()', 'the next caller gets the new task');
});

t.test('hits and triggered counts; configuring is all or nothing', async (t) => {
  configureFailpoints([{ name: 'b', actions: '1*print(hello)->off' }, { name: 'a', actions: 'return' }]);
  await outcome('a');
  await outcome('b');
  await outcome('b');
  t.same(listFailpoints(), [
    { name: 'a', actions: 'return', hits: 1, triggered: 1, paused: 0 },
    { name: 'b', actions: '1*print(hello)->off', hits: 2, triggered: 1, paused: 0 },
  ]);
  t.throws(() => configureFailpoints([{ name: 'a', actions: 'off' }, { name: 'c', actions: 'nonsense' }]), /failpoint "c"/);
  t.same(listFailpoints().map((f) => [f.name, f.actions]), [['a', 'return'], ['b', '1*print(hello)->off']], 'nothing was applied');
  configureFailpoint('a', 'return');
  t.match(listFailpoints()[0], { name: 'a', hits: 0, triggered: 0 }, 'configuring again starts the counts over');
});

t.test('sleep-millis points and synchronous checks', async (t) => {
  configureFailpoint('sleepy', 'return(80)');
  const began = Date.now();
  await failpointSleepMillis('sleepy');
  t.ok(Date.now() - began >= 70, "return(<ms>) sleeps at Neon's sleep_millis_async points");
  configureFailpoint('sleepy', 'return');
  t.equal(failpointSleepMillis('sleepy'), undefined, 'a bare return: no sleep');
  configureFailpoint('sleepy', 'pause');
  const paused = failpointSleepMillis('sleepy')!;
  t.ok(await pendingAfter(paused, 50), 'other tasks act as usual');
  configureFailpoint('sleepy', 'off');
  await paused;

  t.equal(failpointReturns('sync'), undefined);
  configureFailpoint('sync', '1*return(7)->1*return->off');
  t.equal(failpointReturns('sync'), '7');
  t.equal(failpointReturns('sync'), null, 'a bare return');
  t.equal(failpointReturns('sync'), undefined);
  configureFailpoint('sync', 'sleep(50)');
  const start = Date.now();
  t.equal(failpointReturns('sync'), undefined);
  t.ok(Date.now() - start >= 45, 'sleep blocks, as a thread sleep in Rust');
});

t.test('FAILPOINTS: Neon’s name=actions;name2=actions', async (t) => {
  t.same(parseFailpointsEnv('a=return;b=5*sleep(10)->off;'), [{ name: 'a', actions: 'return' }, { name: 'b', actions: '5*sleep(10)->off' }]);
  t.throws(() => parseFailpointsEnv('a=return;b'), /FAILPOINTS: entry 2 \("b"\) has no actions; write name=actions, e\.g\. b=return/);
  t.throws(() => parseFailpointsEnv('a=sleep'), /failpoint "a": cannot parse "sleep"/);

  const run = (failpoints: string, code: string) => spawnSync(process.execPath, [
    '--import', 'tsx', '--input-type=module', '-e',
    `import { initFailpoints, failpoint } from './cluster/emulated/common/failpoints.ts'; initFailpoints(); ${code}`,
  ], { env: { ...process.env, FAILPOINTS: failpoints }, encoding: 'utf8', timeout: 30_000 });
  const panicked = run('x=return;boom=panic(kaboom)', "await failpoint('boom'); console.log('not reached');");
  t.equal(panicked.status, 101, 'panic exits with 101, like a Rust panic');
  t.match(panicked.stdout, /panicked: kaboom/);
  t.notMatch(panicked.stdout, /not reached/);
  const bad = run('x=return;y=sleep(soon)', '');
  t.equal(bad.status, 1, 'bad FAILPOINTS: the component does not start');
  t.match(bad.stdout, /startup failpoints: failpoint "y": cannot parse "sleep\(soon\)"/);
  const exited = run('bye=exit', "await failpoint('bye'); console.log('not reached');");
  t.equal(exited.status, 1, 'exit');
});

t.test('HTTP: PUT and GET /v1/failpoints, failpoints in handlers', async (t) => {
  const server = new ApiServer();
  failpointRoutes(server);
  server.before(async (ctx) => {
    if (ctx.path !== '/v1/failpoints') await handlerFailpoint('api-503', 503);
  });
  server.get('/v1/thing', async () => {
    await handlerFailpoint('thing-handler');
    await failpoint('deeper');
    return { ok: true };
  });
  const port = await getPort({ host: '127.0.0.1' });
  await server.listen('127.0.0.1', port);
  t.teardown(() => server.close());
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await httpRequest(`http://127.0.0.1:${port}${path}`, { method, body });
    return { status: res.status, body: JSON.parse(res.body) as unknown };
  };

  t.same(await call('PUT', '/v1/failpoints', [{ name: 'thing-handler', actions: 'return' }]), { status: 200, body: null });
  t.same(await call('GET', '/v1/thing'), { status: 500, body: { msg: 'failpoint thing-handler' } }, 'a return at a handler failpoint: 500');
  await call('PUT', '/v1/failpoints', [{ name: 'thing-handler', actions: 'off' }, { name: 'deeper', actions: '1*return' }]);
  t.same(await call('GET', '/v1/thing'), { status: 500, body: { msg: 'failpoint deeper' } }, 'one reached inside the handler: 500 too');
  t.same(await call('GET', '/v1/thing'), { status: 200, body: { ok: true } });
  await call('PUT', '/v1/failpoints', [{ name: 'api-503', actions: 'return' }]);
  t.same(await call('GET', '/v1/thing'), { status: 503, body: { msg: 'failpoint api-503' } }, 'a hook with its own status');
  t.equal((await call('GET', '/v1/failpoints')).status, 200, 'the failpoints route stays reachable');
  await call('PUT', '/v1/failpoints', [{ name: 'api-503', actions: 'off' }]);

  const bad = await call('PUT', '/v1/failpoints', [{ name: 'sk-write-wal', actions: 'sleep(forever)' }]);
  t.equal(bad.status, 400, 'a bad action: 400');
  t.match(bad.body, { msg: /^Failed to configure failpoints: failpoint "sk-write-wal": cannot parse "sleep\(forever\)": sleep needs a duration/ });
  t.match(await call('PUT', '/v1/failpoints', { name: 'x', actions: 'return' }), { status: 400, body: { msg: /invalid type: map, expected a sequence/ } });
  t.match(await call('PUT', '/v1/failpoints', [{ name: 'x' }]), { status: 400, body: { msg: /missing field `actions`/ } });
  t.match(await call('PUT', '/v1/failpoints', [{ name: 'x', action: 'return' }]), { status: 400, body: { msg: /unknown field `action`/ } });
  t.match(await call('PUT', '/v1/failpoints'), { status: 400, body: { msg: /missing request body/ } });

  t.same(await call('GET', '/v1/failpoints'), {
    status: 200,
    body: [
      { name: 'api-503', actions: 'off', hits: 0, triggered: 0, paused: 0 },
      { name: 'deeper', actions: '1*return', hits: 2, triggered: 1, paused: 0 },
      { name: 'thing-handler', actions: 'off', hits: 0, triggered: 0, paused: 0 },
    ],
  }, 'GET lists what is configured and how often it was hit');
});
