import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Labels, notes and corpus text are the user's own, on machines (GPU servers) shared with others: what
 * Loupe creates is private to its user whatever the umask (mkdir and open apply the umask to the mode
 * they are given, so each new folder and file is chmod-ed after it is made). Folders and files that
 * already exist keep the modes their owner chose.
 */
export const privateDirMode = 0o700;
export const privateFileMode = 0o600;

/** Creates `dir` and any missing parents, each new one 0700; existing ones are left alone. */
export function makePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  if (missing.length === 0) return;
  mkdirSync(dir, { recursive: true, mode: privateDirMode });
  for (const d of missing) chmodSync(d, privateDirMode);
}

/** Creates an empty file 0600 if none is there (SQLite then gives its -wal and -shm files the same mode). */
export function touchPrivateFile(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', privateFileMode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    fchmodSync(fd, privateFileMode);
  } finally {
    closeSync(fd);
  }
}
