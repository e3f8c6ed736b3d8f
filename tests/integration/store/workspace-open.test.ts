import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiFailure } from '../../../native/api/errors.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import { lockFileName } from '../../../native/store/workspace-lock.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('ws-open');
afterAll(() => dir.cleanup());

/** SQLite's file header byte 18: 1 for a rollback journal, 2 for WAL. */
function journalByte(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, 18);
    return b[0];
  } finally {
    closeSync(fd);
  }
}

function openFails(path: string): { code: string; message: string } {
  try {
    openWorkspace(path, { lockAs: 'test' }).close();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiFailure);
    return { code: (error as ApiFailure).code, message: (error as Error).message };
  }
  throw new Error(`opening ${path} did not fail`);
}

/** A failed open must leave the folder exactly as it was: no artifacts/, no lock, no -wal/-shm, the file unchanged. */
function expectUntouched(ws: string, before: Buffer): void {
  expect(existsSync(join(ws, 'artifacts'))).toBe(false);
  expect(existsSync(join(ws, lockFileName))).toBe(false);
  expect(existsSync(join(ws, 'loupe.db-wal'))).toBe(false);
  expect(existsSync(join(ws, 'loupe.db-shm'))).toBe(false);
  expect(readFileSync(join(ws, 'loupe.db')).equals(before)).toBe(true);
}

describe('openWorkspace on a loupe.db that is not a Loupe database', () => {
  it('refuses garbage with a specific 4xx error (not internal) and leaves no side effect', async () => {
    const ws = join(dir.path, 'garbage');
    mkdirSync(ws);
    const bytes = Buffer.from('this is not a database at all, just some text\n'.repeat(100));
    writeFileSync(join(ws, 'loupe.db'), bytes);
    const failure = openFails(ws);
    expect(failure.code).toBe('failed');
    expect(failure.message).toContain(join(ws, 'loupe.db'));
    expect(failure.message).toContain('not a SQLite database');
    expectUntouched(ws, bytes);

    // Through the router, as the renderer sees it: failed (HTTP 422), never internal.
    const router = new Router(createHandlers(new Engine(() => {})));
    const response = await router.call('workspace.open', { path: ws });
    expect(response).toMatchObject({
      ok: false,
      error: { code: 'failed', field: 'path', reason: expect.stringContaining('not a SQLite database') },
    });
    expectUntouched(ws, bytes);
  });

  it('refuses a foreign SQLite database without switching it to WAL or creating artifacts/', () => {
    const ws = join(dir.path, 'foreign');
    mkdirSync(ws);
    const file = join(ws, 'loupe.db');
    const other = new BetterSqlite3(file);
    other.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('mine');");
    other.close();
    expect(journalByte(file)).toBe(1);
    const before = readFileSync(file);
    const failure = openFails(ws);
    expect(failure.code).toBe('failed');
    expect(failure.message).toMatch(/SQLite database of another program .*tables notes/);
    expect(journalByte(file)).toBe(1);
    expectUntouched(ws, before);
    // The handle was closed: the file can be deleted and reopened by its owner with its row intact.
    const reopened = new BetterSqlite3(file, { readonly: true });
    expect(reopened.prepare('SELECT body FROM notes').get()).toEqual({ body: 'mine' });
    reopened.close();
  });

  it('refuses a corrupt workspace database with a specific error and closes the handle', () => {
    const ws = join(dir.path, 'corrupt');
    openWorkspace(ws).close();
    const file = join(ws, 'loupe.db');
    // Checkpointed and closed: the whole database is in loupe.db. Scribble over page 1's b-tree
    // (the schema table) after the 100-byte file header.
    const bytes = readFileSync(file);
    for (let i = 100; i < Math.min(bytes.length, 4096); i++) bytes[i] = (i * 37) & 0xff;
    writeFileSync(file, bytes);
    const failure = openFails(ws);
    expect(failure.code).toBe('failed');
    expect(failure.message).toContain(`${file} is damaged`);
    expect(existsSync(join(ws, lockFileName))).toBe(false);
  });
});

