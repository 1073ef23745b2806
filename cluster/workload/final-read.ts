// Reading every key's value once the clients have stopped: the workload's `final` events, and
// `neon-local check --endpoint` re-reading them later. Each read is retried through faults until
// the deadline.

import http from 'node:http';
import { NeonLocalError } from '../util/errors.ts';
import { postSql } from './sql-client.ts';

export interface FinalReadOptions {
  /** The compute's POST /v1/sql URL. */
  sqlUrl: string;
  table: string;
  keys: string[];
  deadline: number;
  requestTimeoutMs: number;
  /** Called with each key's value as soon as it is read. */
  onValue: (key: string, value: string | null) => void;
}

const PARALLEL = 8;

export async function readFinalValues(options: FinalReadOptions): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
  const queue = [...options.keys];
  const reader = async () => {
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) options.onValue(key, await readOne(options, key, agent));
  };
  try {
    await Promise.all(Array.from({ length: PARALLEL }, reader));
  } finally {
    agent.destroy();
  }
}

async function readOne(options: FinalReadOptions, key: string, agent: http.Agent): Promise<string | null> {
  for (;;) {
    const outcome = await postSql({ url: options.sqlUrl, query: `SELECT v FROM ${options.table} WHERE k = $1`, params: [key], timeoutMs: options.requestTimeoutMs, agent });
    if (outcome.kind === 'ok') return outcome.rows[0]?.[0] ?? null;
    if (Date.now() > options.deadline) {
      throw new NeonLocalError('http', `cannot read the final value of ${key} from ${options.sqlUrl}: ${outcome.error}`, { hint: 'is the endpoint running and serving? see `neon-local status`' });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
