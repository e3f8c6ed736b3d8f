import type { Migration } from './migrations.js';

/**
 * Version 6: hierarchical-concept geometry (Park et al. 2024).
 *
 * `concept_lists`: user-defined concepts, a name and its words (JSON array of strings).
 * `concept_whitenings`: a model's unembedding whitening (mean, Cov^(−1/2), Cov^(1/2), eigenvalues;
 * float64 BLOBs), by the weights' content fingerprint and the code that computed it: an
 * eigendecomposition of a 768 × 768 covariance takes seconds in TypeScript, and is done once.
 * `concept_vectors`: estimated concept vectors ([dModel] float64), by model fingerprint and a key
 * hashing the concept's token ids with the estimator's version, so a WordNet synset and a word list
 * that come to the same tokens share one vector, and an edited list gets a new one.
 *
 * No foreign keys to `models`: like maps, they are found again when a model is removed and added back.
 */
export const conceptsMigration: Migration = {
  version: 6,
  name: 'concepts',
  sql: `
    CREATE TABLE concept_lists (
      name TEXT PRIMARY KEY,
      words_json TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;

    CREATE TABLE concept_whitenings (
      fingerprint TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      d_model INTEGER NOT NULL CHECK (d_model > 0),
      d_vocab INTEGER NOT NULL CHECK (d_vocab > 0),
      rank INTEGER NOT NULL CHECK (rank >= 0),
      mean BLOB NOT NULL CHECK (length(mean) = 8 * d_model),
      whiten BLOB NOT NULL CHECK (length(whiten) = 8 * d_model * d_model),
      unwhiten BLOB NOT NULL CHECK (length(unwhiten) = 8 * d_model * d_model),
      eigenvalues BLOB NOT NULL CHECK (length(eigenvalues) = 8 * d_model),
      created_at TEXT NOT NULL,
      PRIMARY KEY (fingerprint, algorithm)
    ) STRICT;

    CREATE TABLE concept_vectors (
      fingerprint TEXT NOT NULL,
      key TEXT NOT NULL,
      n_tokens INTEGER NOT NULL CHECK (n_tokens > 0),
      shrinkage REAL NOT NULL,
      spread REAL NOT NULL,
      vector BLOB NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (fingerprint, key)
    ) STRICT;
  `,
};
