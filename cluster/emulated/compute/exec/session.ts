// One client session: runs parsed statements against the engine, with autocommit or an explicit
// transaction (BEGIN ... COMMIT), PostgreSQL's transaction-block rules, and DDL.

import type { Lsn } from '../../../wal/lsn.ts';
import { formatLsn } from '../../../wal/lsn.ts';
import { Catalog, type TableDef } from '../data/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import { PgError, type Column, type PgSession, type StatementResult } from '../pg-wire/index.ts';
import { parseStatement, type CreateTable, type DropTable, type Statement } from '../sql/index.ts';
import { describeSelect, describeValues, select, selectValues } from './reads.ts';
import { checkTransactionSize, mutationBytes } from './record-limit.ts';
import { describeSeries, selectSeries } from './series.ts';
import { ExecState } from './sqlstate.ts';
import { Transaction } from './transaction.ts';
import { insert, remove, update, upsert, type WriteOutcome } from './writes.ts';
import { formatValue, TYPE_OID } from './values.ts';

export interface SessionSettings {
  /** SHOW name → value. */
  get(name: string): string | undefined;
}

export class Session implements PgSession {
  private txn: Transaction | null = null;
  /** Commit LSN of the last write this session committed (the HTTP API reports it). */
  lastCommitLsn: Lsn | null = null;
  /**
   * Whether the current (or last) statement handed a commit record to the walproposer. If it then
   * failed, it may still have committed; if not, it certainly did not (the HTTP API reports which).
   */
  commitHandedOff = false;
  private readonly markHandedOff = () => {
    this.commitHandedOff = true;
  };

  constructor(
    private readonly engine: Engine,
    private readonly settings: SessionSettings,
  ) {}

  transactionStatus(): 'I' | 'T' | 'E' {
    return this.txn ? (this.txn.failed ? 'E' : 'T') : 'I';
  }

  close(): void {
    this.engine.locks.releaseAll(this);
    this.txn = null;
  }

  async describe(sql: string): Promise<Column[] | null> {
    const stmt = parseStatement(sql);
    if (stmt.kind === 'select') {
      await this.engine.whenReady();
      return describeSelect(this.engine.catalog, stmt);
    }
    if (stmt.kind === 'select_values') return describeValues(stmt);
    if (stmt.kind === 'select_series') return describeSeries(stmt);
    if (stmt.kind === 'show') return [{ name: stmt.name, typeOid: 25 }];
    if ((stmt.kind === 'insert' || stmt.kind === 'upsert' || stmt.kind === 'update' || stmt.kind === 'delete') && stmt.returning) {
      await this.engine.whenReady();
      const table = this.engine.catalog.get(stmt.table);
      return stmt.returning.flatMap((item) => (item.kind === 'star' ? table.def.columns.map((c) => ({ name: c.name, typeOid: TYPE_OID[c.type] })) : [{ name: item.name, typeOid: TYPE_OID[table.types[table.column(item.column)]!] }]));
    }
    return null;
  }

