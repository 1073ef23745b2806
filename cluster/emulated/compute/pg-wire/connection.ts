// One client connection: startup, then the simple and extended query protocols. Messages are
// handled strictly one after another (so a session never runs two statements at once); replies
// are buffered and written when no more input is waiting, or at Sync/Flush.

import type net from 'node:net';
import * as msg from './backend-messages.ts';
import { PgError, protocolViolation, SqlState, toPgError } from './errors.ts';
import { ExtendedQuery } from './extended.ts';
import { CANCEL_REQUEST_CODE, GSSENC_REQUEST_CODE, MessageFramer, PROTOCOL_3, SSL_REQUEST_CODE, type FramedMessage } from './framing.ts';
import { decodeQuery, decodeStartupParameters } from './frontend-messages.ts';
import type { PgServerOptions, PgSession } from './types.ts';

/** Stop reading from a client that pipelines faster than we execute; resume when caught up. */
const PAUSE_AT_QUEUED = 1024;
const RESUME_AT_QUEUED = 64;
/** How long a client gets to close its end after our FATAL before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

type ConnectionOptions = Pick<PgServerOptions, 'serverVersion' | 'createSession' | 'splitStatements'> & { processId: number };

export class PgConnection {
  private readonly framer = new MessageFramer();
  private readonly inbox: FramedMessage[] = [];
  private outbox: Buffer[] = [];
  private session: PgSession | null = null;
  private extended: ExtendedQuery | null = null;
  private processing = false;
  private ended = false;
  private sessionClosed = false;
  /** After an error in extended mode, everything up to the next Sync is discarded. */
  private skipUntilSync = false;

  /** Settles when the socket has closed. */
  readonly closed: Promise<void>;

  constructor(
    private readonly socket: net.Socket,
    private readonly options: ConnectionOptions,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => {}); // 'close' follows
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        this.inbox.length = 0;
        if (!this.processing) this.closeSession();
        resolve();
      });
    });
  }

  /** Server shutdown: tell the client why, then hang up. */
  terminate(): void {
    this.fail(new PgError(SqlState.adminShutdown, 'terminating connection due to administrator command', { severity: 'FATAL' }));
  }

  private receive(chunk: Buffer): void {
    if (this.ended) return;
    this.framer.push(chunk);
    try {
      for (let message = this.framer.next(); message; message = this.framer.next()) this.inbox.push(message);
    } catch (err) {
      // Framing errors leave the stream unreadable; queued messages are dropped with it.
      this.inbox.length = 0;
      this.fail(toPgError(err));
      return;
    }
    if (this.inbox.length >= PAUSE_AT_QUEUED) this.socket.pause();
    if (!this.processing) void this.process();
  }

  private async process(): Promise<void> {
    this.processing = true;
    try {
      while (!this.ended && this.inbox.length > 0) {
        const message = this.inbox.shift()!;
        if (this.socket.isPaused() && this.inbox.length <= RESUME_AT_QUEUED) this.socket.resume();
        await this.handle(message);
        if (this.inbox.length === 0) await this.flush();
      }
    } catch (err) {
      this.fail(toPgError(err));
    } finally {
      this.processing = false;
      if (this.ended) this.closeSession();
    }
  }

  private async handle(message: FramedMessage): Promise<void> {
    if (message.phase === 'startup') return this.startup(message.code, message.body);
    const { session, extended } = this;
    if (!session || !extended) throw protocolViolation('expected a startup message');
    const { type, body } = message;
    if (this.skipUntilSync && type !== 'S' && type !== 'X') return;
    switch (type) {
      case 'Q':
        return this.simpleQuery(session, decodeQuery(body));
      case 'P':
        return this.extendedStep(() => extended.parse(body));
      case 'B':
        return this.extendedStep(() => extended.bind(body));
      case 'D':
        return this.extendedStep(() => extended.describe(body));
      case 'E':
        return this.extendedStep(() => extended.execute(body));
      case 'C':
        return this.extendedStep(() => extended.close(body));
      case 'H':
        return this.flush();
      case 'S':
        this.skipUntilSync = false;
        if (session.transactionStatus() === 'I') extended.closePortals();
        return this.readyForQuery(session);
      case 'X':
        this.ended = true;
        this.socket.end();
        return;
      case 'F':
        this.send(msg.errorResponse(new PgError(SqlState.featureNotSupported, 'the function call protocol is not supported')));
        return this.readyForQuery(session);
      case 'd':
      case 'c':
      case 'f':
        return; // COPY messages outside COPY are ignored, as in PostgreSQL
      default:
        throw protocolViolation(`invalid frontend message type ${type.charCodeAt(0)}`);
    }
  }

  private async startup(code: number, body: Buffer): Promise<void> {
    if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
      this.send(Buffer.from('N')); // no encryption; the client continues in plain text
      return;
    }
    if (code === CANCEL_REQUEST_CODE) {
      this.ended = true;
      this.socket.destroy();
      return;
    }
    const major = code >> 16;
    const minor = code & 0xffff;
    if (major !== PROTOCOL_3) throw protocolViolation(`unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`);
    const params = decodeStartupParameters(body);
    // Protocol extensions ("_pq_.*") and minor versions above 3.0 are declined, as PostgreSQL does.
    const extensions = Object.keys(params).filter((name) => name.startsWith('_pq_.'));
    if (minor > 0 || extensions.length > 0) this.send(msg.negotiateProtocolVersion(0, extensions));
    for (const name of extensions) delete params[name];
    if (!params['user']) {
      const message = 'no PostgreSQL user name specified in startup packet';
      throw new PgError(SqlState.invalidAuthorizationSpecification, message, { severity: 'FATAL' });
    }
    let session: PgSession;
    try {
      session = await this.options.createSession(params);
    } catch (err) {
      const error = toPgError(err);
      throw new PgError(error.sqlstate, error.message, { ...error.options, severity: 'FATAL' });
    }
    this.session = session;
    if (this.ended) return; // the client left while the session was being created
    this.extended = new ExtendedQuery({ session, send: (m) => this.send(m), splitStatements: this.options.splitStatements });
    this.send(msg.authenticationOk());
    const status: [string, string][] = [
      ['server_version', this.options.serverVersion],
      ['server_encoding', 'UTF8'],
      ['client_encoding', 'UTF8'],
      ['DateStyle', 'ISO, MDY'],
      ['integer_datetimes', 'on'],
      ['standard_conforming_strings', 'on'],
      ['TimeZone', 'UTC'],
      ['IntervalStyle', 'postgres'],
      ['is_superuser', 'on'],
      ['session_authorization', params['user']],
      ['application_name', params['application_name'] ?? ''],
    ];
    for (const [name, value] of status) this.send(msg.parameterStatus(name, value));
    this.send(msg.backendKeyData(this.options.processId, (Math.random() * 0x7fffffff) | 0));
    await this.readyForQuery(session);
  }

  /** Each statement in turn; the first error ends the query string. */
  private async simpleQuery(session: PgSession, sql: string): Promise<void> {
    try {
      const statements = this.options.splitStatements(sql);
      if (statements.length === 0) this.send(msg.emptyQueryResponse());
      for (const statement of statements) {
        const result = await session.execute(statement, []);
        if (result.columns) {
          this.send(msg.rowDescription(result.columns));
          for (const row of result.rows ?? []) this.send(msg.dataRow(row));
        }
        this.send(msg.commandComplete(result.command));
      }
    } catch (err) {
      this.reportError(err);
    }
    await this.readyForQuery(session);
  }

  private async extendedStep(step: () => void | Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.reportError(err);
      this.skipUntilSync = true;
    }
  }

  /** An ErrorResponse for an ERROR; a FATAL one ends the connection (rethrown to process()). */
  private reportError(err: unknown): void {
    const error = toPgError(err);
    if (error.severity === 'FATAL') throw error;
    this.send(msg.errorResponse(error));
  }

  private readyForQuery(session: PgSession): Promise<void> {
    this.send(msg.readyForQuery(session.transactionStatus()));
    return this.flush();
  }

  private send(message: Buffer): void {
    this.outbox.push(message);
  }

  /** Writes buffered replies; waits while the socket's buffer is full (a slow reader). */
  private async flush(): Promise<void> {
    if (this.outbox.length === 0) return;
    const data = Buffer.concat(this.outbox);
    this.outbox = [];
    if (this.ended || this.socket.write(data)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  /** Sends a FATAL error (with any replies before it) and closes the connection. */
  private fail(error: PgError): void {
    if (this.ended) return;
    this.ended = true;
    this.outbox.push(msg.errorResponse(error, 'FATAL'));
    this.socket.end(Buffer.concat(this.outbox));
    this.outbox = [];
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private closeSession(): void {
    if (this.sessionClosed || !this.session) return;
    this.sessionClosed = true;
    this.session.close();
  }
}
