// One error type for everything the harness reports to a user. The CLI renders it as one line
// (plus hint) or as `{"error": {...}}` with --json; fixtures rethrow it unchanged.

export type ErrorCode =
  | 'usage' // bad flags or arguments
  | 'config' // cluster.yaml or an --config file is invalid
  | 'not-initialized' // no cluster in the repo dir
  | 'already-exists' // init over an existing repo dir
  | 'lock-timeout' // another neon-local command holds the repo lock
  | 'port-in-use' // a persisted port is taken by someone else
  | 'unknown-component' // no component with that kind/id in the topology
  | 'not-found' // no such tenant, branch or endpoint
  | 'conflict' // it exists already, or is already running
  | 'not-running' // the command needs a running cluster (or endpoint)
  | 'scenario-failed' // a scenario ran and its checks failed
  | 'start-failed' // a component did not become ready
  | 'stop-failed' // a component would not die
  | 'supervisor' // the supervisor process misbehaved
  | 'http' // a component answered with an error status
  | 'timeout' // an operation the cluster keeps working on did not finish in time
  | 'internal'; // a bug: please report

const BRAND = Symbol.for('neon-local.error');

export class NeonLocalError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly component: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly [BRAND] = true;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; component?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NeonLocalError';
    this.code = code;
    this.hint = options.hint;
    this.component = options.component;
    this.details = options.details;
  }

  /** Plain data for JSON output and for crossing a process boundary. */
  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.component ? { component: this.component } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }

  static fromJSON(data: SerializedError): NeonLocalError {
    const opts: { hint?: string; component?: string; details?: Record<string, unknown> } = {};
    if (data.hint !== undefined) opts.hint = data.hint;
    if (data.component !== undefined) opts.component = data.component;
    if (data.details !== undefined) opts.details = data.details;
    return new NeonLocalError(data.code, data.message, opts);
  }
}

export interface SerializedError {
  code: ErrorCode;
  message: string;
  hint?: string;
  component?: string;
  details?: Record<string, unknown>;
}

export function isNeonLocalError(err: unknown): err is NeonLocalError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

/** Wraps anything thrown into a NeonLocalError, keeping the original as cause. */
export function asNeonLocalError(err: unknown): NeonLocalError {
  if (isNeonLocalError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new NeonLocalError('internal', message, { cause: err });
}

export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
