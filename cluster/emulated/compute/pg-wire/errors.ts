// Errors as PostgreSQL reports them: a SQLSTATE plus message, detail, hint and severity, which the
// server turns into an ErrorResponse. Anything else thrown by a session becomes XX000.

export interface PgErrorOptions {
  detail?: string;
  hint?: string;
  severity?: 'ERROR' | 'FATAL';
  /** 1-based character offset of the error in the statement text; psql draws a caret under it. */
  position?: number;
}

export class PgError extends Error {
  constructor(
    readonly sqlstate: string,
    message: string,
    readonly options?: PgErrorOptions,
  ) {
    super(message);
    this.name = 'PgError';
  }

  get severity(): 'ERROR' | 'FATAL' {
    return this.options?.severity ?? 'ERROR';
  }
}

/** SQLSTATEs the server itself raises (the executor has its own). */
export const SqlState = {
  protocolViolation: '08P01',
  featureNotSupported: '0A000',
  syntaxError: '42601',
  duplicatePreparedStatement: '42P05',
  duplicateCursor: '42P03',
  invalidSqlStatementName: '26000',
  invalidCursorName: '34000',
  invalidAuthorizationSpecification: '28000',
  adminShutdown: '57P01',
  internalError: 'XX000',
} as const;

export function toPgError(err: unknown): PgError {
  if (err instanceof PgError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PgError(SqlState.internalError, message || 'internal error');
}

export const protocolViolation = (message: string) =>
  new PgError(SqlState.protocolViolation, message, { severity: 'FATAL' });
