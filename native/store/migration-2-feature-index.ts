import type { Migration } from './migrations.js';

/**
 * Version 2: the feature index (what an index run computes) and labels (what people write).
 *
 * The two halves never share a table. Index data hangs off `index_runs` and goes with its run
 * (ON DELETE CASCADE); re-indexing an SAE writes a new run and drops the old one when the new one is
 * done. Labels, notes and tags are keyed by (sae_id, feature) only, with no foreign key to `saes`
 * on purpose: removing an SAE from a workspace and adding it back must not lose a single label.
 *
 * BLOBs are little-endian (see blob-codec.ts and acts-codec.ts). WITHOUT ROWID keeps each
 * feature's rows of a table together on disk, so a feature page reads a few pages per table.
 */
export const featureIndexMigration: Migration = {
  version: 2,
  name: 'feature index, labels, full-text search',
  sql: `
    CREATE TABLE index_runs (
      id INTEGER PRIMARY KEY,
      sae_id TEXT NOT NULL REFERENCES saes(id) ON DELETE CASCADE,
      model_id TEXT REFERENCES models(id) ON DELETE SET NULL,
      job_id TEXT REFERENCES jobs(id) ON DELETE SET NULL,
      corpus_spec TEXT NOT NULL,
      context_length INTEGER NOT NULL CHECK (context_length BETWEEN 1 AND 65535),
      tokens_target INTEGER NOT NULL CHECK (tokens_target > 0),
      tokens_done INTEGER NOT NULL DEFAULT 0 CHECK (tokens_done >= 0),
      windows_done INTEGER NOT NULL DEFAULT 0 CHECK (windows_done >= 0),
      batches_done INTEGER NOT NULL DEFAULT 0 CHECK (batches_done >= 0),
      state TEXT NOT NULL CHECK (state IN ('running','done','failed','cancelled')),
      params_json TEXT NOT NULL,
      message TEXT NOT NULL DEFAULT '',
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      finished_at TEXT
    ) STRICT;
    CREATE INDEX index_runs_by_sae ON index_runs(sae_id, created_at);

    CREATE TABLE windows (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
      window_index INTEGER NOT NULL CHECK (window_index >= 0),
      doc_id TEXT NOT NULL,
      text TEXT NOT NULL,
      ids BLOB NOT NULL CHECK (length(ids) > 0 AND length(ids) % 4 = 0),
      offsets BLOB NOT NULL CHECK (length(offsets) = 2 * length(ids)),
      UNIQUE (run_id, window_index)
    ) STRICT;

    CREATE TABLE feature_stats (
      run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      tokens_seen INTEGER NOT NULL CHECK (tokens_seen >= 0),
      fires INTEGER NOT NULL CHECK (fires BETWEEN 0 AND tokens_seen),
      density REAL NOT NULL CHECK (density BETWEEN 0 AND 1),
      mean_act REAL NOT NULL,
      max_act REAL NOT NULL,
      hist_log10_min REAL NOT NULL,
      hist_log10_max REAL NOT NULL CHECK (hist_log10_max >= hist_log10_min),
      hist_counts BLOB NOT NULL CHECK (length(hist_counts) % 4 = 0),
      band_edges BLOB NOT NULL CHECK (length(band_edges) % 4 = 0),
      PRIMARY KEY (run_id, feature)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX feature_stats_by_density ON feature_stats(run_id, density);
    CREATE INDEX feature_stats_by_max ON feature_stats(run_id, max_act);
    CREATE INDEX feature_stats_by_mean ON feature_stats(run_id, mean_act);

    CREATE TABLE feature_examples (
      run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      kind TEXT NOT NULL CHECK (kind IN ('top','quantile')),
      band INTEGER NOT NULL CHECK (band >= 0),
      rank INTEGER NOT NULL CHECK (rank >= 0),
      window_index INTEGER NOT NULL,
      max_act REAL NOT NULL,
      max_pos INTEGER NOT NULL CHECK (max_pos >= 0),
      acts BLOB NOT NULL,
      PRIMARY KEY (run_id, feature, kind, band, rank),
      FOREIGN KEY (run_id, window_index) REFERENCES windows(run_id, window_index) ON DELETE CASCADE
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX feature_examples_by_window ON feature_examples(run_id, window_index);

    CREATE TABLE feature_logits (
      run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      kind TEXT NOT NULL CHECK (kind IN ('boosted','suppressed','frequent')),
      rank INTEGER NOT NULL CHECK (rank >= 0),
      token_id INTEGER NOT NULL CHECK (token_id >= 0),
      token TEXT NOT NULL,
      token_key TEXT NOT NULL,
      value REAL NOT NULL,
      PRIMARY KEY (run_id, feature, kind, rank)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX feature_logits_by_token ON feature_logits(run_id, token_key);

    CREATE TABLE feature_neighbours (
      run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      other_sae_id TEXT NOT NULL,
      rank INTEGER NOT NULL CHECK (rank >= 0),
      other_feature INTEGER NOT NULL CHECK (other_feature >= 0),
      cosine REAL NOT NULL,
      correlation REAL,
      PRIMARY KEY (run_id, feature, other_sae_id, rank)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE feature_candidates (
      run_id INTEGER NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      rank INTEGER NOT NULL CHECK (rank >= 0),
      tag TEXT NOT NULL,
      precision REAL NOT NULL CHECK (precision BETWEEN 0 AND 1),
      recall REAL NOT NULL CHECK (recall BETWEEN 0 AND 1),
      f1 REAL NOT NULL CHECK (f1 BETWEEN 0 AND 1),
      PRIMARY KEY (run_id, feature, rank)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE feature_labels (
      sae_id TEXT NOT NULL,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      label TEXT NOT NULL DEFAULT '',
      notes TEXT NOT NULL DEFAULT '',
      updated_at TEXT NOT NULL,
      updated_by TEXT NOT NULL,
      PRIMARY KEY (sae_id, feature)
    ) STRICT, WITHOUT ROWID;

    CREATE TABLE feature_tags (
      sae_id TEXT NOT NULL,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      tag TEXT NOT NULL CHECK (length(tag) > 0),
      PRIMARY KEY (sae_id, feature, tag)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX feature_tags_by_tag ON feature_tags(sae_id, tag);

    -- One row per changed field. Rows written by one call share an action (the id of its first
    -- row); an undo is a new action whose rows invert another action's, naming it in undoes.
    CREATE TABLE label_events (
      id INTEGER PRIMARY KEY,
      action INTEGER NOT NULL,
      sae_id TEXT NOT NULL,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      field TEXT NOT NULL CHECK (field IN ('label','notes','tag')),
      old TEXT,
      new TEXT,
      author TEXT NOT NULL,
      at TEXT NOT NULL,
      source TEXT NOT NULL CHECK (source IN ('edit','import','undo')),
      undoes INTEGER
    ) STRICT;
    CREATE INDEX label_events_by_feature ON label_events(sae_id, feature, id);
    CREATE INDEX label_events_by_sae ON label_events(sae_id, id);
    CREATE INDEX label_events_by_undone ON label_events(undoes) WHERE undoes IS NOT NULL;

    -- What full-text search sees of each feature: its label, notes and tags (kept in step by the
    -- label writers) and its top tokens (written when an index run finishes). The FTS5 index reads
    -- its content from here; the triggers keep the two in the same transaction.
    CREATE TABLE feature_docs (
      id INTEGER PRIMARY KEY,
      sae_id TEXT NOT NULL,
      feature INTEGER NOT NULL CHECK (feature >= 0),
      label TEXT NOT NULL DEFAULT '',
      notes TEXT NOT NULL DEFAULT '',
      tags TEXT NOT NULL DEFAULT '',
      tokens TEXT NOT NULL DEFAULT '',
      UNIQUE (sae_id, feature)
    ) STRICT;
    CREATE VIRTUAL TABLE feature_search USING fts5(
      label, notes, tags, tokens,
      content = 'feature_docs', content_rowid = 'id',
      tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
    );
    CREATE TRIGGER feature_docs_insert AFTER INSERT ON feature_docs BEGIN
      INSERT INTO feature_search (rowid, label, notes, tags, tokens) VALUES (new.id, new.label, new.notes, new.tags, new.tokens);
    END;
    CREATE TRIGGER feature_docs_delete AFTER DELETE ON feature_docs BEGIN
      INSERT INTO feature_search (feature_search, rowid, label, notes, tags, tokens)
        VALUES ('delete', old.id, old.label, old.notes, old.tags, old.tokens);
    END;
    CREATE TRIGGER feature_docs_update AFTER UPDATE ON feature_docs BEGIN
      INSERT INTO feature_search (feature_search, rowid, label, notes, tags, tokens)
        VALUES ('delete', old.id, old.label, old.notes, old.tags, old.tokens);
      INSERT INTO feature_search (rowid, label, notes, tags, tokens) VALUES (new.id, new.label, new.notes, new.tags, new.tokens);
    END;
  `,
};
