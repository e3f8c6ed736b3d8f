import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ApiFailure } from '../api/errors.js';

export const lockFileName = 'loupe.lock';

/** Who holds a workspace: written once into `loupe.lock`, read by whoever is refused. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
  /** Random, so a process releases only the lock it wrote. */
  id: string;
}

export interface WorkspaceLock {
  readonly holder: LockHolder;
  release(): void;
}

/**
 * Locks a workspace folder for this process: `loupe.lock` holds the holder's pid, host, start time and
 * command. The lock appears atomically with its content (written to a private temp file, then
 * hard-linked into place: link fails if the name exists), so a reader never sees a half-written one.
 * A lock left by a dead process on this host is stale and taken over; a live holder, or one on another
 * host (a shared file system, where its pid means nothing here), refuses with its details.
 *
 * The same process may lock a folder it already holds (the engine reopening its workspace after a
 * worker restart): the lock is per process, as the jobs it protects are.
 */
export function lockWorkspace(dir: string, command: string): WorkspaceLock {
  const file = join(dir, lockFileName);
  const held = heldHere.get(file);
  if (held) return share(file, held);
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command,
    id: randomBytes(8).toString('hex'),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, holder)) return share(file, { holder, count: 0 });
    const current = readHolder(file);
    if (current === 'missing') continue;
    // Written by this process (an engine worker that died and was restarted): ours to keep.
    if (current !== 'unreadable' && current.host === holder.host && current.pid === process.pid)
      return share(file, { holder: current, count: 0 });
    if (current === 'unreadable' || (current.host === holder.host && !processAlive(current.pid))) {
      // Stale: its process is gone (or the file is not a lock we can read). Remove it and try again;
      // two processes racing here both unlink, and only one link() wins.
      removeIfPresent(file);
      continue;
    }
    throw new ApiFailure('conflict', heldMessage(dir, file, current), 'path');
  }
  throw new ApiFailure('conflict', `could not lock ${dir}: ${file} keeps changing (another process is opening this workspace)`, 'path');
}

/** Locks this thread holds, counted: the engine opens its workspace again before closing the old handle. */
const heldHere = new Map<string, { holder: LockHolder; count: number }>();

function share(file: string, entry: { holder: LockHolder; count: number }): WorkspaceLock {
  entry.count++;
  heldHere.set(file, entry);
  let released = false;
  return {
    holder: entry.holder,
    release: () => {
      if (released) return;
      released = true;
      if (--entry.count > 0) return;
      heldHere.delete(file);
      releaseLock(file, entry.holder.id);
    },
  };
}

function heldMessage(dir: string, file: string, holder: LockHolder): string {
  const where = holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on host ${holder.host}`;
  return (
    `workspace ${dir} is in use by ${where} (${holder.command}, since ${holder.startedAt}): ` +
    `a workspace is open in one Loupe process at a time. Stop that process, or, if it is gone, delete ${file}`
  );
}

function tryCreate(file: string, holder: LockHolder): boolean {
  const temp = `${file}.${holder.id}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, JSON.stringify(holder) + '\n');
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    removeIfPresent(temp);
  }
}

function readHolder(file: string): LockHolder | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const value = JSON.parse(text.slice(0, 4096)) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0 || typeof value.host !== 'string')
      return 'unreadable';
    return {
      pid: value.pid,
      host: value.host,
      startedAt: String(value.startedAt ?? '?'),
      command: String(value.command ?? '?'),
      id: String(value.id ?? ''),
    };
  } catch {
    return 'unreadable';
  }
}

/** Signal 0 checks that a process exists; EPERM means it exists but is another user's. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseLock(file: string, id: string): void {
  const current = readHolder(file);
  if (current !== 'missing' && current !== 'unreadable' && current.id === id) removeIfPresent(file);
}

function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
