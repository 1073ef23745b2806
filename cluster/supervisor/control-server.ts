// The supervisor's control channel: HTTP on an abstract Unix socket named after the repo dir, so
// there is exactly one supervisor per cluster and nothing to clean up if it dies.

import http from 'node:http';
import { abstractSocketName } from '../util/socket-mutex.ts';
import { asNeonLocalError, errnoCode } from '../util/errors.ts';
import type { FaultRequest, HealRequest } from '../faults/fault-request.ts';
import type { StartRequest, StopRequest } from './protocol.ts';
import type { Supervisor } from './supervisor.ts';
import type { StopMode } from '../process/terminate.ts';

export function controlSocketName(repoRoot: string): string {
  return abstractSocketName('supervisor', repoRoot);
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : {});
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface ControlServerHooks {
  /** Stop everything and exit after the answer is sent. */
  shutdown(mode: StopMode): Promise<unknown>;
}

export async function listenControl(supervisor: Supervisor, hooks: ControlServerHooks): Promise<http.Server | null> {
  const server = http.createServer(async (req, res) => {
    try {
      const route = `${req.method} ${req.url}`;
      if (route === 'GET /v1/status') return sendJson(res, 200, supervisor.status());
      if (route === 'POST /v1/start') {
        const body = (await readJson(req)) as StartRequest;
        // NDJSON: progress events as they happen, then the result (or error) as the last line.
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        const emit = (event: unknown) => res.write(JSON.stringify(event) + '\n');
        try {
          emit({ type: 'result', result: await supervisor.start(body, emit) });
        } catch (err) {
          emit({ type: 'error', error: asNeonLocalError(err).toJSON() });
        }
        return res.end();
      }
      if (route === 'POST /v1/stop') return sendJson(res, 200, await supervisor.stop((await readJson(req)) as StopRequest));
      if (route === 'GET /v1/faults') return sendJson(res, 200, { faults: supervisor.faults.controller.list(), links: supervisor.faults.links.list() });
      if (route === 'POST /v1/faults') return sendJson(res, 200, await supervisor.faults.controller.inject((await readJson(req)) as FaultRequest));
      if (route === 'POST /v1/faults/heal') return sendJson(res, 200, { healed: await supervisor.faults.controller.heal((await readJson(req)) as HealRequest) });
      if (route === 'POST /v1/shutdown') {
        const { mode } = (await readJson(req)) as { mode: StopMode };
        return sendJson(res, 200, await hooks.shutdown(mode ?? 'fast'));
      }
      sendJson(res, 404, { error: { code: 'internal', message: `unknown supervisor route ${route}` } });
    } catch (err) {
      const error = asNeonLocalError(err);
      // Bad requests (unknown names, bad values) are the caller's; the rest is ours.
      const status = ['usage', 'unknown-component', 'not-found', 'not-running', 'conflict'].includes(error.code) ? 400 : 500;
      if (!res.headersSent) sendJson(res, status, { error: error.toJSON() });
      else res.end();
    }
  });
  server.requestTimeout = 0; // a start may take as long as its --start-timeout
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ path: controlSocketName(supervisor.layout.root), exclusive: true }, () => resolve());
    });
  } catch (err) {
    if (errnoCode(err) === 'EADDRINUSE') return null;
    throw err;
  }
  return server;
}
