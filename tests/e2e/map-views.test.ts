import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CompareLinks, CompareRunSummary, MapData } from '../../native/api/types.js';
import { decodeLinks } from '../../renderer/src/lib/compare/links.js';
import { buildLayout, mapParam, pointOf } from '../../renderer/src/lib/map/layout.js';
import { composeAffine, fitUnitSquare, mapMargin, toScreen } from '../../renderer/src/lib/map/view.js';
import { compareDemoPair, openE2eSession, type E2eSession } from '../helpers/e2e-session.js';
import { setTheme } from '../helpers/browser.js';

// Needs the built app: `npm run build` first (startServe runs dist/).
let s: E2eSession;

beforeAll(async () => {
  s = await openE2eSession('map-views', { tokens: 16_384, maps: true, viewport: { width: 1280, height: 860 } });
  await compareDemoPair(s, 16_384);
}, 300_000);
afterAll(async () => s?.close());
// Each test opens a page of its own (Home, with the token; light theme, no zoom or colouring left over).
beforeEach(async () => {
  await s.freshPage();
});

async function open(hash: string): Promise<void> {
  await s.goto(hash);
  await s.page.locator('.stage canvas').waitFor();
}

describe('the map, for a researcher', () => {
  it('says how faithful the layout is: neighbours kept against chance, and how spread the directions are', async () => {
    await open(`#/map/${s.wideId}`);
    const note = s.page.getByRole('note');
    await expect
      .poll(() => note.textContent())
      .toMatch(/Of each feature’s 10 nearest decoder directions, \d+(\.\d)? % are among its 10 nearest points here/);
    await expect.poll(() => note.textContent()).toMatch(/cosine 0\.\d\d on average, against 0\.\d\d for random directions/);
  });

  it('colours by top token and by candidate label, with a legend of the most common ones', async () => {
    await open(`#/map/${s.narrowId}`);
    await s.page.getByRole('button', { name: 'Top token' }).click();
    await expect.poll(() => s.page.getByLabel('Legend: Fires most on').isVisible()).toBe(true);
    await s.page.getByRole('button', { name: 'Candidate' }).click();
    await expect.poll(() => s.page.getByLabel('Legend: Best candidate label').isVisible()).toBe(true);
    await s.page.getByRole('button', { name: 'Density' }).click();
  });

  it('keeps the density legend’s labels apart on the 4,096 map', async () => {
    await open(`#/map/${s.wideId}`);
    const ticks = s.page.locator('.legend .ticks span');
    await expect.poll(() => ticks.count()).toBeGreaterThan(1);
    const boxes = await ticks.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.right]));
    for (let i = 1; i < boxes.length; i++) expect(boxes[i][0]).toBeGreaterThanOrEqual(boxes[i - 1][1]);
  });

  it('zooms with its + and − buttons', async () => {
    await open(`#/map/${s.narrowId}`);
    const level = s.page.getByTestId('zoom-level');
    await s.page.getByRole('button', { name: 'Zoom in' }).click();
    await expect.poll(() => level.textContent()).toBe('1.4×');
    await s.page.getByRole('button', { name: 'Zoom out' }).click();
    await expect.poll(() => level.textContent()).toBe('1.0×');
  });

  it('on a joint map of compared SAEs, colours families and links a hovered feature to its children, in the SAE colours Compare uses', async () => {
    await open(`#/map/${mapParam([s.narrowId, s.wideId])}`);
    await s.page.getByRole('button', { name: 'Family' }).click();
    await expect.poll(() => s.page.getByLabel('Legend: Family (narrow parent)').isVisible()).toBe(true);
    // A narrow feature with matched children, and where the map draws it.
    const run = (await s.served.call<CompareRunSummary>('compare.get', { saeIds: [s.narrowId, s.wideId] }))!;
    const links = decodeLinks(await s.served.call<CompareLinks>('compare.links', { runId: run.runId, pair: 0, by: 'cosine' }));
    const children = new Map<number, number>();
    for (let w = 0; w < links.nWide; w++)
      if (links.parents[w] >= 0 && links.similarity[w] >= 0.5) children.set(links.parents[w], (children.get(links.parents[w]) ?? 0) + 1);
    const layout = buildLayout((await s.served.call<MapData>('maps.get', { saeIds: [s.narrowId, s.wideId] }))!);
    const box = (await s.page.locator('.stage canvas').boundingBox())!;
    const t = composeAffine(fitUnitSquare(box.width, box.height, mapMargin), { k: 1, x: 0, y: 0 });
    const xy = Array.from({ length: layout.n }, (_, p) => toScreen(t, layout.xy[2 * p], layout.xy[2 * p + 1]));
    // The parent with children whose point has the most room around it (so the hover finds it).
    let best = -1;
    let room = 0;
    for (const f of children.keys()) {
      const p = pointOf(layout, s.narrowId, f);
      const [x, y] = xy[p];
      if (x < 40 || y < 40 || x > box.width - 40 || y > box.height - 40) continue;
      let gap = Infinity;
      xy.forEach(([u, v], q) => q !== p && (gap = Math.min(gap, Math.hypot(u - x, v - y))));
      if (gap > room) [best, room] = [p, gap];
    }
    expect(best).toBeGreaterThanOrEqual(0);
    await s.page.mouse.move(box.x + xy[best][0], box.y + xy[best][1]);
    await expect.poll(async () => Number(await s.page.locator('.stage canvas').getAttribute('data-links'))).toBeGreaterThan(0);
    await s.page.screenshot({ path: join(s.shots, 'joint-family-light.png') });
    await setTheme(s.page, 'dark');
    await s.page.mouse.move(box.x + xy[best][0] + 1, box.y + xy[best][1]);
    await s.page.mouse.move(box.x + xy[best][0], box.y + xy[best][1]);
    await s.page.screenshot({ path: join(s.shots, 'joint-family-dark.png') });
    // The SAE colours: the narrow SAE's points have the first SAE colour, as in Compare.
    await s.page.getByRole('button', { name: 'SAE' }).click();
    const legend = await s.page
      .getByLabel('Legend: SAE')
      .locator('.item .dot')
      .evaluateAll((dots) => dots.map((d) => (d as unknown as { style: { background: string } }).style.background));
    const names = await s.page.getByLabel('Legend: SAE').locator('.item .name').allTextContents();
    const narrowName = s.saes[0].name;
    const at = names.indexOf(narrowName);
    expect(at).toBeGreaterThanOrEqual(0);
    // The legend's swatch is the theme's first SAE colour, resolved: compare it with the variable's value.
    const first = String(await s.page.evaluate(`getComputedStyle(document.documentElement).getPropertyValue('--map-sae-1').trim()`));
    const rgb = String(
      await s.page.evaluate(
        `(() => { const e = document.createElement('div'); e.style.color = ${JSON.stringify(first)}; document.body.append(e); const c = getComputedStyle(e).color; e.remove(); return c; })()`,
      ),
    );
    const swatch = String(
      await s.page.evaluate(
        `(() => { const e = document.createElement('div'); e.style.color = ${JSON.stringify(legend[at])}; document.body.append(e); const c = getComputedStyle(e).color; e.remove(); return c; })()`,
      ),
    );
    expect(swatch).toBe(rgb);
    await setTheme(s.page, 'light');
  });

  it('reloads in the dark theme with a dark canvas, not the light palette', async () => {
    await open(`#/map/${s.narrowId}`);
    await setTheme(s.page, 'dark');
    await s.page.reload();
    await s.page.locator('.stage canvas').waitFor();
    const pixel = () =>
      s.page.evaluate(`(() => {
      const c = document.querySelector('.stage canvas');
      if (!c || c.width === 0) return null;
      return Array.from(c.getContext('2d').getImageData(2, 2, 1, 1).data.slice(0, 3));
    })()`);
    await expect.poll(pixel).toEqual([0x1b, 0x1d, 0x22]);
    await s.page.screenshot({ path: join(s.shots, 'map-reload-dark.png') });
    await setTheme(s.page, 'light');
  });
});
