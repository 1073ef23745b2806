// The action syntax of the Rust `fail` crate (fail::cfg), which Neon's services take over HTTP and
// in FAILPOINTS: tasks `[<pct>%][<cnt>*]<type>[(<arg>)]` chained with `->`. Parsed as the crate
// does (the argument first, so a `%` or `*` inside it is harmless), but stricter about values the
// crate would silently misread (a percentage over 100, an argument to `off`).

export type Task =
  | { kind: 'off' }
  | { kind: 'return'; arg: string | null }
  | { kind: 'sleep'; ms: number }
  | { kind: 'pause' }
  | { kind: 'panic'; arg: string | null }
  | { kind: 'print'; arg: string | null }
  | { kind: 'yield' }
  | { kind: 'delay'; ms: number }
  // Neon's own addition (failpoint_support::apply_failpoint): exit the process at once.
  | { kind: 'exit' };

export interface Action {
  task: Task;
  /** 0..1; the task runs with this probability each time it is reached. */
  probability: number;
  /** How many more times the task may run; null: without limit. */
  remaining: number | null;
}

export const TASK_TYPES = ['off', 'return', 'sleep', 'pause', 'panic', 'print', 'yield', 'delay', 'exit'] as const;
export const SYNTAX_HELP =
  `actions are [<pct>%][<cnt>*]<type>[(<arg>)] chained with "->", where <type> is one of ${TASK_TYPES.join(', ')} ` +
  '(sleep and delay take milliseconds), e.g. "return", "pause", "sleep(2000)", "50%return(boom)", "3*off->return"';

export class FailpointSyntaxError extends Error {
  constructor(
    readonly failpoint: string,
    readonly actions: string,
    reason: string,
  ) {
    super(`failpoint ${JSON.stringify(failpoint)}: cannot parse ${JSON.stringify(actions)}: ${reason}; ${SYNTAX_HELP}`);
    this.name = 'FailpointSyntaxError';
  }
}

/** Parses `actions` for failpoint `name`; throws FailpointSyntaxError naming both. */
export function parseActions(name: string, actions: string): Action[] {
  if (name.trim() === '') throw new FailpointSyntaxError(name, actions, 'the failpoint name is empty');
  return actions.split('->').map((part) => {
    try {
      return parseAction(part);
    } catch (err) {
      throw new FailpointSyntaxError(name, actions, (err as Error).message);
    }
  });
}

function parseAction(text: string): Action {
  let rest = text.trim();
  let arg: string | null = null;
  const open = rest.indexOf('(');
  if (open >= 0) {
    if (!rest.endsWith(')')) throw new Error(`parentheses do not match in ${JSON.stringify(rest)}`);
    arg = rest.slice(open + 1, -1);
    rest = rest.slice(0, open).trim();
  }

  let probability = 1;
  const pct = rest.indexOf('%');
  if (pct >= 0) {
    const value = rest.slice(0, pct).trim();
    const n = Number(value);
    if (value === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new Error(`the percentage ${JSON.stringify(value)} is not a number from 0 to 100`);
    probability = n / 100;
    rest = rest.slice(pct + 1).trim();
  }

  let remaining: number | null = null;
  const star = rest.indexOf('*');
  if (star >= 0) {
    const value = rest.slice(0, star).trim();
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new Error(`the count ${JSON.stringify(value)} is not a non-negative integer`);
    remaining = Number(value);
    rest = rest.slice(star + 1).trim();
  }

  return { task: parseTask(rest, arg), probability, remaining };
}

function parseTask(type: string, arg: string | null): Task {
  const noArg = () => {
    if (arg !== null) throw new Error(`${type} takes no argument, got (${arg})`);
  };
  const millis = (): number => {
    if (arg === null || !/^\s*\d+\s*$/.test(arg) || !Number.isSafeInteger(Number(arg))) {
      throw new Error(`${type} needs a duration in milliseconds, e.g. ${type}(1000)${arg === null ? '' : `, got (${arg})`}`);
    }
    return Number(arg);
  };
  switch (type) {
    case 'off': noArg(); return { kind: 'off' };
    case 'return': return { kind: 'return', arg };
    case 'sleep': return { kind: 'sleep', ms: millis() };
    case 'pause': noArg(); return { kind: 'pause' };
    case 'panic': return { kind: 'panic', arg };
    case 'print': return { kind: 'print', arg };
    case 'yield': noArg(); return { kind: 'yield' };
    case 'delay': return { kind: 'delay', ms: millis() };
    case 'exit': noArg(); return { kind: 'exit' };
    default: throw new Error(type === '' ? 'a task type is missing' : `unknown task type ${JSON.stringify(type)}`);
  }
}

/** Neon's FAILPOINTS form: `name=actions;name2=actions` (empty entries are skipped). */
export function parseFailpointsEnv(value: string): { name: string; actions: string }[] {
  const out: { name: string; actions: string }[] = [];
  for (const [i, entry] of value.split(';').entries()) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    if (eq < 0) throw new Error(`FAILPOINTS: entry ${i + 1} (${JSON.stringify(entry)}) has no actions; write name=actions, e.g. ${entry.trim()}=return`);
    const name = entry.slice(0, eq).trim();
    const actions = entry.slice(eq + 1);
    parseActions(name, actions); // report a bad entry before anything is applied
    out.push({ name, actions });
  }
  return out;
}