  async execute(sql: string, params: (string | null)[]): Promise<StatementResult> {
    this.commitHandedOff = false;
    const stmt = parseStatement(sql);
    if (stmt.kind === 'begin') return this.begin();
    if (stmt.kind === 'commit') return this.commit();
    if (stmt.kind === 'rollback') return this.rollback();
    if (this.txn?.failed) {
      throw new PgError(ExecState.inFailedTransaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    try {
      return await this.run(stmt, params);
    } catch (err) {
      if (this.txn) this.txn.failed = true;
      else this.engine.locks.releaseAll(this);
      throw err;
    }
  }

  private begin(): StatementResult {
    this.txn ??= new Transaction();
    return { command: 'BEGIN' };
  }

  private async commit(): Promise<StatementResult> {
    const txn = this.txn;
    this.txn = null;
    try {
      if (!txn) return { command: 'COMMIT' }; // PostgreSQL warns "there is no transaction in progress"
      if (txn.failed) return { command: 'ROLLBACK' };
      if (!txn.isEmpty) this.lastCommitLsn = await this.engine.commit(txn.mutations(), [...txn.tables], this.markHandedOff);
      return { command: 'COMMIT' };
    } finally {
      this.engine.locks.releaseAll(this);
    }
  }

  private rollback(): StatementResult {
    this.txn = null;
    this.engine.locks.releaseAll(this);
    return { command: 'ROLLBACK' };
  }

  private async run(stmt: Statement, params: (string | null)[]): Promise<StatementResult> {
    const call = (name: string, args: unknown[]) => this.call(name, args);
    switch (stmt.kind) {
      case 'show':
        return this.show(stmt.name);
      case 'set':
      case 'reset':
        return { command: stmt.kind === 'set' ? 'SET' : 'RESET' };
      case 'select_values':
        if (stmt.items.some((i) => i.expr.kind === 'call' && i.expr.name.startsWith('pg_current_wal'))) await this.engine.whenReady();
        return selectValues(stmt, { engine: this.engine, txn: this.txn, params, call });
      case 'select_series':
        if (stmt.items.some((i) => i.expr.kind === 'call' && i.expr.name.startsWith('pg_current_wal'))) await this.engine.whenReady();
        return selectSeries(stmt, { params, call });
      case 'select':
        await this.engine.whenReady();
        return select(this.engine.catalog, stmt, { engine: this.engine, txn: this.txn, params, call });
      case 'create_table':
      case 'drop_table':
        return this.ddl(stmt);
      case 'begin':
      case 'commit':
      case 'rollback':
        throw new Error('transaction control is handled before run()');
      default: {
        await this.engine.whenReady();
        this.requireWritable(stmt.kind.toUpperCase());
        const table = this.engine.catalog.get(stmt.table);
        const ctx = { engine: this.engine, txn: this.txn, lockOwner: this, params };
        const outcome: WriteOutcome =
          stmt.kind === 'insert' ? await insert(table, stmt, ctx)
            : stmt.kind === 'upsert' ? upsert(table, stmt, ctx)
              : stmt.kind === 'update' ? await update(table, stmt, ctx)
                : await remove(table, stmt, ctx);
        await this.write(outcome.writes, table.def.id);
        return { command: outcome.command, ...(outcome.returning ? { columns: outcome.returning.columns, rows: outcome.returning.rows } : {}) };
      }
    }
  }

  /**
   * Autocommit: one record now. In a transaction: buffered until COMMIT. Either way a transaction
   * too large for one WAL record fails here, before the engine sees it.
   */
  private async write(writes: { key: Buffer; value: Buffer | null }[], tableId: number | null): Promise<void> {
    if (this.txn) {
      for (const w of writes) this.txn.write(w.key, w.value, tableId);
      checkTransactionSize(this.txn.bytes);
      return;
    }
    try {
      checkTransactionSize(writes.reduce((sum, w) => sum + mutationBytes(w), 0));
      if (writes.length) this.lastCommitLsn = await this.engine.commit(writes, tableId === null ? [] : [tableId], this.markHandedOff);
    } finally {
      this.engine.locks.releaseAll(this);
    }
  }

  /** As PostgreSQL on a standby: a write is refused before anything is read or checked. */
  private requireWritable(command: string): void {
    if (!this.engine.isPrimary) throw new PgError(ExecState.readOnlyTransaction, `cannot execute ${command} in a read-only transaction`, { hint: 'this is a static (read-only) endpoint; write through the branch’s primary endpoint' });
  }

  private async ddl(stmt: CreateTable | DropTable): Promise<StatementResult> {
    if (this.txn) throw new PgError(ExecState.featureNotSupported, `${stmt.kind === 'create_table' ? 'CREATE' : 'DROP'} TABLE inside a transaction block is not supported by neon-local's compute`);
    await this.engine.whenReady();
    this.requireWritable(stmt.kind === 'create_table' ? 'CREATE TABLE' : 'DROP TABLE');
    const catalog = this.engine.catalog;
    const existing = catalog.find(stmt.table);
    if (stmt.kind === 'drop_table') {
      if (!existing) {
        if (stmt.ifExists) return { command: 'DROP TABLE' };
        catalog.get(stmt.table); // throws "relation does not exist"
      }
      await this.write([{ key: Catalog.catalogKey(stmt.table), value: null }], null);
      catalog.remove(stmt.table);
      return { command: 'DROP TABLE' };
    }
    if (existing) {
      if (stmt.ifNotExists) return { command: 'CREATE TABLE' };
      throw new PgError(ExecState.duplicateTable, `relation "${stmt.table}" already exists`);
    }
    const def: TableDef = { name: stmt.table, id: catalog.nextTableId, columns: stmt.columns, primaryKey: stmt.primaryKey };
    await this.write([
      { key: Catalog.catalogKey(def.name), value: Catalog.encodeDef(def) },
      { key: Catalog.NEXT_TABLE_ID_KEY, value: Catalog.nextTableIdValue(def.id + 1) },
    ], null);
    catalog.add(def);
    catalog.nextTableId = Math.max(catalog.nextTableId, def.id + 1);
    return { command: 'CREATE TABLE' };
  }

  private show(name: string): StatementResult {
    const value = this.settings.get(name);
    if (value === undefined) throw new PgError(ExecState.undefinedObject, `unrecognized configuration parameter "${name}"`);
    return { command: 'SHOW', columns: [{ name, typeOid: 25 }], rows: [[value]] };
  }

  private call(name: string, args: unknown[]): string | bigint | null {
    switch (name) {
      case 'pg_current_wal_insert_lsn':
        return formatLsn(this.engine.insertLsn());
      case 'pg_current_wal_flush_lsn':
      case 'pg_current_wal_lsn':
        return formatLsn(this.engine.flushLsn());
      case 'version':
        return this.settings.get('server_version_full') ?? 'PostgreSQL (neon-local emulated compute)';
      case 'now':
        return new Date().toISOString().replace('T', ' ').replace('Z', '+00');
      case 'current_setting': {
        const setting = this.settings.get(String(formatValue(args[0] as never) ?? ''));
        if (setting === undefined) throw new PgError(ExecState.undefinedObject, `unrecognized configuration parameter "${String(args[0])}"`);
        return setting;
      }
      default:
        throw new PgError(ExecState.featureNotSupported, `function ${name}() is not supported`);
    }
  }
}
