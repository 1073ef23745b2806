// Reading a component's Prometheus /metrics (tests, scenarios, and the clients' metricValue).

import { httpRequest } from './http.ts';

/** The sum of a metric's samples whose labels include `labels` (0 when there is none). */
export async function metricValue(baseUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  let sum = 0;
  for (const line of (await httpRequest(`${baseUrl}/metrics`, { timeoutMs: 10_000 })).body.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}
