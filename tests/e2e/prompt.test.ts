import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PromptResult, SaeSummary } from '../../native/api/types.js';
import { heatmapLayout } from '../../renderer/src/lib/prompt/heatmap-layout.js';
import { PROMPT_SENTENCE, openE2eSession, type E2eSession } from '../helpers/e2e-session.js';
import type { Served } from '../helpers/serve.js';

let session: E2eSession;
let served: Served;
let page: Page;
let sae: SaeSummary;

/** What the test reads of the canvas in the page (the test's own types have no DOM). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** The heat map cell's centre (token t, feature row f) in page coordinates, from the canvas box and the drawn layout. */
async function heatCell(t: number, f: number): Promise<{ x: number; y: number }> {
  const canvas = page.getByRole('region', { name: 'Heat map' }).locator('canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  // The margins the view draws with: the layout's defaults, and the label column it sized to the labels.
  const { top, right, cellHeight } = heatmapLayout(1, 1, 0);
  const left = Number(await canvas.getAttribute('data-left'));
  const nTokens = await page.locator('.strip .tok').count();
  const cellWidth = (box.width - left - right) / nTokens;
  return { x: box.x + left + (t + 0.5) * cellWidth, y: box.y + top + (f + 0.5) * cellHeight };
}

beforeAll(async () => {
  session = await openE2eSession('prompt', { tokens: 8192, maps: false });
  ({ served, page } = session);
  const { saes } = session;
  sae = saes[0];
}, 180_000);

afterAll(async () => {
  await session?.close();
});

// Each test opens a page of its own (Home, with the token, light theme) and sets up its own text.
beforeEach(async () => {
  page = await session.freshPage();
});
/** The Prompt view of the first SAE with PROMPT_SENTENCE run through it. */
async function openWithSentence(): Promise<void> {
  await page.goto(`${served.url.split('?')[0]}#/prompt/${sae.id}`);
  await page.getByRole('textbox', { name: 'Prompt text' }).fill(PROMPT_SENTENCE);
  await expect.poll(() => page.getByRole('listbox', { name: 'Tokens' }).locator('.tok').count()).toBeGreaterThan(15);
}
/** The dark theme, as its button sets it. */
async function dark(): Promise<void> {
  await page.getByRole('button', { name: 'Switch theme' }).click();
  await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
}

describe('Prompt view in Chromium against loupe serve', () => {
  it('opens on the first SAE, runs typed text and colours the tokens by the strongest feature', async () => {
    await page.getByRole('link', { name: 'Prompt', exact: true }).click();
    await expect.poll(() => page.url()).toContain(`#/prompt/${sae.id}`);
    await page.getByRole('textbox', { name: 'Prompt text' }).fill(PROMPT_SENTENCE);
    const strip = page.getByRole('listbox', { name: 'Tokens' });
    await strip.locator('.tok').first().waitFor();
    await expect.poll(() => strip.locator('.tok').count()).toBeGreaterThan(15);
    // The strip reads back as the text, and the strongest feature tints some tokens but not all.
    expect((await strip.locator('.tok').allTextContents()).join('')).toBe(PROMPT_SENTENCE);
    const tinted = await strip.locator('.tok[style*="background"]').count();
    expect(tinted).toBeGreaterThan(0);
    await page.getByText(/\d+ tokens · \d+ features fire/).waitFor();
    await page.screenshot({ path: join(session.shots, 'prompt-typed.png'), fullPage: true });
  });

  it("shows the value on hover, lists a clicked token's features, and colours by a clicked feature", async () => {
    await openWithSentence();
    const strip = page.getByRole('listbox', { name: 'Tokens' });
    const token = strip.locator('.tok[data-pos="2"]');
    await token.hover();
    await page.getByRole('tooltip').getByText('token 2').waitFor();
    await token.click();
    await expect.poll(() => token.getAttribute('aria-selected')).toBe('true');
    const list = page.getByRole('list', { name: 'Features on the selected token' });
    await expect.poll(() => list.locator('li').count()).toBeGreaterThan(3);
    const second = list.locator('li').nth(1);
    const feature = Number(await second.getAttribute('data-feature'));
    await second.getByRole('button').click();
    const legend = page.getByRole('region', { name: 'Tokens' }).locator('.legend');
    await expect
      .poll(() => legend.getByRole('link', { name: 'Open feature →' }).getAttribute('href'))
      .toBe(`#/feature/${sae.id}/${feature}`);
    await expect.poll(() => second.getAttribute('class')).toContain('active');
    // The chosen feature fires on the selected token, so that token is tinted now.
    await expect.poll(() => token.getAttribute('style')).toContain('background');
    await strip.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => strip.locator('.tok[data-pos="3"]').getAttribute('aria-selected')).toBe('true');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(session.shots, 'prompt-token.png') });
  });

  it('draws the heat map and answers hover and click on its cells', async () => {
    await openWithSentence();
    const region = page.getByRole('region', { name: 'Heat map' });
    const canvas = region.locator('canvas');
    await canvas.waitFor();
    const box = (await canvas.boundingBox())!;
    expect(box.height).toBe(heatmapLayout(1, 24, 0).height);
    // Something was drawn: the canvas has non-transparent pixels in its cell area.
    const inked = await canvas.evaluate((el) => {
      const c = el as unknown as Canvas;
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(1000);
    const { x, y } = await heatCell(0, 0);
    await page.mouse.move(x, y);
    await page.getByRole('tooltip').getByText('token 0').waitFor();
    await page.screenshot({ path: join(session.shots, 'prompt-heatmap-hover.png') });
    await page.mouse.click(x, y);
    // Clicking row 0 colours by the strongest feature again and selects token 0.
    const strongest = page.getByRole('list', { name: 'Strongest features on the text' }).locator('li').first();
    await expect.poll(() => strongest.getAttribute('class')).toContain('active');
    await expect.poll(() => page.locator('.strip .tok[data-pos="0"]').getAttribute('aria-selected')).toBe('true');
  });

  it('keeps working in the dark theme, and newer text replaces the result', async () => {
    await openWithSentence();
    // Colour by a feature other than the strongest, as a click in the features list does.
    const second = page.getByRole('list', { name: 'Strongest features on the text' }).locator('li').nth(1);
    await second.getByRole('button').first().click();
    await expect.poll(() => second.getAttribute('class')).toContain('active');
    await dark();
    const open = page.getByRole('region', { name: 'Tokens' }).getByRole('link', { name: 'Open feature →' });
    const chosen = Number((await open.getAttribute('href'))!.split('/').pop());
    const text = 'Mr. Brown said that the committee would meet in Washington on Monday.';
    const fires = (await served.call<PromptResult>('prompt.run', { saeId: sae.id, text })).features.some((f) => f.index === chosen);
    const box = page.getByRole('textbox', { name: 'Prompt text' });
    await box.fill(text);
    await box.press('Control+Enter');
    await expect.poll(async () => (await page.locator('.strip .tok').allTextContents()).join('')).toContain('Washington');
    // The feature chosen on the old text may not fire on the new one: the legend says so and offers the strongest.
    const reset = page.getByRole('button', { name: 'Colour by the strongest' });
    await expect.poll(() => reset.isVisible()).toBe(!fires);
    if (!fires) await reset.click();
    await expect.poll(() => page.locator('.strip .tok[style*="background"]').count()).toBeGreaterThan(0);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(session.shots, 'prompt-dark.png'), fullPage: true });
  });

  it('cuts a long paste to the model context with a note, and the heat map scrolls sideways', async () => {
    await openWithSentence();
    await dark();
    const box = page.getByRole('textbox', { name: 'Prompt text' });
    await box.fill(
      'The Fulton County Grand Jury said Friday an investigation of the recent primary election produced no evidence. '.repeat(20),
    );
    await box.press('Control+Enter');
    await page.getByText(/reads at most 256 tokens/).waitFor();
    await expect.poll(() => page.locator('.strip .tok').count()).toBe(255);
    const wrap = page.getByRole('region', { name: 'Heat map' }).locator('.wrap');
    expect(await wrap.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(session.shots, 'prompt-long-dark.png'), fullPage: true });
  });
});
