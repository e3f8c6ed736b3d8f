import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CompareGroups, CompareRunSummary, JobSummary, SaeSummary } from '../../native/api/types.js';
import { openE2eSession, type E2eSession } from '../helpers/e2e-session.js';
import { waitForJobs } from '../helpers/indexed-workspace.js';
import type { Served } from '../helpers/serve.js';

let s: E2eSession;
let served: Served;
let page: Page;
let narrow: SaeSummary;
let wide: SaeSummary;

/** The app at a hash route, in a theme. The token is in the first URL only; the app keeps it. */
async function open(route: string): Promise<void> {
  await page.goto(`${served.url.split('?')[0]}${route}`);
}

async function shoot(name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    const current = await page.locator('html').getAttribute('data-theme');
    if (current !== theme) await page.getByRole('button', { name: 'Switch theme' }).click();
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(s.shots, `${name}-${theme}.png`), fullPage: true });
  }
  await page.getByRole('button', { name: 'Switch theme' }).click();
}

beforeAll(async () => {
  s = await openE2eSession('compare', { tokens: 16_384, maps: true, workspace: 'Demo', viewport: { width: 1400, height: 1000 } });
  served = s.served;
  [narrow, wide] = s.saes;
}, 240_000);

// Each test opens its own page (a browser context of its own: fresh theme, the token from the first URL).
beforeEach(async () => {
  page = await s.freshPage();
});

/** The 512/4,096 comparison the view's form starts (brown, 8,192 tokens), run through the API unless a test already ran it. */
async function ensureCompared(): Promise<void> {
  if (await served.call<CompareRunSummary | null>('compare.get', { saeIds: [narrow.id, wide.id] })) return;
  const job = await served.call<JobSummary>('compare.start', { saeIds: [narrow.id, wide.id], corpus: 'brown', tokens: 8192 });
  await waitForJobs(served, [job.id]);
}

afterAll(async () => s?.close());

