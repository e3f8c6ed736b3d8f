import type { Database } from './database.js';

/**
 * Runs `fn` inside one deferred (read) transaction, so every query in it sees the same snapshot
 * while an index job commits batches in another connection. `Database.transaction` is BEGIN
 * IMMEDIATE, which would take the write lock and make a page read wait behind a writer. Inside an
 * enclosing transaction `fn` just runs: that one already gives a single snapshot.
 */
export function readTransaction<T>(db: Database, fn: () => T): T {
  try {
    db.exec('BEGIN DEFERRED');
  } catch (error) {
    if (/within a transaction/.test((error as Error).message)) return fn();
    throw error;
  }
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
