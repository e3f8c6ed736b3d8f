import type { Migration } from './migrations.js';

/**
 * Version 8: exact token counts. Index runs now count every firing per (feature, token), so a
 * feature's "fires most on" list is exact; `feature_frequent_coverage` says, per feature, how many
 * firings went uncounted (only when the count table reached its memory cap) and the exact count of
 * the best token left off the list, which together bound every unlisted token. A run without these
 * rows predates exact counting (its lists are Misra–Gries approximations).
 *
 * Search now matches tokens in `feature_logits` directly (weighted by each token's share of the
 * feature's firings), so the copy of the top tokens in `feature_docs.tokens` is emptied and the
 * rows that held nothing else are dropped (the FTS triggers remove them from the index too). The
 * token index now also holds each row's kind and value, so a token search reads no table rows.
 */
export const tokenCoverageMigration: Migration = {
  version: 8,
  name: 'exact token counts: per-feature coverage of the frequent-token list',
  sql: `
    CREATE TABLE feature_frequent_coverage (
      run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      uncounted INTEGER NOT NULL CHECK (uncounted >= 0),
      next_count INTEGER NOT NULL CHECK (next_count >= 0),
      PRIMARY KEY (run_id, feature)
    ) STRICT, WITHOUT ROWID;
    DROP INDEX feature_logits_by_token;
    CREATE INDEX feature_logits_by_token ON feature_logits(run_id, token_key, kind, value);
    UPDATE feature_docs SET tokens = '' WHERE tokens <> '';
    DELETE FROM feature_docs WHERE label = '' AND notes = '' AND tags = '';
  `,
};
