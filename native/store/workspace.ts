import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ApiFailure } from '../api/errors.js';
import { Database } from './database.js';
import { FeatureIndex } from './feature-index.js';
import { JobsTable } from './jobs-table.js';
import { migrate } from './migrations.js';
import { ModelsTable } from './models-table.js';
import { SaesTable } from './saes-table.js';

export const databaseFileName = 'loupe.db';
export const artifactsDirName = 'artifacts';

/** An open workspace folder: `loupe.db` and `artifacts/`. */
export class Workspace {
  readonly jobs: JobsTable;
  readonly models: ModelsTable;
  readonly saes: SaesTable;
  readonly features: FeatureIndex;

  constructor(
    readonly path: string,
    readonly db: Database,
    readonly schemaVersion: number,
    readonly interruptedJobs: number,
  ) {
    this.jobs = new JobsTable(db);
    this.models = new ModelsTable(db);
    this.saes = new SaesTable(db);
    this.features = new FeatureIndex(db);
  }

  get name(): string {
    return basename(this.path);
  }

  get artifactsDir(): string {
    return join(this.path, artifactsDirName);
  }

  close(): void {
    this.db.close();
  }
}

function assertUsableFolder(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new ApiFailure('conflict', `${dir} is a file, not a workspace folder`, 'path');
  if (existsSync(join(dir, databaseFileName))) return;
  const entries = readdirSync(dir).filter((e) => !e.startsWith('.'));
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
}

/**
 * Creates or opens a workspace. Jobs that were queued or running when the last process died are
 * marked interrupted, so the UI can say so instead of showing a job that will never move.
 */
export function openWorkspace(path: string, options: OpenWorkspaceOptions = {}): Workspace {
  const dir = resolve(path);
  assertUsableFolder(dir);
  mkdirSync(join(dir, artifactsDirName), { recursive: true });
  const file = join(dir, databaseFileName);
  const db = new Database(file);
  try {
    const schemaVersion = migrate(db, file);
    const interrupted = options.markInterrupted === false ? 0 : new JobsTable(db).markInterrupted(options.now ?? new Date().toISOString());
    return new Workspace(dir, db, schemaVersion, interrupted);
  } catch (error) {
    db.close();
    throw error;
  }
}
