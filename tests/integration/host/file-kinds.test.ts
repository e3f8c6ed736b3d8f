import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { Router } from '../../../native/host/router.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('file-kinds');
const engine = new Engine(() => {});
const router = new Router(createHandlers(engine));
const fifo = join(dir.path, 'pipe.npz');
const socketPath = join(dir.path, 'sock.txt');
let server: Server;

beforeAll(async () => {
  execFileSync('mkfifo', [fifo]);
  server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  mkdirSync(join(dir.path, 'folder'));
  expect((await router.call('workspace.open', { path: join(dir.path, 'ws') })).ok).toBe(true);
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await engine.close();
  dir.cleanup();
});

const kinds = [
  ['/dev/zero', 'a character device'],
  [fifo, 'a FIFO (named pipe)'],
  [socketPath, 'a socket'],
  [join(dir.path, 'folder'), 'a folder'],
] as const;

describe('paths that are not regular files are named for what they are, and never read', () => {
  it.each(kinds)('corpora text:, jsonl: and parquet: on %s', async (path, kind) => {
    for (const scheme of ['text', 'jsonl', 'parquet']) {
      const response = await router.call('corpus.preview', { corpus: `${scheme}:${path}` });
      expect(response, scheme).toMatchObject({
        ok: false,
        error: { code: 'failed', reason: `corpus path is ${kind}, not a regular file: ${path}` },
      });
    }
  });

  it.each(kinds.slice(0, 3))('models.add, saes.add and workspace.open on %s', async (path, kind) => {
    expect(await router.call('models.add', { path })).toMatchObject({
      ok: false,
      error: { code: 'failed', reason: `${path}: is ${kind}, not a model folder or weights file` },
    });
    // A FIFO named like a Gemma Scope file used to be opened and waited on forever.
    expect(await router.call('saes.add', { path })).toMatchObject({
      ok: false,
      error: { code: 'failed', reason: expect.stringContaining(`is ${kind}, not an SAE file or folder`) },
    });
    expect(await router.call('workspace.open', { path })).toMatchObject({
      ok: false,
      error: { code: 'conflict', reason: `${path} is ${kind}, not a workspace folder` },
    });
  });
});
