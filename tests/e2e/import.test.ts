import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { featureKey } from '../../native/api/feature-key.js';
import type { FeaturePageData, JobSummary, ModelRegistration } from '../../native/api/types.js';
import { writeAllExports } from '../fixtures-writers/dashboard-exports.js';
import { openServedSession, type ServedSession } from '../helpers/e2e-session.js';
import { DEMO_MODEL_DIR } from '../helpers/indexed-workspace.js';
import type { Served } from '../helpers/serve.js';

// A Neuronpedia export (kept fixture writer, demo model's Brown windows) imported from Home's form
// in Chromium against `loupe serve`; its features link to Neuronpedia and show what the export lacks as absent.
let s: ServedSession;
let served: Served;
let page: Page;
let model: ModelRegistration;
const exportsDir = () => join(s.root, 'exports');

beforeAll(async () => {
  s = await openServedSession('import', { viewport: { width: 1280, height: 900 } });
  served = s.served;
  await writeAllExports(exportsDir(), DEMO_MODEL_DIR);
  model = await served.call<ModelRegistration>('models.add', { path: DEMO_MODEL_DIR });
}, 180_000);

// Each test opens Home on a page of its own, so neither relies on where the other left it.
beforeEach(async () => {
  page = await s.freshPage();
});

afterAll(async () => s?.close());

describe('importing a dashboard in Chromium against loupe serve', () => {
  it('Home refuses a folder that is no export, naming what it expected', async () => {
    const card = page.getByRole('region', { name: 'Import a dashboard' });
    await card.getByRole('textbox', { name: 'Export folder' }).fill(exportsDir());
    await card.getByRole('button', { name: 'Import' }).click();
    await card.getByRole('alert').filter({ hasText: 'not an export Loupe reads' }).waitFor();
  });

  it('Home starts the import as a job; the feature page shows the export, absent statistics and the Neuronpedia link', async () => {
    const card = page.getByRole('region', { name: 'Import a dashboard' });
    await card.getByRole('textbox', { name: 'Export folder' }).fill(join(exportsDir(), 'neuronpedia', 'loupe-demo', '0-brown-mlp0'));
    await expect.poll(() => card.getByRole('combobox', { name: 'Model' }).inputValue()).toBe(model.id);
    await card.getByRole('button', { name: 'Import' }).click();
    await card.getByRole('link', { name: 'open its features' }).waitFor({ timeout: 60_000 });
    const jobs = await served.call<JobSummary[]>('jobs.list', {});
    const job = jobs.find((j) => j.kind === 'imports.start' && j.state === 'done');
    expect(job).toBeDefined();
    await page.screenshot({ path: join(s.shots, 'home-imported.png') });
    const saeId = (job?.result as { saeId: string }).saeId;
    await page.goto(`${served.url.split('?')[0]}#/feature/${saeId}/3`);
    await page.locator(`.grid[data-loaded="${featureKey({ saeId, index: 3 })}"]`).waitFor();
    const data = await served.call<FeaturePageData>('features.page', { saeId, index: 3 });
    const link = page.getByRole('link', { name: 'Neuronpedia ↗' });
    expect(await link.getAttribute('href')).toBe('https://www.neuronpedia.org/loupe-demo/0-brown-mlp0/3');
    expect(data.neuronpedia?.url).toBe('https://www.neuronpedia.org/loupe-demo/0-brown-mlp0/3');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
    const stats = page.getByRole('region', { name: 'Statistics' });
    await stats.locator('[data-imported="neuronpedia"]').waitFor();
    expect(await stats.getByText('not in the export').count()).toBe(2);
    await page.getByRole('region', { name: 'Fires most on' }).locator('[data-absent="frequent"]').waitFor();
    await page.getByRole('region', { name: 'Neighbours' }).locator('[data-absent="neighbours"]').waitFor();
    expect(await page.getByRole('button', { name: 'Split this feature' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Top activations' }).locator('.example, li').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(s.shots, 'feature-imported-light.png'), fullPage: true });
    await page.getByRole('button', { name: 'Switch theme' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.screenshot({ path: join(s.shots, 'feature-imported-dark.png'), fullPage: true });
  }, 120_000);
});
