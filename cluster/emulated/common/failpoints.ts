// Named failpoints, as Neon's services have them (the Rust `fail` crate): code marks a point with
// `await failpoint('name')`, and a test configures what happens there — fail, sleep, pause until
// reconfigured, panic — over HTTP (PUT /v1/failpoints) or at startup (FAILPOINTS). A point that is
// not configured costs a Map lookup; hot paths check failpointsActive() first and skip even that.

import type { FailpointConfig, FailpointStatus } from '../../api/failpoints.ts';
import { log } from './logger.ts';
import { parseActions, parseFailpointsEnv, type Action, type Task } from './failpoint-syntax.ts';

export { FailpointSyntaxError } from './failpoint-syntax.ts';

/** A `return` action fired: the operation at the failpoint fails. */
export class FailpointError extends Error {
  constructor(
    readonly failpoint: string,
    /** The argument of `return(<arg>)`; null for a bare `return`. */
    readonly arg: string | null,
  ) {
    super(`failpoint ${failpoint}`);
    this.name = 'FailpointError';
  }
}

interface Failpoint {
  actionsText: string;
  actions: Action[];
  /** Some task is not `off` (a count may have run out since). */
  armed: boolean;
  hits: number;
  triggered: number;
  /** Releases the callers paused here. */
  waiters: Set<(cancelled: boolean) => void>;
}

const PANIC_EXIT_CODE = 101; // a Rust panic's exit code
const registry = new Map<string, Failpoint>();
let active = false;
let cancelled = false;

/** False while no failpoint is configured to do anything: hot paths skip their points then. */
export function failpointsActive(): boolean {
  return active;
}

/** Configures one failpoint (replacing what it had, counters too); a caller paused at it carries on. */
export function configureFailpoint(name: string, actions: string): void {
  configureFailpoints([{ name, actions }]);
}

/** Configures several, all or nothing: a syntax error in any leaves every failpoint as it was. */
export function configureFailpoints(list: FailpointConfig[]): void {
  const parsed = list.map(({ name, actions }) => ({ name, actions, steps: parseActions(name, actions) }));
  for (const { name, actions, steps } of parsed) {
    log.info(`cfg failpoint: ${name} ${actions}`);
    const fp = registry.get(name) ?? { actionsText: '', actions: [], armed: false, hits: 0, triggered: 0, waiters: new Set() };
    fp.actionsText = actions;
    fp.actions = steps;
    fp.armed = steps.some((a) => a.task.kind !== 'off');
    fp.hits = 0;
    fp.triggered = 0;
    registry.set(name, fp);
    release(fp, false);
  }
  active = [...registry.values()].some((fp) => fp.armed);
}

/** Forgets every failpoint and releases paused callers (tests). */
export function resetFailpoints(): void {
  for (const fp of registry.values()) release(fp, false);
  registry.clear();
  active = false;
  cancelled = false;
}

/** The configured failpoints (GET /v1/failpoints). */
export function listFailpoints(): FailpointStatus[] {
  return [...registry.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, fp]) => ({ name, actions: fp.actionsText, hits: fp.hits, triggered: fp.triggered, paused: fp.waiters.size }));
}

/**
 * The failpoint `name`: nothing (undefined, synchronously) unless configured. `return` rejects
 * with a FailpointError; sleep, delay, pause and yield resolve when done.
 */
export function failpoint(name: string): Promise<void> | undefined {
  const fp = registry.get(name);
  if (fp === undefined || !fp.armed) return undefined;
  const task = take(fp);
  if (task === null) return undefined;
  return perform(name, fp, task);
}

/**
 * Neon's sleep_millis_async points: `return(<ms>)` sleeps that long instead of failing; the other
 * tasks act as at any failpoint (so `sleep(<ms>)` and `pause` work too).
 */
export function failpointSleepMillis(name: string): Promise<void> | undefined {
  const fp = registry.get(name);
  if (fp === undefined || !fp.armed) return undefined;
  const task = take(fp);
  if (task === null) return undefined;
  if (task.kind !== 'return') return perform(name, fp, task);
  if (task.arg === null) return undefined;
  const ms = Number(task.arg);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    log.warn(`failpoint ${name}: return(${task.arg}) is not a duration in milliseconds; ignored`);
    return undefined;
  }
  return perform(name, fp, { kind: 'sleep', ms });
}

