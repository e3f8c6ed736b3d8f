import { ApiFailure } from '../api/errors.js';
import type { Database } from './database.js';
import { featureIndexMigration } from './migration-2-feature-index.js';
import { indexStateMigration } from './migration-3-index-state.js';
import { mapsMigration } from './migration-4-maps.js';
import { compareMigration } from './migration-5-compare.js';
import { conceptsMigration } from './migration-6-concepts.js';
import { countedMigration } from './migration-7-counted.js';
import { mapQualityMigration } from './migration-12-map-quality.js';
import { tokenCoverageMigration } from './migration-8-token-coverage.js';
import { importsMigration } from './migration-16-imports.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered schema migrations. Append only: a shipped migration is never edited. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'models, saes and jobs',
    sql: `
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        family TEXT NOT NULL,
        config_json TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        added_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE saes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        format TEXT NOT NULL,
        model_id TEXT REFERENCES models(id) ON DELETE SET NULL,
        hook_name TEXT NOT NULL,
        d_in INTEGER NOT NULL,
        d_sae INTEGER NOT NULL,
        activation TEXT NOT NULL,
        k INTEGER,
        config_json TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        added_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        params_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled','interrupted')),
        progress REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
        message TEXT NOT NULL DEFAULT '',
        error TEXT,
        result_json TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      ) STRICT;
      CREATE INDEX jobs_by_state ON jobs(state);
    `,
  },
  featureIndexMigration,
  indexStateMigration,
  mapsMigration,
  compareMigration,
  conceptsMigration,
  countedMigration,
  tokenCoverageMigration,
  mapQualityMigration,
  importsMigration,
];

const latestSchemaVersion = migrations[migrations.length - 1].version;

/** Applies every migration newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: Database, file: string): number {
  const current = db.pragma<number>('user_version');
  if (current > latestSchemaVersion) {
    throw new ApiFailure(
      'conflict',
      `${file} has schema version ${current}, newer than this Loupe understands (${latestSchemaVersion}): update Loupe`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    });
  }
  return db.pragma<number>('user_version');
}
