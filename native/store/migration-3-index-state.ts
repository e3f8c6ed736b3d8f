import type { Migration } from './migrations.js';

/**
 * Version 3: an index run's accumulators that feature pages do not read (sums of squares, pair
 * products, tag counts, frequent-token counters), as named BLOBs written in the same transaction as
 * the batch they include, so a killed run resumes to exactly the result of an uninterrupted one.
 */
export const indexStateMigration: Migration = {
  version: 3,
  name: 'index run accumulators',
  sql: `
    CREATE TABLE index_run_state (
      run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      value BLOB NOT NULL,
      PRIMARY KEY (run_id, name)
    ) STRICT, WITHOUT ROWID;
  `,
};
