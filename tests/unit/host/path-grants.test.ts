import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { methods, type MethodName } from '../../../native/api/methods.js';
import { Engine } from '../../../native/host/engine.js';
import { createHandlers } from '../../../native/host/handlers/table.js';
import { pathFieldsByMethod, PathGrants } from '../../../native/host/path-grants.js';
import { Router } from '../../../native/host/router.js';

const methodNames = Object.keys(methods) as MethodName[];

describe('PathGrants (the desktop transport: paths only from dialogs)', () => {
  it('hands out opaque grants and swaps them back for the chosen paths', () => {
    const grants = new PathGrants();
    const folder = grants.grant('/home/me/models/gpt2', 'folder');
    const file = grants.grant('/home/me/corpus #1.jsonl', 'file');
    expect(folder.id).toMatch(/^grant:[0-9a-f]{32}$/);
    expect(folder.id).not.toContain('gpt2');
    expect(grants.grant('/home/me/models/gpt2', 'folder').id).not.toBe(folder.id);
    expect(grants.resolve('models.add', { path: folder.id })).toEqual({ ok: true, params: { path: '/home/me/models/gpt2' } });
    expect(grants.resolve('index.start', { saeId: 's', corpus: `jsonl:${file.id}#body`, tokens: 5 })).toEqual({
      ok: true,
      params: { saeId: 's', corpus: 'jsonl:/home/me/corpus #1.jsonl#body', tokens: 5 },
    });
    expect(grants.resolve('corpus.preview', { corpus: file.id })).toEqual({ ok: true, params: { corpus: '/home/me/corpus #1.jsonl' } });
    const train = grants.resolve('train.start', {
      model: folder.id,
      corpus: 'brown:ca',
      filter: { sae: folder.id, feature: 1, threshold: 0 },
    });
    expect(train).toMatchObject({
      ok: true,
      params: { model: '/home/me/models/gpt2', corpus: 'brown:ca', filter: { sae: '/home/me/models/gpt2' } },
    });
  });

  it('refuses raw paths and forged or unknown grants in every path-carrying field, naming the field', () => {
    const grants = new PathGrants();
    const file = grants.grant('/data/ok.txt', 'file');
    const folder = grants.grant('/data/ws', 'folder');
    const refused = [
      ['workspace.open', { path: '/etc' }, 'path'],
      ['models.add', { path: '/tmp/model' }, 'path'],
      ['saes.add', { path: `grant:${'0'.repeat(32)}` }, 'path'],
      ['corpus.preview', { corpus: 'text:/etc/passwd' }, 'corpus'],
      ['corpus.preview', { corpus: '/etc/passwd.txt' }, 'corpus'],
      ['index.start', { saeId: 's', corpus: `jsonl:/etc/passwd#${file.id}`, tokens: 1 }, 'corpus'],
      ['index.start', { saeId: 's', corpus: `jsonl:${file.id}#/../../etc/passwd`, tokens: 1 }, 'corpus'],
      ['eval.start', { saeId: 's', corpus: `text:${folder.id}`, tokens: 1 }, 'corpus'],
      ['compare.start', { saeIds: ['a', 'b'], corpus: `parquet:${file.id}x`, tokens: 1 }, 'corpus'],
      ['train.start', { model: file.id, initFrom: '/home/me/other-sae' }, 'initFrom'],
      ['train.start', { model: file.id, filter: { sae: '/etc/shadow' } }, 'filter.sae'],
    ] as const;
    for (const [method, params, field] of refused) {
      const result = grants.resolve(method, params);
      expect(result, `${method} ${JSON.stringify(params)}`).toMatchObject({
        ok: false,
        error: { code: 'invalid_params', method, field, reason: expect.stringContaining('not a file or folder chosen in this window') },
      });
    }
  });

  it('lets through calls without paths, built-in corpora, and paths the caller allows (registered models and SAEs)', () => {
    const grants = new PathGrants();
    expect(grants.resolve('features.page', { saeId: 'x', index: 1 })).toEqual({ ok: true, params: { saeId: 'x', index: 1 } });
    expect(grants.resolve('index.start', { saeId: 'x', corpus: 'brown', tokens: 1 })).toMatchObject({ ok: true });
    expect(grants.resolve('index.start', { saeId: 'x', corpus: 'brown:ca01,cb02', tokens: 1 })).toMatchObject({ ok: true });
    const registered = new Set(['/sae/registered']);
    expect(grants.resolve('train.start', { initFrom: '/sae/registered' }, (p) => registered.has(p))).toEqual({
      ok: true,
      params: { initFrom: '/sae/registered' },
    });
  });

  it('covers every contract method whose params name a path or a corpus', () => {
    const pathLike = methodNames.filter((m) => {
      const shape = (methods[m].params as unknown as { shape?: Record<string, unknown> }).shape ?? {};
      return ['path', 'model', 'initFrom', 'corpus', 'filter'].some((k) => k in shape);
    });
    expect([...pathLike].sort()).toEqual(Object.keys(pathFieldsByMethod).sort());
  });
});

describe('grants.choose outside the desktop app', () => {
  it('is refused by the engine (loupe serve has no dialog: paths are typed there)', async () => {
    const router = new Router(createHandlers(new Engine(() => {})));
    expect(await router.call('grants.choose', { kind: 'file' })).toMatchObject({
      ok: false,
      error: { code: 'failed', reason: expect.stringContaining('type the path') },
    });
  });
});

describe('the Electron shell (checked in its sources: the binary cannot run here)', () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  const main = readFileSync(join(root, 'electron', 'main.ts'), 'utf8');
  const security = readFileSync(join(root, 'electron', 'security.ts'), 'utf8');
  const builder = readFileSync(join(root, 'electron-builder.yml'), 'utf8');

  it('resolves grants before any call with paths reaches the engine, and answers grants.choose with a dialog', () => {
    expect(main).toMatch(/grants\.resolve\(/);
    expect(main).toMatch(/dialog\.showOpenDialog\(/);
    expect(main).toMatch(/requestSingleInstanceLock\(\)/);
    expect(main).toMatch(/devTools: !app\.isPackaged/);
    expect(security).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
  });

  it('flips the fuses in packaged builds', () => {
    for (const line of [
      'runAsNode: false',
      'enableNodeOptionsEnvironmentVariable: false',
      'enableNodeCliInspectArguments: false',
      'onlyLoadAppFromAsar: true',
      'enableEmbeddedAsarIntegrityValidation: true',
    ]) {
      expect(builder).toContain(`  ${line}\n`);
    }
  });
});
