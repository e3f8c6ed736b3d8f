import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ApiFailure } from '../api/errors.js';
import { fileKind } from '../formats/file-kind.js';
import { Database } from './database.js';
import { assertLoupeDatabase, assertSqliteFile, isDamagedDatabaseError } from './database-probe.js';
import { CompareStore } from './compare-store.js';
import { ConceptsTable } from './concepts-table.js';
import { EvalsTable } from './evals-table.js';
import { FeatureIndex } from './feature-index.js';
import { ImportsStore } from './imports.js';
import { JobsTable } from './jobs-table.js';
import { MapsTable } from './maps-table.js';
import { migrate } from './migrations.js';
import { ModelsTable } from './models-table.js';
import { makePrivateDir, touchPrivateFile } from './private-files.js';
import { SaesTable } from './saes-table.js';
import { lockFileName, lockWorkspace, type WorkspaceLock } from './workspace-lock.js';

export const databaseFileName = 'loupe.db';
export const artifactsDirName = 'artifacts';

/**
 * An open workspace folder: `loupe.db` and `artifacts/`. Its members are the only door to the
 * database: code outside native/store reads and writes through their verbs, never SQL or the
 * connection (scripts/check-boundaries.mjs refuses both).
 */
export class Workspace {
  readonly jobs: JobsTable;
  readonly models: ModelsTable;
  readonly saes: SaesTable;
  /** index runs, windows, per-feature rows, labels */
  readonly features: FeatureIndex;
  readonly maps: MapsTable;
  readonly compare: CompareStore;
  readonly evals: EvalsTable;
  readonly concepts: ConceptsTable;
  readonly imports: ImportsStore;
  readonly #db: Database;

  constructor(
    readonly path: string,
    db: Database,
    readonly schemaVersion: number,
    readonly interruptedJobs: number,
    readonly lock: WorkspaceLock | null = null,
  ) {
    this.#db = db;
    this.jobs = new JobsTable(db);
    this.models = new ModelsTable(db);
    this.saes = new SaesTable(db);
    this.features = new FeatureIndex(db);
    this.maps = new MapsTable(db);
    this.compare = new CompareStore(db);
    this.evals = new EvalsTable(db);
    this.concepts = new ConceptsTable(db);
    this.imports = new ImportsStore(db);
  }

  get name(): string {
    return basename(this.path);
  }

  get artifactsDir(): string {
    return join(this.path, artifactsDirName);
  }

  /** The database file, for tools and tests that open it themselves (read-only). */
  get databasePath(): string {
    return this.#db.path;
  }

  close(): void {
    this.#db.close();
    this.lock?.release();
  }
}

function assertUsableFolder(dir: string): void {
  if (!existsSync(dir)) return;
  const stat = statSync(dir);
  if (!stat.isDirectory()) throw new ApiFailure('conflict', `${dir} is ${fileKind(stat)}, not a workspace folder`, 'path');
  if (existsSync(join(dir, databaseFileName))) return;
  const entries = readdirSync(dir).filter((e) => !e.startsWith('.') && e !== lockFileName);
  if (entries.length > 0) {
    throw new ApiFailure(
      'conflict',
      `${dir} is not empty and has no ${databaseFileName}: choose an empty folder or an existing workspace`,
      'path',
    );
  }
}

export interface OpenWorkspaceOptions {
  /**
   * Mark jobs left queued or running as interrupted (default true). Only the process that owns the
   * workspace's jobs may: a job worker, or a CLI tool opening a workspace the app has open, would
   * otherwise declare that process's running jobs dead.
   */
  markInterrupted?: boolean;
  now?: string;
  /**
   * Hold the workspace for this process (`loupe.lock`), naming the command in it: the engine and
   * `loupe index` do, so a second one is refused before it touches the first one's jobs. Job workers
   * run inside the holder's process and open without it.
   */
  lockAs?: string;
}

/**
 * Creates or opens a workspace. Jobs that were queued or running when the last process died are
 * marked interrupted, so the UI can say so instead of showing a job that will never move.
 */
export function openWorkspace(path: string, options: OpenWorkspaceOptions = {}): Workspace {
  const dir = resolve(path);
  assertUsableFolder(dir);
  const file = join(dir, databaseFileName);
  // Nothing is created or changed in a folder whose loupe.db is not a Loupe database.
  assertSqliteFile(file);
  makePrivateDir(dir);
  const lock = options.lockAs === undefined ? null : lockWorkspace(dir, options.lockAs);
  let db: Database | null = null;
  try {
    touchPrivateFile(file);
    db = new Database(file, { wal: false });
    assertLoupeDatabase(db, file);
    db.useWal();
    const schemaVersion = migrate(db, file);
    makePrivateDir(join(dir, artifactsDirName));
    const interrupted = options.markInterrupted === false ? 0 : new JobsTable(db).markInterrupted(options.now ?? new Date().toISOString());
    return new Workspace(dir, db, schemaVersion, interrupted, lock);
  } catch (error) {
    db?.close();
    lock?.release();
    if (isDamagedDatabaseError(error)) throw new ApiFailure('failed', `${file} is damaged and cannot be opened: ${error.message}`, 'path');
    throw error;
  }
}