describe('file modes', () => {
  it('creates the workspace folder, artifacts/ and loupe.db (and its WAL files) private, whatever the umask', () => {
    const previous = process.umask(0o022);
    try {
      const ws = join(dir.path, 'modes', 'nested', 'ws');
      const opened = openWorkspace(ws);
      opened.jobs.count();
      expect(statSync(ws).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir.path, 'modes')).mode & 0o777).toBe(0o700);
      expect(statSync(join(ws, 'artifacts')).mode & 0o777).toBe(0o700);
      for (const name of ['loupe.db', 'loupe.db-wal', 'loupe.db-shm']) expect(statSync(join(ws, name)).mode & 0o777, name).toBe(0o600);
      opened.close();
    } finally {
      process.umask(previous);
    }
  });

  it('leaves an existing folder with the mode its owner chose', () => {
    const previous = process.umask(0o022);
    try {
      const ws = join(dir.path, 'shared-ws');
      mkdirSync(ws, { mode: 0o755 });
      openWorkspace(ws).close();
      expect(statSync(ws).mode & 0o777).toBe(0o755);
      expect(statSync(join(ws, 'loupe.db')).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });
});

function holdWorkspace(ws: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'lock-holder-child.ts'), ws], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('holding')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`holder exited (${code}): ${err}`)));
  });
}

function release(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.stdin?.end();
  });
}

describe('one process per workspace', () => {
  it('refuses a second holder, naming the first, without marking its running jobs interrupted', async () => {
    const ws = join(dir.path, 'held');
    const holder = await holdWorkspace(ws);
    try {
      const failure = openFails(ws);
      expect(failure.code).toBe('conflict');
      expect(failure.message).toContain(`in use by process ${holder.pid}`);
      expect(failure.message).toContain('lock-holder-child (test)');
      expect(failure.message).toContain(join(ws, lockFileName));
      const lock = JSON.parse(readFileSync(join(ws, lockFileName), 'utf8')) as Record<string, unknown>;
      expect(lock).toMatchObject({ pid: holder.pid, host: hostname(), command: 'lock-holder-child (test)' });
      expect(Number.isNaN(Date.parse(String(lock.startedAt)))).toBe(false);

      // The engine (loupe serve, the app) is refused the same way, as a conflict with a message.
      const router = new Router(createHandlers(new Engine(() => {}, 'second engine')));
      const response = await router.call('workspace.open', { path: ws });
      expect(response).toMatchObject({ ok: false, error: { code: 'conflict', reason: expect.stringContaining(`process ${holder.pid}`) } });

      const reader = openWorkspace(ws, { markInterrupted: false });
      expect(reader.jobs.get('held-job')?.state).toBe('running');
      reader.close();
    } finally {
      await release(holder);
    }
    expect(existsSync(join(ws, lockFileName))).toBe(false);
  });

  it('takes over a stale lock left by a dead process', () => {
    const ws = join(dir.path, 'stale');
    openWorkspace(ws).close();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    expect(deadPid).toBeGreaterThan(0);
    writeFileSync(
      join(ws, lockFileName),
      JSON.stringify({ pid: deadPid, host: hostname(), startedAt: '2026-01-01T00:00:00Z', command: 'loupe serve', id: 'old' }),
    );
    const opened = openWorkspace(ws, { lockAs: 'taker' });
    expect(JSON.parse(readFileSync(join(ws, lockFileName), 'utf8'))).toMatchObject({ pid: process.pid, command: 'taker' });
    opened.close();
    expect(existsSync(join(ws, lockFileName))).toBe(false);
  });

  it('lets the holding process open its workspace again (the engine reopening) and keeps the lock until the last close', () => {
    const ws = join(dir.path, 'reentrant');
    const first = openWorkspace(ws, { lockAs: 'engine' });
    const second = openWorkspace(ws, { lockAs: 'engine' });
    first.close();
    expect(existsSync(join(ws, lockFileName))).toBe(true);
    second.close();
    expect(existsSync(join(ws, lockFileName))).toBe(false);
  });
});
