import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeaturePageData, FeatureResults, MapData, SaeSummary } from '../../native/api/types.js';
import { buildLayout, type MapLayout } from '../../renderer/src/lib/map/layout.js';
import { seededSample } from '../../renderer/src/lib/queue/sample.js';
import { composeAffine, fitUnitSquare, mapMargin, toScreen } from '../../renderer/src/lib/map/view.js';
import { launchChromium } from '../helpers/browser.js';
import { indexedDemoWorkspace } from '../helpers/indexed-workspace.js';
import { startServe, type Served } from '../helpers/serve.js';
import { tempDir, testOutputDir } from '../helpers/tmp.js';
import { measureMapFrames } from './map-frames.js';

// Needs the built app: `npm run build` first (startServe runs dist/).
const dir = tempDir('e2e-map-queue');
const mapShots = testOutputDir('e2e', 'map');
const queueShots = testOutputDir('e2e', 'queue');
let browser: Browser;
let served: Served;
let page: Page;
let narrow: SaeSummary;
let wide: SaeSummary;
let layout: MapLayout;

type Vec = [number, number];

beforeAll(async () => {
  mkdirSync(mapShots, { recursive: true });
  mkdirSync(queueShots, { recursive: true });
  served = await startServe(join(dir.path, 'ws'));
  [narrow, wide] = (await indexedDemoWorkspace(served, { tokens: 16_384, maps: true })).saes;
  layout = buildLayout((await served.call<MapData>('maps.get', { saeIds: [wide.id] }))!);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(served.url);
}, 900_000); // indexing two SAEs and three maps: about 1 min on an idle machine, over 5 min with the load near 16 on 2 cores

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  dir.cleanup();
});

/** Opens a view afresh (by way of Home, so a view already showing mounts again and reloads its data). */
async function goto(hash: string): Promise<void> {
  await page.evaluate(`window.location.hash = '#/'`);
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
}

async function openMap(): Promise<void> {
  await goto(`#/map/${wide.id}`);
  await page.locator('.stage canvas').waitFor();
  await expect.poll(() => page.locator('.stage canvas').getAttribute('data-frame-ms')).not.toBeNull();
}

/** Features 0–3 of the wide SAE as the keyboard test leaves them (the tests after it start from this, in any order). */
async function labelledFixture(): Promise<void> {
  const third = await served.call<FeaturePageData>('features.page', { saeId: wide.id, index: 2 });
  const labels = [
    { label: 'years and dates', tags: [] },
    { label: 'proper names', tags: [] },
    { label: third.candidates[0].tag, tags: [] },
    { label: '', tags: ['odd', 'uninterpretable'] },
  ];
  for (const [index, l] of labels.entries()) await served.call('labels.set', { saeId: wide.id, index, notes: '', ...l });
}

/** No labels on features 0–3 (the only ones any test here writes). */
async function unlabelledFixture(): Promise<void> {
  for (const index of [0, 1, 2, 3]) await served.call('labels.set', { saeId: wide.id, index, label: '', notes: '', tags: [] });
}

async function theme(name: 'light' | 'dark'): Promise<void> {
  const current = await page.evaluate('document.documentElement.dataset.theme');
  if (current !== name) await page.getByRole('button', { name: 'Switch theme' }).click();
}

/** Where the app draws each point at the fitted zoom: the same transform the canvas uses. */
async function screenPoints(): Promise<{ xy: Vec[]; box: { x: number; y: number; width: number; height: number } }> {
  const box = (await page.locator('.stage canvas').boundingBox())!;
  const t = composeAffine(fitUnitSquare(box.width, box.height, mapMargin), { k: 1, x: 0, y: 0 });
  const xy = Array.from({ length: layout.n }, (_, p) => toScreen(t, layout.xy[2 * p], layout.xy[2 * p + 1]));
  return { xy, box };
}

/** The most isolated point in the middle of the canvas: hovering it can only mean it. */
function isolatedPoint(xy: Vec[], box: { width: number; height: number }): number {
  let best = -1;
  let bestGap = 0;
  xy.forEach(([x, y], p) => {
    if (x < box.width * 0.3 || x > box.width * 0.7 || y < box.height * 0.25 || y > box.height * 0.75) return;
    let gap = Infinity;
    xy.forEach(([u, v], q) => q !== p && (gap = Math.min(gap, Math.hypot(u - x, v - y))));
    if (gap > bestGap) [best, bestGap] = [p, gap];
  });
  return best;
}

