// One statement through a compute's POST /v1/sql, classified for a history: ok (200), fail (the
// compute says it cannot have committed: "committed": false) or unknown (anything else — an
// unknown outcome, a 5xx without the field, a timeout, a broken connection). Never throws.

import http from 'node:http';

export type SqlOutcome =
  | { kind: 'ok'; rows: (string | null)[][]; commitLsn: string | null }
  | { kind: 'fail' | 'unknown'; error: string; sqlstate: string | null };

export interface SqlRequest {
  url: string;
  query: string;
  params: string[];
  timeoutMs: number;
  agent?: http.Agent;
}

export function postSql(req: SqlRequest): Promise<SqlOutcome> {
  const payload = JSON.stringify({ query: req.query, params: req.params });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: SqlOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const request = http.request(
      req.url,
      {
        method: 'POST',
        ...(req.agent ? { agent: req.agent } : {}),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => settle(classify(res.statusCode ?? 0, body)));
        res.on('error', (err) => settle({ kind: 'unknown', error: `response broken: ${err.message}`, sqlstate: null }));
      },
    );
    // A whole-request deadline: the compute may hold a commit for as long as it waits for a quorum.
    const timer = setTimeout(() => {
      settle({ kind: 'unknown', error: `no answer within ${req.timeoutMs} ms`, sqlstate: null });
      request.destroy();
    }, req.timeoutMs);
    request.on('error', (err) => settle({ kind: 'unknown', error: `request failed: ${(err as NodeJS.ErrnoException).code ?? err.message}`, sqlstate: null }));
    request.end(payload);
  });
}

function classify(status: number, text: string): SqlOutcome {
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: a proxy's or a dying server's answer
  }
  if (status === 200 && body) {
    return { kind: 'ok', rows: Array.isArray(body['rows']) ? (body['rows'] as (string | null)[][]) : [], commitLsn: typeof body['commit_lsn'] === 'string' ? body['commit_lsn'] : null };
  }
  const sqlstate = typeof body?.['sqlstate'] === 'string' ? body['sqlstate'] : null;
  const msg = typeof body?.['msg'] === 'string' ? body['msg'] : text.slice(0, 200) || '(empty body)';
  const error = `HTTP ${status}${sqlstate ? ` ${sqlstate}` : ''}: ${msg}`;
  return { kind: body?.['committed'] === false ? 'fail' : 'unknown', error, sqlstate };
}
