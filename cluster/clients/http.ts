// A small JSON-over-HTTP client on node:http, shared by the typed component clients, readiness
// probes and the supervisor's control channel (which is a Unix socket, hence socketPath).

import http from 'node:http';
import { routeUrl } from '../net/address-map.ts';
import { NeonLocalError } from '../util/errors.ts';

const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });

export interface HttpResponse {
  status: number;
  body: string;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  timeoutMs?: number;
  socketPath?: string;
  signal?: AbortSignal;
  /** Called for each line of the body as it arrives (NDJSON streams). */
  onLine?: (line: string) => void;
}

export function httpRequest(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      options.socketPath ? url : routeUrl(url),
      {
        method: options.method ?? 'GET',
        agent: options.socketPath ? undefined : keepAliveAgent,
        ...(options.socketPath ? { socketPath: options.socketPath } : {}),
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res) => {
        let body = '';
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (!options.onLine) return;
          pending += chunk;
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            options.onLine(pending.slice(0, nl));
            pending = pending.slice(nl + 1);
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    if (options.timeoutMs !== undefined) {
      req.setTimeout(options.timeoutMs, () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    }
    req.on('error', reject);
    req.end(payload);
  });
}

/** An HTTP error answer from a component, with Neon's `{"msg": ...}` text when there is one. */
export class ComponentHttpError extends NeonLocalError {
  constructor(
    component: string,
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super('http', `${component}: ${method} ${path} answered ${status}: ${errorText(body)}`, {
      component,
      details: { status, body: parseJsonOr(body) },
    });
  }
}

function parseJsonOr(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function errorText(body: string): string {
  const parsed = parseJsonOr(body);
  if (parsed && typeof parsed === 'object' && 'msg' in parsed) return String((parsed as { msg: unknown }).msg);
  return body.length > 200 ? body.slice(0, 200) + '...' : body || '(empty body)';
}

/** A typed client base: JSON in, JSON out, errors as ComponentHttpError. */
export class JsonClient {
  constructor(
    readonly baseUrl: string,
    readonly component: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.requestWithStatus<T>(method, path, body)).body;
  }

  /** The same, keeping the status, for routes whose 2xx codes differ in meaning (200 done, 202 running). */
  async requestWithStatus<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    let res: HttpResponse;
    try {
      res = await httpRequest(this.baseUrl + path, { method, body, timeoutMs: this.timeoutMs });
    } catch (err) {
      throw new NeonLocalError('http', `${this.component}: ${method} ${path} failed: ${(err as Error).message}`, {
        component: this.component,
        cause: err,
        hint: 'is the component running? see `neon-local status`',
      });
    }
    if (res.status < 200 || res.status > 299) throw new ComponentHttpError(this.component, method, path, res.status, res.body);
    return { status: res.status, body: (res.body === '' ? null : JSON.parse(res.body)) as T };
  }

  get<T>(path: string): Promise<T> { return this.request<T>('GET', path); }
  post<T>(path: string, body?: unknown): Promise<T> { return this.request<T>('POST', path, body); }
  put<T>(path: string, body?: unknown): Promise<T> { return this.request<T>('PUT', path, body); }
  delete<T>(path: string): Promise<T> { return this.request<T>('DELETE', path); }
  patch<T>(path: string, body?: unknown): Promise<T> { return this.request<T>('PATCH', path, body); }
}
