// A PostgreSQL wire-protocol (v3) server for emulated computes: psql and drivers connect to it,
// and each statement goes, as text, to a per-connection PgSession.

export { PgError, SqlState, toPgError, type PgErrorOptions } from './errors.ts';
export { startPgServer } from './server.ts';
export { TypeOid, type Column, type PgServer, type PgServerOptions, type PgSession, type StatementResult } from './types.ts';
