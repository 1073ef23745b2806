// How the workload classifies an answer of POST /v1/sql: ok, fail only when the compute says
// "committed": false, unknown for everything else (null, no field, no JSON, no answer, no server).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { postSql } from '../../cluster/workload/sql-client.ts';

t.test('answers are classified ok, fail or unknown', async (t) => {
  const answers: Record<string, [number, string] | 'hang'> = {
    ok: [200, JSON.stringify({ command: 'INSERT 0 1', commit_lsn: '0/1000F28' })],
    read: [200, JSON.stringify({ command: 'SELECT 1', rows: [['v1']], commit_lsn: null })],
    definite: [400, JSON.stringify({ msg: 'duplicate key', sqlstate: '23505', committed: false })],
    unknown: [503, JSON.stringify({ msg: 'term lost', sqlstate: '08006', committed: null })],
    'no-field': [503, JSON.stringify({ msg: 'Shutting down' })],
    'not-json': [502, 'Bad Gateway'],
    hang: 'hang',
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const answer = answers[JSON.parse(body).query as string]!;
      if (answer === 'hang') return;
      res.writeHead(answer[0], { 'content-type': 'application/json' }).end(answer[1]);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/sql`;
  const post = (query: string) => postSql({ url, query, params: [], timeoutMs: 300 });

  t.same(await post('ok'), { kind: 'ok', rows: [], commitLsn: '0/1000F28' });
  t.same(await post('read'), { kind: 'ok', rows: [['v1']], commitLsn: null });
  t.same(await post('definite'), { kind: 'fail', error: 'HTTP 400 23505: duplicate key', sqlstate: '23505' });
  t.match(await post('unknown'), { kind: 'unknown', sqlstate: '08006' }, 'committed: null');
  t.match(await post('no-field'), { kind: 'unknown', error: 'HTTP 503: Shutting down' }, 'an error without the field');
  t.match(await post('not-json'), { kind: 'unknown', error: 'HTTP 502: Bad Gateway' });
  t.match(await post('hang'), { kind: 'unknown', error: 'no answer within 300 ms' });
  t.match(await postSql({ url: 'http://127.0.0.1:1/v1/sql', query: 'ok', params: [], timeoutMs: 300 }), { kind: 'unknown', error: /request failed: ECONNREFUSED/ });
});
