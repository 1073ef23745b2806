// The contract between the wire-protocol server and whoever executes SQL: the server speaks
// PostgreSQL's protocol v3 and hands each statement, as text, to a per-connection PgSession.

/** Type OIDs from PostgreSQL's pg_type catalog, for the types the emulated compute returns. */
export const TypeOid = {
  bool: 16,
  name: 19,
  int8: 20,
  int4: 23,
  text: 25,
  float8: 701,
  pg_lsn: 3220,
} as const;

/** A result column: its name and type OID (values always travel in text format). */
export interface Column {
  name: string;
  typeOid: number;
}

export interface StatementResult {
  /** The CommandComplete tag, e.g. "INSERT 0 3", "SELECT 2", "CREATE TABLE", "BEGIN", "SHOW". */
  command: string;
  /** Present when the statement returns rows, even zero rows. */
  columns?: Column[];
  /** Text-format values, one array per row, in `columns` order; null is SQL NULL. */
  rows?: (string | null)[][];
}

/** One client connection's SQL state. The server never calls `execute`/`describe` concurrently. */
export interface PgSession {
  /** Runs ONE statement; `params` are the text values of $1, $2, ... (null = NULL). */
  execute(sql: string, params: (string | null)[]): Promise<StatementResult>;
  /** The row shape of a statement without running it (null: it returns no rows). May throw PgError. */
  describe(sql: string): Promise<Column[] | null>;
  /** For ReadyForQuery: 'I' idle, 'T' in a transaction block, 'E' in a failed transaction block. */
  transactionStatus(): 'I' | 'T' | 'E';
  /** The connection ended; called once, after any statement still running has finished. */
  close(): void;
}

export interface PgServerOptions {
  host: string;
  /** 0 lets the OS choose; read the chosen one from `PgServer.port`. */
  port: number;
  /** Reported as ParameterStatus server_version, e.g. "17.0 (neon-local emulated compute)". */
  serverVersion: string;
  /** Startup parameters: user, database, options, application_name, ... Throw PgError to refuse. */
  createSession(startup: Record<string, string>): PgSession | Promise<PgSession>;
  /** Splits a simple-protocol query string into statements (';'-separated, empty ones dropped). */
  splitStatements(sql: string): string[];
}

export interface PgServer {
  readonly port: number;
  /** Stops listening and ends every connection (each client gets FATAL 57P01 first). */
  close(): Promise<void>;
  connectionCount(): number;
}
