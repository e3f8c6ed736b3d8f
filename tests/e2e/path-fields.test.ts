import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelSummary, SaeSummary } from '../../native/api/types.js';
import { openServedSession, type ServedSession } from '../helpers/e2e-session.js';
import { DEMO_MODEL_DIR, DEMO_SAE_DIRS } from '../helpers/indexed-workspace.js';
import type { Served } from '../helpers/serve.js';

// Path fields in Chromium against `loupe serve`: typed paths register a model and an SAE and feed a
// text: corpus to the Train form's preview; "Browse…" asks grants.choose, which has no dialog here,
// so it fails once: that field says why and every path field drops its button and takes typed paths.
let s: ServedSession;
let served: Served;
let corpusFile = '';

beforeAll(async () => {
  s = await openServedSession('path-fields', { viewport: { width: 1280, height: 900 } });
  served = s.served;
  corpusFile = join(s.root, 'corpus', 'field notes.txt');
  mkdirSync(join(s.root, 'corpus'), { recursive: true });
  writeFileSync(corpusFile, 'The heron stood in the shallows of the estuary at dawn.\n\nA second paragraph about tides.\n');
}, 120_000);

afterAll(async () => s?.close());

// A fresh page per test: the "no dialog here" state lives in the page, so no test inherits another's.
const openPage = (route = ''): Promise<Page> => s.freshPage(route);

describe('path fields in Chromium against loupe serve', () => {
  it('Home registers a model and an SAE from typed paths', async () => {
    const p = await openPage();
    const card = p.getByRole('region', { name: 'Add files' });
    await card.getByRole('textbox', { name: 'Model folder' }).fill(DEMO_MODEL_DIR);
    await card.getByRole('button', { name: 'Register model' }).click();
    await card.getByRole('status').filter({ hasText: 'Registered model' }).waitFor();
    const models = await served.call<ModelSummary[]>('models.list', {});
    const model = models.find((m) => m.path === DEMO_MODEL_DIR);
    expect(model).toBeDefined();
    await p
      .getByRole('region', { name: 'Models' })
      .getByRole('cell', { name: model?.name ?? '?', exact: true })
      .waitFor();

    await card.getByRole('textbox', { name: 'SAE folder' }).fill(DEMO_SAE_DIRS[0] ?? '');
    await card.getByRole('combobox', { name: 'For model' }).selectOption(model?.id ?? '');
    await card.getByRole('button', { name: 'Register SAE' }).click();
    await card.getByRole('status').filter({ hasText: 'Registered SAE' }).waitFor();
    const saes = await served.call<SaeSummary[]>('saes.list', {});
    expect(saes.find((s) => s.path === DEMO_SAE_DIRS[0])?.modelId).toBe(model?.id);
  }, 120_000);

  it('Home names the file it could not read when a typed model path is wrong', async () => {
    const p = await openPage();
    const card = p.getByRole('region', { name: 'Add files' });
    const missing = join(s.root, 'no such model');
    await card.getByRole('textbox', { name: 'Model folder' }).fill(missing);
    await card.getByRole('button', { name: 'Register model' }).click();
    const alert = card.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('no such model');
  }, 60_000);

  it('Browse… fails once in loupe serve: the field says why, every path field drops the button and keeps what was typed', async () => {
    const p = await openPage();
    const card = p.getByRole('region', { name: 'Add files' });
    const field = card.getByRole('textbox', { name: 'Model folder' });
    await field.fill(DEMO_MODEL_DIR);
    const browse = card.getByRole('button', { name: 'Browse… for model folder' });
    expect(await browse.isEnabled()).toBe(true);
    await browse.click();
    // The field that tried says why; every Browse… button on the page is gone (typed paths only).
    const note = card.getByRole('status').filter({ hasText: 'no file dialog here' });
    await note.waitFor();
    expect(await note.textContent()).toContain('type the path');
    expect(await note.count()).toBe(1);
    await expect.poll(() => p.getByRole('button', { name: /^Browse…/ }).count()).toBe(0);
    expect(await field.inputValue()).toBe(DEMO_MODEL_DIR);
    await card.getByRole('button', { name: 'Register model' }).click();
    await card.getByRole('status').filter({ hasText: 'Registered model' }).waitFor();
    await card.screenshot({ path: join(s.shots, 'add-files-light.png') });
    await p.getByRole('button', { name: 'Switch theme' }).click();
    await expect.poll(() => p.locator('html').getAttribute('data-theme')).toBe('dark');
    await card.screenshot({ path: join(s.shots, 'add-files-dark.png') });
    await p.getByRole('button', { name: 'Switch theme' }).click();
  }, 60_000);

  it('Train previews a typed text: corpus after Browse… failed', async () => {
    await served.call('models.add', { path: DEMO_MODEL_DIR });
    const p = await openPage('#/train');
    // The Train form's corpus field offers suggestions (a datalist), which makes it a combobox.
    const corpus = p.getByRole('combobox', { name: 'Corpus', exact: true });
    await corpus.waitFor();
    await p.getByRole('button', { name: 'Browse… for corpus' }).first().click();
    await p.getByRole('status').filter({ hasText: 'no file dialog here' }).waitFor();
    expect(await p.getByRole('button', { name: /^Browse…/ }).count()).toBe(0);
    await corpus.fill(`text:${corpusFile}`);
    const preview = p.locator('[aria-label="Corpus preview"]');
    await preview.getByText('heron').first().waitFor({ timeout: 30_000 });
    expect(await preview.textContent()).toContain(`text:${corpusFile}`);
  }, 60_000);
});