describe('Compare in Chromium on the demo workspace', () => {
  it('compares the 512 and 4,096 SAEs from the view: metrics, joint map, matched pairs side by side', async () => {
    // Other tests compare the pair through the API when they run first; the form compares again then.
    const before = await served.call<CompareRunSummary | null>('compare.get', { saeIds: [narrow.id, wide.id] });
    await open(`#/compare/${narrow.id}/${wide.id}`);
    if (before === null) await page.getByText('These SAEs have not been compared yet').waitFor();
    await page.getByLabel('Tokens').fill('8192');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    const metrics = page.getByRole('region', { name: 'Metrics' });
    await metrics.getByText('Loss recovered').waitFor({ timeout: 120_000 });
    await expect.poll(() => metrics.locator('td.num').filter({ hasText: '%' }).count(), { timeout: 60_000 }).toBeGreaterThan(4);
    const joint = page.getByRole('region', { name: 'Joint map' });
    const map = joint.locator('canvas');
    await map.waitFor();
    // The canvas fills its 420 px frame, and hovering finds the point under the pointer at that size.
    const box = await map.boundingBox();
    expect(box?.height).toBeGreaterThan(400);
    const tip = joint.locator('.tip');
    for (let i = 0; i < 20 * 20 && box && !(await tip.isVisible()); i++)
      await page.mouse.move(box.x + (box.width * ((i % 20) + 0.5)) / 20, box.y + (box.height * (Math.floor(i / 20) + 0.5)) / 20);
    expect(await tip.textContent()).toMatch(/#\d+ .*\d+ linked · click to open/);
    await page.mouse.move(0, 0);

    const pairs = page.getByRole('region', { name: /Matched pairs/ });
    await expect.poll(() => pairs.locator('tbody tr').count()).toBe(25);
    await pairs.getByRole('button', { name: /^Correlation/ }).click();
    await expect
      .poll(async () => (await pairs.locator('tbody tr td:nth-child(7)').allTextContents()).slice(0, 5).map(Number))
      .toSatisfy((v: number[]) => v.length === 5 && v.every((x, i) => i === 0 || x <= v[i - 1]));
    await pairs.locator('tbody tr').first().click();
    const side = page.getByRole('region', { name: 'Matched pair side by side' });
    // The first row by correlation has a correlation parent other than its cosine parent: three panes.
    await expect.poll(() => side.locator('a.title').count()).toBeGreaterThanOrEqual(2);
    const links = await side.locator('a.title').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const parent of links.slice(0, -1)) expect(parent).toMatch(new RegExp(`^#/feature/${narrow.id}/\\d+$`));
    expect(links.at(-1)).toMatch(new RegExp(`^#/feature/${wide.id}/\\d+$`));
    await shoot('compare');
  }, 180_000);

  it('opens a splitting tree from the split list, with the children’s examples side by side', async () => {
    await ensureCompared();
    await open(`#/compare/${narrow.id}/${wide.id}`);
    const groups = page.getByRole('region', { name: 'Splits and leftovers' });
    const first = groups.locator('button.parent').first();
    await first.waitFor();
    const index = Number(/#(\d+)/.exec((await first.textContent()) ?? '')?.[1]);
    await first.click();
    await page.waitForURL(new RegExp(`#/compare/${narrow.id}/${wide.id}/tree/${index}$`));
    const tree = page.getByRole('region', { name: 'Splitting tree' });
    await expect.poll(() => tree.locator('svg a.node').count()).toBeGreaterThanOrEqual(3);
    const children = await tree.locator('svg a.node[data-depth="1"]').count();
    await expect.poll(() => tree.locator('.columns a.title').count()).toBe(Math.min(children, 6));
    await shoot('tree');
    await page.getByLabel('Similarity threshold').fill('0.95');
    await expect.poll(() => tree.locator('svg a.node').count()).toBeLessThan(children + 1);
  }, 60_000);

  it('splits a feature of the 512 SAE: training form, live curves, indexing, then its splitting tree', async () => {
    await ensureCompared();
    // A feature that fires often enough that 8,192 of its tokens come from a short stretch of Brown.
    const run = (await served.call<CompareRunSummary>('compare.get', { saeIds: [narrow.id, wide.id] }))!;
    const split = await served.call<CompareGroups>('compare.groups', {
      runId: run.runId,
      pair: 0,
      threshold: 0.5,
      kind: 'oneToMany',
      limit: 50,
    });
    const feature = split.items.find((g) => g.density > 0.02)?.index ?? split.items[0].index;
    await open(`#/train/split/${narrow.id}/${feature}`);
    const form = page.getByRole('region', { name: 'Recipe' });
    await form.getByRole('button', { name: 'Train, index and compare' }).waitFor();
    await form.getByLabel('Training tokens').fill('8192');
    await form.getByLabel('Batch').fill('128');
    await form.getByRole('button', { name: 'Train, index and compare' }).click();
    const curves = page.locator('.curves');
    // The model reads all of Brown once to find the feature's tokens before the first step (about 90 s on
    // 2 idle cores): the wait is for a loaded machine, not a speed check.
    await expect.poll(async () => Number(await curves.getAttribute('data-points')), { timeout: 300_000 }).toBeGreaterThan(3);
    await page.screenshot({ path: join(s.shots, 'split-training-light.png'), fullPage: true });

    await page.waitForURL(new RegExp(`#/compare/${narrow.id}/[a-z0-9_-]+/tree/${feature}$`), { timeout: 180_000 });
    const splitId = /#\/compare\/[^/]+\/([^/]+)\/tree/.exec(page.url())![1];
    expect(splitId).toMatch(new RegExp(`^${narrow.id}-f${feature}-split-`));
    const tree = page.getByRole('region', { name: 'Splitting tree' });
    await tree.locator('svg a.node').first().waitFor();
    const showAll = tree.getByRole('button', { name: 'Show all' });
    if (await showAll.isVisible()) await showAll.click();
    // The new SAE's latents that learned the split feature's role hang under it.
    await expect.poll(() => tree.locator(`svg a.node[data-depth="1"]`).count()).toBeGreaterThanOrEqual(2);
    const childLinks = await tree.locator('svg a.node[data-depth="1"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(childLinks.every((h) => h?.startsWith(`#/feature/${splitId}/`))).toBe(true);
    // The page judges the split: how many children fire on the parent's tokens, or why none does.
    const verdict = tree.getByRole('status').first();
    await expect.poll(() => verdict.textContent()).toMatch(new RegExp(`#${feature} splits into \\d+ child|No child of #${feature} `));
    // Each child card says what share of the parent's firings it covers and P(parent | child).
    await expect
      .poll(() => tree.locator('svg a.node[data-depth="1"] text').allTextContents())
      .toContainEqual(expect.stringMatching(/covers \d+(\.\d)? % · P\(parent\) \d\.\d\d/));
    await shoot('split-tree');
  }, 600_000);
});
