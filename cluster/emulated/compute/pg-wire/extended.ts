// The extended-query protocol: prepared statements (Parse), portals (Bind), Describe, Execute and
// Close. Parameters travel as text; the SQL goes to the session as written, with its $n.
//
// A portal runs its statement at most once, at the first Describe or Execute: Describe('P') must
// report the row shape, and running the statement there (keeping the result for Execute) gives
// exactly the columns Execute will return. Execute then streams the kept rows, honouring a row
// limit with PortalSuspended.

import * as msg from './backend-messages.ts';
import { PgError, SqlState } from './errors.ts';
import { decodeBind, decodeExecute, decodeParse, decodeTarget } from './frontend-messages.ts';
import { highestParameter } from './params.ts';
import { TypeOid, type PgSession, type StatementResult } from './types.ts';

interface PreparedStatement {
  /** '' for an empty query string, which executes to EmptyQueryResponse. */
  sql: string;
  paramTypeOids: number[];
}

interface Portal {
  statement: PreparedStatement;
  params: (string | null)[];
  result: StatementResult | null;
  /** Rows already sent by earlier, row-limited Executes. */
  rowsSent: number;
  limited: boolean;
}

export interface ExtendedContext {
  session: PgSession;
  send(message: Buffer): void;
  splitStatements(sql: string): string[];
}

const quoteName = (kind: string, name: string) => (name === '' ? `unnamed ${kind}` : `${kind} "${name}"`);

export class ExtendedQuery {
  private readonly statements = new Map<string, PreparedStatement>();
  private readonly portals = new Map<string, Portal>();

  constructor(private readonly ctx: ExtendedContext) {}

  parse(body: Buffer): void {
    const { statement: name, sql, paramTypes } = decodeParse(body);
    if (name !== '' && this.statements.has(name)) {
      throw new PgError(SqlState.duplicatePreparedStatement, `prepared statement "${name}" already exists`);
    }
    const statements = this.ctx.splitStatements(sql);
    if (statements.length > 1) throw new PgError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
    const text = statements[0] ?? '';
    const count = Math.max(paramTypes.length, highestParameter(text));
    // Unspecified (0) parameter types are inferred by PostgreSQL; every value here is text.
    const paramTypeOids = Array.from({ length: count }, (_, i) => paramTypes[i] || TypeOid.text);
    this.statements.set(name, { sql: text, paramTypeOids });
    this.ctx.send(msg.parseComplete());
  }

  bind(body: Buffer): void {
    const bind = decodeBind(body);
    const statement = this.statement(bind.statement);
    if (bind.portal !== '' && this.portals.has(bind.portal)) {
      throw new PgError(SqlState.duplicateCursor, `portal "${bind.portal}" already exists`);
    }
    const { paramFormats, params, resultFormats } = bind;
    if (paramFormats.length > 1 && paramFormats.length !== params.length) {
      const message = `bind message has ${paramFormats.length} parameter formats but ${params.length} parameters`;
      throw new PgError(SqlState.protocolViolation, message);
    }
    const binary = (formats: number[]) => formats.some((format) => format !== 0);
    if (binary(paramFormats)) throw new PgError(SqlState.featureNotSupported, 'binary parameters are not supported');
    if (binary(resultFormats)) throw new PgError(SqlState.featureNotSupported, 'binary result format is not supported');
    const expected = statement.paramTypeOids.length;
    if (params.length !== expected) {
      const name = quoteName('prepared statement', bind.statement);
      throw new PgError(SqlState.protocolViolation, `bind message supplies ${params.length} parameters, but ${name} requires ${expected}`);
    }
    this.portals.set(bind.portal, {
      statement,
      params: params.map((value) => (value === null ? null : value.toString('utf8'))),
      result: null,
      rowsSent: 0,
      limited: false,
    });
    this.ctx.send(msg.bindComplete());
  }

  async describe(body: Buffer): Promise<void> {
    const { target, name } = decodeTarget(body, 'Describe');
    if (target === 'S') {
      const statement = this.statement(name);
      const columns = statement.sql === '' ? null : await this.ctx.session.describe(statement.sql);
      this.ctx.send(msg.parameterDescription(statement.paramTypeOids));
      this.ctx.send(columns ? msg.rowDescription(columns) : msg.noData());
      return;
    }
    const portal = this.portal(name);
    const columns = portal.statement.sql === '' ? undefined : (await this.run(portal)).columns;
    this.ctx.send(columns ? msg.rowDescription(columns) : msg.noData());
  }

  async execute(body: Buffer): Promise<void> {
    const { portal: name, maxRows } = decodeExecute(body);
    const portal = this.portal(name);
    if (portal.statement.sql === '') {
      this.ctx.send(msg.emptyQueryResponse());
      return;
    }
    const result = await this.run(portal);
    if (!result.columns) {
      this.ctx.send(msg.commandComplete(result.command));
      return;
    }
    const rows = result.rows ?? [];
    const end = maxRows > 0 ? Math.min(rows.length, portal.rowsSent + maxRows) : rows.length;
    for (let i = portal.rowsSent; i < end; i++) this.ctx.send(msg.dataRow(rows[i]!));
    const sentNow = end - portal.rowsSent;
    portal.rowsSent = end;
    portal.limited ||= maxRows > 0;
    if (end < rows.length) {
      this.ctx.send(msg.portalSuspended());
      return;
    }
    // As in PostgreSQL, a portal fetched in parts reports the rows of the last fetch.
    const tag = portal.limited && /^SELECT \d+$/.test(result.command) ? `SELECT ${sentNow}` : result.command;
    this.ctx.send(msg.commandComplete(tag));
  }

  close(body: Buffer): void {
    const { target, name } = decodeTarget(body, 'Close');
    // Closing something that does not exist is not an error.
    if (target === 'S') this.statements.delete(name);
    else this.portals.delete(name);
    this.ctx.send(msg.closeComplete());
  }

  /** Portals end with their transaction; called at Sync when no transaction block is open. */
  closePortals(): void {
    this.portals.clear();
  }

  private async run(portal: Portal): Promise<StatementResult> {
    portal.result ??= await this.ctx.session.execute(portal.statement.sql, portal.params);
    return portal.result;
  }

  private statement(name: string): PreparedStatement {
    const statement = this.statements.get(name);
    if (!statement) throw new PgError(SqlState.invalidSqlStatementName, `${quoteName('prepared statement', name)} does not exist`);
    return statement;
  }

  private portal(name: string): Portal {
    const portal = this.portals.get(name);
    if (!portal) throw new PgError(SqlState.invalidCursorName, `${quoteName('portal', name)} does not exist`);
    return portal;
  }
}
