// Tests that look inside a workspace with SQL (row dumps, counts, integrity checks) open their own
// connection to its loupe.db: Workspace keeps its connection private (issue 15), and no test-only
// member is added to the shipped class for this.
import { Database } from '../../native/store/database.js';
import type { Workspace } from '../../native/store/workspace.js';

/** Runs `fn` with a second connection to the workspace's database, closed afterwards. */
export function withDatabase<T>(ws: Workspace, fn: (db: Database) => T): T {
  const db = new Database(ws.databasePath);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/**
 * FTS5's own check that the search index matches feature_docs: throws SQLITE_CORRUPT_VTAB if not.
 * `rank = 1` also compares the index with its external content table, row by row.
 */
export function checkSearchIndex(db: Database): void {
  db.run(`INSERT INTO feature_search (feature_search, rank) VALUES ('integrity-check', 1)`);
}