function inside(polygon: Vec[], [x, y]: Vec): boolean {
  let hit = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [[xi, yi], [xj, yj]] = [polygon[i], polygon[j]];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

describe('map frame time', () => {
  it('draws 32,768 synthetic points with the map painter in Chromium (median printed, not asserted)', async () => {
    const frames = await measureMapFrames(browser, 32_768);
    console.log(
      `map frame time at 32,768 points, 1000×700 CSS px:\n${frames.map((f) => `  ratio ${f.ratio}: draw median ${f.median.toFixed(2)} ms, p95 ${f.p95.toFixed(2)} ms (${f.frames} pan/zoom frames)`).join('\n')}`,
    );
    for (const f of frames) expect(f.painted).toBeGreaterThan(50_000 * f.ratio * f.ratio);
  });
});

describe('map of the 4,096-feature SAE', () => {
  it('hovers a point for its label and top tokens, and clicking opens its feature', async () => {
    await openMap();
    const { xy, box } = await screenPoints();
    const p = isolatedPoint(xy, box);
    const [x, y] = [box.x + xy[p][0], box.y + xy[p][1]];
    await page.mouse.move(x, y);
    const tip = page.getByRole('tooltip');
    await expect.poll(() => tip.textContent()).toContain(`#${layout.feature[p]}`);
    const expected = await served.call<FeaturePageData>('features.page', { saeId: wide.id, index: layout.feature[p] });
    await tip.getByText('fires on').waitFor();
    await expect.poll(() => tip.locator('.tok').first().textContent()).toBe(expected.frequent[0].token.replaceAll(' ', '␣'));
    await page.screenshot({ path: join(mapShots, 'map-4096-hover-light.png') });
    await page.mouse.click(x, y);
    await expect.poll(() => page.url()).toContain(`#/feature/${wide.id}/${layout.feature[p]}`);
    await page.goBack();
    await page.locator('.stage canvas').waitFor();
  });

  it('zooms with the wheel', async () => {
    await openMap();
    const level = page.getByTestId('zoom-level');
    await expect.poll(() => level.textContent()).toBe('1.0×');
    const box = (await page.locator('.stage canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -600);
    await expect.poll(async () => parseFloat((await level.textContent()) ?? '1')).toBeGreaterThan(1.5);
    await page.screenshot({ path: join(mapShots, 'map-4096-zoomed-light.png') });
    await page.getByRole('button', { name: 'Reset zoom' }).click();
    await expect.poll(() => level.textContent()).toBe('1.0×');
  });

  it('switches colour modes, and the legend follows', async () => {
    await unlabelledFixture();
    await openMap();
    const legend = (name: string) => page.getByLabel(`Legend: ${name}`);
    await legend('Firing density (log)').waitFor();
    await page.getByRole('button', { name: 'Label state' }).click();
    await legend('Label state').getByText('Unlabelled').waitFor();
    await expect.poll(() => legend('Label state').locator('.item').first().locator('.n').textContent()).toBe('4,096');
    await page.getByRole('button', { name: 'Density' }).click();
    await legend('Firing density (log)').waitFor();
  });

  it('selects the points inside a shift-drag lasso and hands them to the label queue', async () => {
    await unlabelledFixture();
    await openMap();
    const { xy, box } = await screenPoints();
    const [cx, cy] = [box.width / 2, box.height / 2];
    const polygon: Vec[] = Array.from({ length: 7 }, (_, i) => [
      cx + 110 * Math.cos((2 * Math.PI * i) / 7),
      cy + 80 * Math.sin((2 * Math.PI * i) / 7),
    ]);
    const expected = xy.filter((v) => inside(polygon, v)).length;
    expect(expected).toBeGreaterThan(20);
    await page.keyboard.down('Shift');
    await page.mouse.move(box.x + polygon[0][0], box.y + polygon[0][1]);
    await page.mouse.down();
    for (const [px, py] of [...polygon.slice(1), polygon[0]]) await page.mouse.move(box.x + px, box.y + py, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const panel = page.getByRole('complementary', { name: 'Selection' });
    const count = Number((await panel.locator('.count').textContent({ timeout: 5000 }))!.replace(/\D/g, ''));
    // Points within a pixel of the outline may fall either way.
    expect(Math.abs(count - expected)).toBeLessThanOrEqual(2 + expected * 0.02);
    expect(page.url()).toContain(`#/map/${wide.id}`);
    await page.screenshot({ path: join(mapShots, 'map-4096-lasso-light.png') });
    await panel.getByRole('link', { name: /Label these in the queue/ }).click();
    await expect
      .poll(() => page.getByTestId('queue-position').textContent(), { timeout: 60_000 })
      .toBe(`Feature 1 of ${count.toLocaleString('en-US')} in this queue`);
    await page.getByText(`${count.toLocaleString('en-US')} features from the map`).waitFor();
  });
});

describe('label queue', () => {
  it('labels three features with the keyboard only, marks one uninterpretable, and the labels persist', async () => {
    await unlabelledFixture();
    await goto(`#/labels/${wide.id}`);
    const position = page.getByTestId('queue-position');
    await expect.poll(() => position.textContent(), { timeout: 60_000 }).toBe('Feature 1 of 4,096 in this queue');
    const label = page.getByRole('textbox', { name: 'Label' });
    const heading = page.locator('article .id');
    await expect.poll(() => heading.textContent()).toBe('#0');
    // Examples from across the activation range, not only the strongest.
    const spread = page.getByRole('region', { name: 'Examples across the range' });
    const first = await served.call<FeaturePageData>('features.page', { saeId: wide.id, index: 0 });
    const bandsWithExamples = first.quantiles.filter((b) => b.examples.length > 0).length;
    expect(bandsWithExamples).toBeGreaterThan(0);
    await spread.locator('.band').first().waitFor();
    const shownBands = await spread
      .locator('.band')
      .evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { band: string } }).dataset.band)));
    expect(shownBands.length).toBeGreaterThanOrEqual(Math.min(3, bandsWithExamples));
    expect(shownBands.length).toBeLessThanOrEqual(4);
    expect(shownBands[0]).toBe(Math.max(...first.quantiles.filter((b) => b.examples.length > 0).map((b) => b.band)));
    await page.screenshot({ path: join(queueShots, 'queue-light.png') });

    await page.keyboard.press('l');
    await page.keyboard.type('years and dates');
    await page.keyboard.press('Enter');
    await expect.poll(() => heading.textContent()).toBe('#1');
    await page.keyboard.press('Enter');
    await page.keyboard.type('proper names');
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    await expect.poll(() => heading.textContent()).toBe('#2');
    const third = await served.call<FeaturePageData>('features.page', { saeId: wide.id, index: 2 });
    await page.keyboard.press('a');
    await expect.poll(() => label.inputValue()).toBe(third.candidates[0].tag);
    await page.keyboard.press('n');
    await expect.poll(() => heading.textContent()).toBe('#3');
    await page.keyboard.press('u');
    await page.keyboard.press('t');
    await page.keyboard.type('odd');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.keyboard.press('n');
    await expect.poll(() => heading.textContent()).toBe('#4');
    // Marked uninterpretable is reviewed, not labelled: counted apart, as the map counts it.
    await expect.poll(() => page.getByTestId('queue-counts').textContent()).toBe('3 labelled · 1 uninterpretable / 4,096');
    expect(await page.locator('.progress .sae .muted').textContent()).toBe('0.1% reviewed');

    const labels = await Promise.all([0, 1, 2, 3].map((index) => served.call<FeaturePageData>('features.page', { saeId: wide.id, index })));
    expect(labels.map((l) => [l.label.label, l.label.tags])).toEqual([
      ['years and dates', []],
      ['proper names', []],
      [third.candidates[0].tag, []],
      ['', ['odd', 'uninterpretable']],
    ]);

    await page.reload();
    await expect.poll(() => heading.textContent()).toBe('#4');
    await expect.poll(() => position.textContent(), { timeout: 60_000 }).toBe('Feature 1 of 4,092 in this queue');
    await page.getByRole('checkbox', { name: 'Unlabelled only' }).uncheck();
    await expect.poll(() => heading.textContent(), { timeout: 60_000 }).toBe('#0');
    await expect.poll(() => label.inputValue()).toBe('years and dates');
    await page.keyboard.press('n');
    await expect.poll(() => label.inputValue()).toBe('proper names');
    await theme('dark');
    await page.screenshot({ path: join(queueShots, 'queue-dark.png') });
    await theme('light');
  });

  it('filters by density and takes a seeded random sample', async () => {
    await labelledFixture();
    await goto(`#/labels/${wide.id}`);
    const position = page.getByTestId('queue-position');
    await page.getByRole('checkbox', { name: 'Unlabelled only' }).check();
    await page.getByRole('spinbutton', { name: 'Minimum density (%)' }).fill('0.5');
    await page.getByRole('spinbutton', { name: 'Minimum density (%)' }).press('Tab');
    const inRange = await served.call<FeatureResults>('features.search', {
      saeId: wide.id,
      labelState: 'unlabelled',
      minDensity: 0.005,
      limit: 1000,
    });
    const marked = await served.call<FeatureResults>('features.search', { saeId: wide.id, text: 'uninterpretable', limit: 1000 });
    const expected = inRange.items.map((f) => f.key.index).filter((i) => !marked.items.some((m) => m.key.index === i));
    expect(inRange.total).toBeLessThan(1000);
    expect(expected.length).toBeGreaterThan(10);
    await expect
      .poll(() => position.textContent(), { timeout: 60_000 })
      .toBe(`Feature 1 of ${expected.length.toLocaleString('en-US')} in this queue`);
    await expect.poll(() => page.locator('article .id').textContent()).toBe(`#${expected[0]}`);
    await page.getByRole('checkbox', { name: 'Random sample' }).check();
    await page.getByRole('spinbutton', { name: 'Sample seed' }).fill('7');
    await page.getByRole('spinbutton', { name: 'Sample size' }).fill('5');
    await page.getByRole('spinbutton', { name: 'Sample size' }).press('Tab');
    const sample = seededSample(expected, 7, 5);
    await expect.poll(() => position.textContent(), { timeout: 60_000 }).toBe('Feature 1 of 5 in this queue');
    await page.locator('article header .stat').first().click(); // out of the filter fields, so keys drive the queue
    for (const index of sample) {
      await expect.poll(() => page.locator('article .id').textContent()).toBe(`#${index}`);
      await page.keyboard.press('n');
    }
    await page.getByRole('checkbox', { name: 'Random sample' }).uncheck();
    await page.getByRole('spinbutton', { name: 'Minimum density (%)' }).fill('');
    await page.getByRole('spinbutton', { name: 'Minimum density (%)' }).press('Tab');
    await expect.poll(() => position.textContent(), { timeout: 60_000 }).toBe('Feature 1 of 4,092 in this queue');
  });

  it('exports the labels as the CLI writes them', async () => {
    await labelledFixture();
    await goto(`#/labels/${wide.id}`);
    await page.getByTestId('queue-position').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'JSON' }).click()]);
    const file = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
      format: string;
      saeId: string;
      labels: { index: number; label: string; tags: string[] }[];
    };
    expect(download.suggestedFilename()).toBe(`${wide.id}-labels.json`);
    expect(file.format).toBe('loupe-labels');
    expect(file.labels.map((l) => l.index)).toEqual([0, 1, 2, 3]);
    expect(file.labels[3].tags).toEqual(['odd', 'uninterpretable']);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
    const rows = readFileSync((await csv.path())!, 'utf8').split('\r\n');
    expect(rows[0]).toBe('index,label,notes,tags,updated_at,updated_by,sae,hook,model,corpus');
    expect(rows[1]).toMatch(/^0,years and dates,,,\d{4}-/);
    expect(rows[4]).toMatch(/^3,,,odd; uninterpretable,\d{4}-/);
    expect(rows[4].endsWith(`,${wide.id},${wide.hookName},${wide.modelId},brown`)).toBe(true);
    expect(rows).toHaveLength(6);
  });
});

