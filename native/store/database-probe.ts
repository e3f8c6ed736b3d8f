import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { ApiFailure } from '../api/errors.js';
import type { Database } from './database.js';

const sqliteMagic = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses a `loupe.db` that is not a SQLite database before SQLite opens it (SQLite would only say
 * "file is not a database" at the first statement, after the caller had switched it to WAL).
 * A missing or empty file is a new workspace.
 */
export function assertSqliteFile(file: string): void {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new ApiFailure('failed', `${file} is not a regular file: a workspace's database must be one`, 'path');
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (size === 0) return;
  const head = Buffer.alloc(sqliteMagic.length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 100 || !head.equals(sqliteMagic)) {
    throw new ApiFailure(
      'failed',
      `${file} is not a SQLite database (it does not start with "SQLite format 3"): this folder is not a Loupe workspace`,
      'path',
    );
  }
}

/**
 * Checks, before anything is written, that an open SQLite file is a Loupe workspace (or empty): a
 * database of another program has tables but none of ours, and is left exactly as it was found.
 */
export function assertLoupeDatabase(db: Database, file: string): void {
  const version = db.pragma<number>('user_version');
  const tables = new Set(db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map((r) => r.name));
  const ours = tables.has('models') && tables.has('saes') && tables.has('jobs');
  if ((version === 0 && tables.size > 0) || (version > 0 && !ours)) {
    const some = [...tables].slice(0, 5).join(', ');
    throw new ApiFailure(
      'failed',
      `${file} is a SQLite database of another program (user_version ${version}, tables ${some || 'none'}), not a Loupe workspace: choose another folder`,
      'path',
    );
  }
}

/** SQLite's codes for a damaged or foreign file, as better-sqlite3's SqliteError carries them. */
export function isDamagedDatabaseError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}
