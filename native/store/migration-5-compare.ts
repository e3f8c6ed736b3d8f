import type { Migration } from './migrations.js';

/**
 * Version 5: comparisons of SAEs of different widths on one hook (feature splitting), and stored evaluations.
 *
 * A comparison run holds 2 or 3 SAEs, narrowest first, and for each consecutive pair (`pair` 0 is
 * saes[0] → saes[1], 1 is saes[1] → saes[2]) one row per feature of the WIDER SAE: its best parent
 * in the narrower one by decoder cosine, and by activation correlation over the run's tokens among
 * its top candidates by cosine. Rows, not one BLOB per pair: the view pages 32,768 of them sorted by
 * either similarity, and groups them by parent, which indexes do in milliseconds.
 *
 * A correlation is NULL where it cannot be computed (a feature that never fired): SQLite would store
 * NaN as NULL anyway, so the writer never hands it NaN. `compare_saes.density` is each SAE's firing
 * density over the run's tokens, [dSae] float32, so the view has densities without an index run.
 *
 * `sae_evals` keeps `loupe eval` reports (JSON as EvalReport) by SAE and content fingerprint. No
 * foreign key to `saes`, as for labels and maps: an SAE removed and added back finds them again.
 * AUTOINCREMENT on `compare_runs`: a run replaced by a recomputation gets a new id, so a view holding
 * the old id gets "not found" rather than rows of another run.
 */
export const compareMigration: Migration = {
  version: 5,
  name: 'SAE comparisons and evaluations',
  sql: `
    CREATE TABLE compare_runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      key TEXT NOT NULL UNIQUE,
      sae_ids_json TEXT NOT NULL,
      params_json TEXT NOT NULL,
      tokens INTEGER NOT NULL CHECK (tokens > 0),
      job_id TEXT,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX compare_runs_by_saes ON compare_runs(sae_ids_json, created_at);

    CREATE TABLE compare_saes (
      run_id INTEGER NOT NULL REFERENCES compare_runs(id) ON DELETE CASCADE,
      position INTEGER NOT NULL CHECK (position BETWEEN 0 AND 2),
      sae_id TEXT NOT NULL,
      d_sae INTEGER NOT NULL CHECK (d_sae > 0),
      density BLOB NOT NULL CHECK (length(density) = 4 * d_sae),
      PRIMARY KEY (run_id, position)
    ) STRICT;

    CREATE TABLE compare_matches (
      run_id INTEGER NOT NULL REFERENCES compare_runs(id) ON DELETE CASCADE,
      pair INTEGER NOT NULL CHECK (pair BETWEEN 0 AND 1),
      feature INTEGER NOT NULL CHECK (feature >= 0),
      density REAL NOT NULL CHECK (density BETWEEN 0 AND 1),
      cos_parent INTEGER NOT NULL CHECK (cos_parent >= 0),
      cos REAL NOT NULL,
      cos_parent_corr REAL,
      corr_parent INTEGER CHECK (corr_parent >= 0),
      corr REAL,
      corr_parent_cos REAL,
      CHECK ((corr_parent IS NULL) = (corr IS NULL) AND (corr IS NULL) = (corr_parent_cos IS NULL)),
      PRIMARY KEY (run_id, pair, feature)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX compare_matches_by_cos_parent ON compare_matches(run_id, pair, cos_parent, cos);
    CREATE INDEX compare_matches_by_corr_parent ON compare_matches(run_id, pair, corr_parent, corr);
    CREATE INDEX compare_matches_by_cos ON compare_matches(run_id, pair, cos);
    CREATE INDEX compare_matches_by_corr ON compare_matches(run_id, pair, corr);

    CREATE TABLE sae_evals (
      id INTEGER PRIMARY KEY,
      sae_id TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      corpus_spec TEXT NOT NULL,
      tokens INTEGER NOT NULL CHECK (tokens > 0),
      context_length INTEGER NOT NULL CHECK (context_length > 0),
      job_id TEXT,
      report_json TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX sae_evals_by_sae ON sae_evals(sae_id, created_at);
  `,
};
