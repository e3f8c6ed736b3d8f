import BetterSqlite3 from 'better-sqlite3';

export type SqlValue = string | number | bigint | null | Uint8Array;
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

/**
 * The one adapter over better-sqlite3. Statements are prepared once and cached; every multi-row write
 * goes through `transaction`. better-sqlite3 is synchronous: only the engine worker and job workers use it.
 */
export class Database {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();

  constructor(
    readonly path: string,
    /** `wal: false` leaves the journal mode as found until `useWal` (a file not yet known to be ours). */
    options: { readonly?: boolean; wal?: boolean } = {},
  ) {
    this.#db = new BetterSqlite3(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    try {
      this.#db.pragma('busy_timeout = 5000');
      if (!options.readonly && options.wal !== false) this.useWal();
      this.#db.pragma('foreign_keys = ON');
    } catch (error) {
      this.#db.close();
      throw error;
    }
  }

  /** WAL with FULL sync: bundled SQLite defaults WAL to NORMAL, where the last commits can vanish on power loss. */
  useWal(): void {
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
  }

  #statement(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, params: SqlParams = []): { changes: number; lastInsertRowid: number | bigint } {
    return this.#statement(sql).run(params as never);
  }

  get<T>(sql: string, params: SqlParams = []): T | undefined {
    return this.#statement(sql).get(params as never) as T | undefined;
  }

  all<T>(sql: string, params: SqlParams = []): T[] {
    return this.#statement(sql).all(params as never) as T[];
  }

  /** Runs a script of statements (migrations). */
  exec(sql: string): void {
    this.#db.exec(sql);
  }

  pragma<T = unknown>(source: string): T {
    return this.#db.pragma(source, { simple: true }) as T;
  }

  /** Runs `fn` in one transaction (BEGIN IMMEDIATE): all of it commits, or none of it. */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /**
   * Runs `fn` in one deferred (read) transaction, so every query in it sees the same snapshot while
   * an index job commits batches in another connection. `transaction` is BEGIN IMMEDIATE, which takes
   * the write lock and would make a page read wait behind a writer. Inside an enclosing transaction
   * better-sqlite3 uses a savepoint: the enclosing transaction already gives a single snapshot.
   */
  readTransaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).deferred();
  }

  integrityCheck(): string[] {
    return (this.#db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  close(): void {
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
  }
}
