import type { Migration } from './migrations.js';

/**
 * Version 4: maps (2-D UMAP layouts of SAE decoder directions), one or a joint map of several SAEs.
 *
 * `key` identifies what a map was computed from (SAE ids and fingerprints, parameters): a second
 * request with the same key is served from here. Each SAE's coordinates are one BLOB of float32
 * (x, y) pairs in feature order: the renderer always takes a whole map, and one 256 KB BLOB per
 * 32,768-feature SAE reads in ~0.2 ms where 32,768 rows of (feature, x, y) take ~30 ms. A rowid
 * table, because SQLite advises against WITHOUT ROWID for rows this large.
 *
 * No foreign key to `saes`, as for labels: removing an SAE and adding it back finds its maps again
 * (the key holds the fingerprint, so an SAE whose weights changed gets a new map).
 */
export const mapsMigration: Migration = {
  version: 4,
  name: 'maps',
  sql: `
    CREATE TABLE maps (
      id INTEGER PRIMARY KEY,
      key TEXT NOT NULL UNIQUE,
      sae_ids_json TEXT NOT NULL,
      params_json TEXT NOT NULL,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX maps_by_saes ON maps(sae_ids_json, created_at);

    CREATE TABLE map_points (
      map_id INTEGER NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
      sae_id TEXT NOT NULL,
      n_points INTEGER NOT NULL CHECK (n_points >= 0),
      xy BLOB NOT NULL CHECK (length(xy) = 8 * n_points),
      PRIMARY KEY (map_id, sae_id)
    ) STRICT;
  `,
};
