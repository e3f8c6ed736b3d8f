import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompareLinks, CompareRunSummary, PromptResult } from '../../native/api/types.js';
import { decodeLinks } from '../../renderer/src/lib/compare/links.js';
import { strongestFeatures } from '../../renderer/src/lib/prompt/acts.js';
import { contrastOnText } from '../../renderer/src/lib/prompt/contrast.js';
import { PROMPT_SENTENCE, compareDemoPair, openE2eSession, type E2eSession } from '../helpers/e2e-session.js';
import { setTheme } from '../helpers/browser.js';

// Needs the built app: `npm run build` first (startServe runs dist/).
let s: E2eSession;

beforeAll(async () => {
  s = await openE2eSession('prompt-pair', { tokens: 8192, maps: false, viewport: { width: 1320, height: 1100 } });
}, 240_000);
afterAll(async () => s?.close());

const strips = () => s.page.getByRole('listbox', { name: 'Tokens' });

/** A page of its own on the pair's Prompt view with the sentence run through both SAEs. */
async function openPair(): Promise<void> {
  await s.freshPage(`#/prompt/${s.narrowId}/${s.wideId}`);
  await s.page.getByRole('textbox', { name: 'Prompt text' }).fill(PROMPT_SENTENCE);
  // The first prompt loads both models and sessions: on a loaded machine that outlasts expect.poll's 1 s.
  await strips().nth(1).waitFor();
  await expect.poll(() => strips().count()).toBe(2);
  await expect.poll(async () => (await strips().nth(1).locator('.tok').allTextContents()).join('')).toBe(PROMPT_SENTENCE);
}

describe('one text through two SAEs', () => {
  it('shows both strips on the same tokens, lists features with top tokens and density, and says whether the pair was compared', async () => {
    await openPair();
    expect((await strips().nth(0).locator('.tok').allTextContents()).join('')).toBe(PROMPT_SENTENCE);
    // The last test compares the pair; in whichever order they run, the page says what the store holds.
    const compared = await s.served.call<CompareRunSummary | null>('compare.get', { saeIds: [s.narrowId, s.wideId] });
    if (compared === null) await s.page.getByText('These two SAEs have not been compared').waitFor();
    else await s.page.getByRole('region', { name: 'Fires only in the narrower SAE' }).waitFor();
    const strongest = s.page.getByRole('list', { name: 'Strongest features on the text' });
    await expect.poll(() => strongest.getByText('of tokens').count()).toBeGreaterThan(0);
    // Clicking a token lists its features in both SAEs.
    await strips().nth(0).locator('.tok').nth(3).click();
    await s.page.getByRole('list', { name: "Second SAE's features on the selected token" }).waitFor();
  });

  it('reads the text without a BOS when asked, and both SAEs follow', async () => {
    const first = async (id: string, bos: boolean) =>
      (await s.served.call<PromptResult>('prompt.run', { saeId: id, text: PROMPT_SENTENCE, prependBos: bos })).perToken[0].values.join(',');
    expect(await first(s.narrowId, true)).not.toBe(await first(s.narrowId, false));
    await openPair();
    const tokenZero = s.page.getByRole('list', { name: 'Features on the selected token', exact: true });
    const otherZero = s.page.getByRole('list', { name: "Second SAE's features on the selected token" });
    await strips().nth(0).locator('.tok').nth(0).click();
    await expect.poll(() => tokenZero.locator('li').count()).toBeGreaterThan(0);
    const [withBos, otherWithBos] = [await tokenZero.textContent(), await otherZero.textContent()];
    await s.page.getByLabel('BOS first').uncheck();
    await expect.poll(() => tokenZero.textContent()).not.toBe(withBos);
    await expect.poll(() => otherZero.textContent()).not.toBe(otherWithBos);
    await s.page.getByLabel('BOS first').check();
    await expect.poll(() => tokenZero.textContent()).toBe(withBos);
    await expect.poll(() => otherZero.textContent()).toBe(otherWithBos);
  });

  it('lists what fires in one SAE and not the other, as the stored comparison matches them', async () => {
    await compareDemoPair(s, 8192);
    const run = (await s.served.call<CompareRunSummary | null>('compare.get', { saeIds: [s.narrowId, s.wideId] }))!;
    const links = decodeLinks(
      await s.served.call<CompareLinks>('compare.links', { runId: run.runId, pair: run.pairs[0].pair, by: 'cosine' }),
    );
    const [narrow, wide] = await Promise.all(
      [s.narrowId, s.wideId].map((saeId) => s.served.call<PromptResult>('prompt.run', { saeId, text: PROMPT_SENTENCE })),
    );
    const expected = contrastOnText(strongestFeatures(narrow, 10_000), strongestFeatures(wide, 10_000), links);
    expect(expected.narrowOnly.length + expected.wideOnly.length).toBeGreaterThan(0);

    await openPair();
    const narrowOnly = s.page.getByRole('region', { name: 'Fires only in the narrower SAE' });
    await narrowOnly.waitFor();
    expect(await narrowOnly.locator('h3 .small').textContent()).toBe(String(expected.narrowOnly.length));
    const wideOnly = s.page.getByRole('region', { name: 'Fires only in the wider SAE' });
    expect(await wideOnly.locator('h3 .small').textContent()).toBe(String(expected.wideOnly.length));
    const shown = await wideOnly
      .locator('li[data-feature]')
      .evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { feature: string } }).dataset.feature)));
    expect(shown).toEqual(expected.wideOnly.slice(0, 12).map((f) => f.index));
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(s.page, theme);
      await s.page.screenshot({ path: join(s.shots, `prompt-pair-${theme}.png`), fullPage: true });
    }
  }, 240_000);
});