describe('map after labelling', () => {
  it('highlights search results in place and colours label state', async () => {
    await labelledFixture();
    await openMap();
    const search = page.getByRole('searchbox', { name: 'Search the map' });
    await search.fill('proper names');
    const expected = await served.call<FeatureResults>('features.search', { saeId: wide.id, text: 'proper names', limit: 1 });
    await expect.poll(() => page.locator('.hits').textContent()).toBe(`${expected.total} match${expected.total === 1 ? '' : 'es'}`);
    expect(expected.total).toBeGreaterThanOrEqual(1);
    await page.getByRole('button', { name: 'Label state' }).click();
    const legend = page.getByLabel('Legend: Label state');
    await expect.poll(() => legend.locator('.item').allTextContents()).toEqual(['Unlabelled4,092', 'Labelled3', 'Uninterpretable1']);
    await expect.poll(() => page.locator('.map-view .stats').textContent()).toBe('4,096 features · 3 labelled · 1 uninterpretable');
    await page.getByRole('button', { name: 'Zoom to it' }).click();
    // One hit: the view animates to it at the closest zoom that still shows its neighbourhood.
    await expect.poll(() => page.getByTestId('zoom-level').textContent()).toBe('8.0×');
    await page.screenshot({ path: join(mapShots, 'map-4096-search-light.png') });
    await theme('dark');
    await page.screenshot({ path: join(mapShots, 'map-4096-search-dark.png') });
    await search.fill('');
    await page.getByRole('button', { name: 'Density' }).click();
    await page.getByLabel('Legend: Firing density (log)').waitFor();
    await page.screenshot({ path: join(mapShots, 'map-4096-density-dark.png') });
    await theme('light');
  });

  it('shows the joint map of both SAEs coloured by SAE', async () => {
    await goto(`#/map/${narrow.id}+${wide.id}`);
    await page.locator('.stage canvas').waitFor();
    await page.getByRole('button', { name: 'SAE', exact: true }).click();
    const legend = page.getByLabel('Legend: SAE');
    await expect
      .poll(() => legend.locator('.item').allTextContents())
      .toEqual(expect.arrayContaining([`${narrow.name}512`, `${wide.name}4,096`]));
    await page.screenshot({ path: join(mapShots, 'map-joint-light.png') });
    await theme('dark');
    await page.screenshot({ path: join(mapShots, 'map-joint-dark.png') });
    await theme('light');
  });
});
