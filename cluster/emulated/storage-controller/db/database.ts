// The storage controller's database: the same SQL runs on embedded PGlite (default) or on a real
// PostgreSQL given by --database-url. Callers see only this interface.

export type Row = Record<string, unknown>;

export interface Queryable {
  /** One statement, with $1.. parameters. */
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Database extends Queryable {
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs `body` in one transaction; a throw rolls it back. */
  transaction<T>(body: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** For logs and status: "embedded PGlite at <dir>" or the URL without password. */
  readonly description: string;
}

export async function openDatabase(options: { url: string } | { embeddedDir: string }): Promise<Database> {
  if ('url' in options) {
    const { openPostgres } = await import('./postgres.ts');
    return openPostgres(options.url);
  }
  const { openPglite } = await import('./pglite.ts');
  return openPglite(options.embeddedDir);
}
