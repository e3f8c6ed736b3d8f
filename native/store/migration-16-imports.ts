import type { Migration } from './migrations.js';

/**
 * Version 16: index runs imported from exported dashboards (issue 16: SAEDashboard / Neuronpedia
 * exports, delphi latent caches) rather than computed by Loupe's indexer.
 *
 * `index_runs.source_json`: NULL for a run Loupe computed; for an import, the ImportSource
 * (import-source.ts): the layout, the path read, and which statistics the export does not carry.
 * Those are stored as 0 in `feature_stats` (its columns are NOT NULL) and the page shows them absent:
 * a reader must go through import-source.ts, never trust those zeros.
 *
 * `feature_linear_hist`: a histogram as an export gives it (SAEDashboard's activation histogram has
 * linear bins, which the log-spaced `feature_stats` histogram cannot hold without rebinning):
 * [nBins + 1] float32 edges and [nBins] float32 counts (the export rounds them).
 */
export const importsMigration: Migration = {
  version: 16,
  name: 'imported dashboards: run source, linear histograms',
  sql: `
    ALTER TABLE index_runs ADD COLUMN source_json TEXT;
    CREATE TABLE feature_linear_hist (
      run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      edges BLOB NOT NULL CHECK (length(edges) % 4 = 0),
      counts BLOB NOT NULL CHECK (length(counts) + 4 = length(edges)),
      PRIMARY KEY (run_id, feature)
    ) STRICT, WITHOUT ROWID;
  `,
};
