// The HTTP shell every emulator uses: a router (find-my-way) plus Neon's conventions — JSON bodies,
// errors as `{"msg": ...}` with the status codes of neon's ApiError, `null` for unit responses,
// 404 `{"msg":"page not found"}` for unknown routes.

import http from 'node:http';
import Router from 'find-my-way';
import { DecodeError, type Decoder } from '../../util/decode.ts';
import { FailpointError } from './failpoints.ts';
import { log } from './logger.ts';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

// The message prefixes are those of neon's ApiError Display (libs/http-utils/src/error.rs).
export const badRequest = (msg: string) => new ApiError(400, msg);
export const notFound = (msg: string) => new ApiError(404, `NotFound: ${msg}`);
export const conflict = (msg: string) => new ApiError(409, `Conflict: ${msg}`);
export const preconditionFailed = (msg: string) => new ApiError(412, `Precondition failed: ${msg}`);
export const unavailable = (msg: string) => new ApiError(503, msg);
export const shuttingDown = () => new ApiError(503, 'Shutting down');

/** A response other than 200-with-JSON. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly contentType = 'application/json',
  ) {}
}

/** A response the handler writes itself (e.g. an NDJSON stream that stays open). */
export class Streamed {
  constructor(readonly start: (res: http.ServerResponse) => void) {}
}

export interface RequestContext {
  params: Record<string, string | undefined>;
  query: URLSearchParams;
  method: string;
  path: string;
  /** Whether the request has a body at all (some routes take an optional one). */
  hasBody: boolean;
  /** The JSON body, with neon's errors for a missing or malformed one. */
  json(): unknown;
  /** The JSON body through a decoder; a bad body is a 400 naming the field. */
  decode<T>(decoder: Decoder<T>): T;
  /** The same with a decoding function that may throw DecodeError. */
  decodeWith<T>(decode: (body: unknown) => T): T;
}

export type Handler = (ctx: RequestContext) => unknown;
/** Runs before every matched route's handler; throwing answers with that error instead. */
export type BeforeHook = (ctx: RequestContext) => unknown;
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class ApiServer {
  private readonly router = Router({ ignoreTrailingSlash: true });
  private readonly server: http.Server;
  private readonly extraHeaders: Record<string, string>;
  private readonly beforeHooks: BeforeHook[] = [];

  constructor(options: { headers?: Record<string, string> } = {}) {
    this.extraHeaders = options.headers ?? {};
    this.server = http.createServer((req, res) => void this.dispatch(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  route(method: Method, path: string, handler: Handler): this {
    // We only use the router to match (find()); our handler travels in the route's store.
    const unused = (() => {}) as unknown as Router.Handler<Router.HTTPVersion.V1>;
    this.router.on(method, path, unused, { handler });
    return this;
  }

  /** Adds a hook run before every handler (e.g. the pageserver's api-500 failpoint). */
  before(hook: BeforeHook): this {
    this.beforeHooks.push(hook);
    return this;
  }

  get(path: string, handler: Handler): this { return this.route('GET', path, handler); }
  post(path: string, handler: Handler): this { return this.route('POST', path, handler); }
  put(path: string, handler: Handler): this { return this.route('PUT', path, handler); }
  delete(path: string, handler: Handler): this { return this.route('DELETE', path, handler); }
  patch(path: string, handler: Handler): this { return this.route('PATCH', path, handler); }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port, backlog: 4096 }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    try {
      const found = this.router.find(method as Method, url.pathname);
      const raw = await readBody(req);
      if (!found) throw new ApiError(404, 'page not found');
      const handler = (found.store as { handler: Handler }).handler;
      const ctx = makeContext(found.params, url, method, raw);
      for (const hook of this.beforeHooks) await hook(ctx);
      const result = await handler(ctx);
      if (result instanceof Streamed) result.start(res);
      else if (result instanceof Reply) this.send(res, result.status, result.body, result.contentType);
      else this.send(res, 200, result === undefined ? null : result);
    } catch (caught) {
      // A failpoint's `return` reached through a handler fails the request, as an injected error.
      const err = caught instanceof FailpointError ? new ApiError(500, caught.message) : caught;
      if (err instanceof ApiError) {
        if (err.status >= 500) log.warn('request failed', { method, path: url.pathname, status: err.status, msg: err.message });
        this.send(res, err.status, { msg: err.message });
      } else {
        log.error('request failed with an internal error', { method, path: url.pathname, error: String((err as Error)?.stack ?? err) });
        this.send(res, 500, { msg: (err as Error)?.message ?? String(err) });
      }
    }
  }

  private send(res: http.ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
    const text = contentType === 'application/json' ? JSON.stringify(body) : String(body ?? '');
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...this.extraHeaders });
    res.end(text);
  }
}

function makeContext(params: Record<string, string | undefined>, url: URL, method: string, raw: string): RequestContext {
  const json = (): unknown => {
    if (raw.length === 0) throw badRequest('missing request body');
    try {
      return JSON.parse(raw);
    } catch (err) {
      throw badRequest(`Failed to parse json request: ${(err as Error).message}`);
    }
  };
  return {
    params,
    query: url.searchParams,
    method,
    path: url.pathname,
    hasBody: raw.length > 0,
    json,
    decodeWith<T>(decode: (body: unknown) => T): T {
      try {
        return decode(json());
      } catch (err) {
        if (err instanceof DecodeError) throw badRequest(`Failed to parse json request: ${err.message}`);
        throw err;
      }
    },
    decode<T>(decoder: Decoder<T>): T {
      return this.decodeWith((body) => decoder(body, []));
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, `request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A numeric path parameter (node ids are u64); malformed → 400 with neon's wording. */
export function parseNodeIdParam(value: string | undefined, name = 'node_id'): number {
  if (value === undefined) throw badRequest(`no ${name} specified in path param`);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw badRequest(`failed to parse ${name}`);
  return Number(value);
}