/**
 * For places that cannot await: the argument of a `return` that fired (null for a bare one), else
 * undefined. sleep and delay block the thread, as in Rust; pause cannot (nothing could release
 * it) and is ignored with a warning.
 */
export function failpointReturns(name: string): string | null | undefined {
  const fp = registry.get(name);
  if (fp === undefined || !fp.armed) return undefined;
  const task = take(fp);
  if (task === null) return undefined;
  switch (task.kind) {
    case 'return':
      log.info(`failpoint ${name}: return`, { arg: task.arg });
      return task.arg;
    case 'sleep':
    case 'delay':
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, task.ms);
      return undefined;
    case 'pause':
      log.warn(`failpoint ${name}: pause is not supported at this (synchronous) point; ignored`);
      return undefined;
    default:
      runSync(name, task);
      return undefined;
  }
}

/** The task to run now, as the fail crate picks it: the first whose count lasts and whose odds hit. */
function take(fp: Failpoint): Task | null {
  fp.hits++;
  for (const action of fp.actions) {
    if (action.remaining !== null && action.remaining <= 0) continue;
    if (action.probability < 1 && Math.random() >= action.probability) continue;
    if (action.remaining !== null) action.remaining--;
    if (action.task.kind === 'off') return null;
    fp.triggered++;
    return action.task;
  }
  return null;
}

async function perform(name: string, fp: Failpoint, task: Task): Promise<void> {
  switch (task.kind) {
    case 'return':
      log.info(`failpoint ${name}: return`, { arg: task.arg });
      throw new FailpointError(name, task.arg);
    case 'sleep':
    case 'delay':
      log.debug(`failpoint ${name}: sleeping ${task.ms} ms`);
      await new Promise((r) => setTimeout(r, task.ms));
      return;
    case 'pause':
      return pause(name, fp);
    case 'yield':
      await new Promise((r) => setImmediate(r));
      return;
    default:
      runSync(name, task);
  }
}

function runSync(name: string, task: Task): void {
  if (task.kind === 'print') log.info(task.arg ?? `failpoint ${name} executed.`);
  else if (task.kind === 'panic') {
    log.error(`panicked: ${task.arg ?? `failpoint ${name} panic`}`, { failpoint: name });
    process.exit(PANIC_EXIT_CODE);
  } else if (task.kind === 'exit') {
    log.info('Exit requested by failpoint', { failpoint: name });
    process.exit(1);
  }
}

/** Waits until the failpoint is configured again (or the process shuts down: then it fails). */
function pause(name: string, fp: Failpoint): Promise<void> {
  if (cancelled) return Promise.reject(new FailpointError(name, null));
  log.info(`failpoint ${name}: paused`);
  return new Promise((resolve, reject) => {
    const waiter = (isCancel: boolean) => {
      fp.waiters.delete(waiter);
      if (isCancel) reject(new FailpointError(name, null));
      else {
        log.info(`failpoint ${name}: released`);
        resolve();
      }
    };
    fp.waiters.add(waiter);
  });
}

function release(fp: Failpoint, isCancel: boolean): void {
  for (const waiter of [...fp.waiters]) waiter(isCancel);
}

/**
 * Applies FAILPOINTS (Neon's `name=actions;name2=actions`) at startup, and makes paused callers
 * fail on SIGTERM/SIGINT so that a graceful shutdown is not held up by a pause nobody will lift.
 */
export function initFailpoints(env: string | undefined = process.env['FAILPOINTS']): void {
  process.on('SIGTERM', cancelPauses);
  process.on('SIGINT', cancelPauses);
  if (env === undefined || env.trim() === '') return;
  let list: FailpointConfig[];
  try {
    list = parseFailpointsEnv(env);
  } catch (err) {
    log.error(`startup failpoints: ${(err as Error).message}`);
    process.exit(1);
  }
  configureFailpoints(list);
  log.info('startup failpoints applied', { failpoints: list.map((f) => f.name).join(',') });
}

function cancelPauses(): void {
  cancelled = true;
  for (const fp of registry.values()) release(fp, true);
}
