import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { featureKey } from '../../native/api/feature-key.js';
import type { FeatureKey, FeaturePageData, FeatureResults, LabelEvent, PromptResult, SaeSummary } from '../../native/api/types.js';
import { formatAct, formatPercentOf } from '../../renderer/src/lib/feature/format.js';
import { displayToken, quoteToken } from '../../renderer/src/lib/feature/token-display.js';
import { openE2eSession, type E2eSession } from '../helpers/e2e-session.js';
import type { Served } from '../helpers/serve.js';
import { testOutputDir } from '../helpers/tmp.js';

const shots = testOutputDir('e2e', 'feature');
let session: E2eSession;
let served: Served;
let page: Page;
let sae: SaeSummary;
/** The feature most tests work on, a second one with candidates for the accept key, and one each for the label tests that write history. */
let main: FeaturePageData;
let other: FeaturePageData;
let typed: FeaturePageData;
let undoable: FeaturePageData;
/** labelled by the Enter-while-searching test: one matches the query typed first, the other the query typed after it */
let earlier: FeaturePageData;
let later: FeaturePageData;

const featurePage = (key: FeatureKey) => served.call<FeaturePageData>('features.page', key);
const hash = (key: FeatureKey) => `#/feature/${encodeURIComponent(key.saeId)}/${key.index}`;
/** Navigates inside the app (a hash change, as a link does), without reloading the page. */
const goTo = (key: FeatureKey) => page.evaluate(`location.hash = ${JSON.stringify(hash(key))}`);
const heading = () => page.locator('h1').textContent();
const labelInput = () => page.getByRole('textbox', { name: 'Feature label' });
/** Waits until the page shows this feature's data (not the previous feature's, dimmed, while loading). */
const loaded = (key: FeatureKey) => page.locator(`.grid[data-loaded="${featureKey(key)}"]`).waitFor();
const saved = () => page.getByRole('status').filter({ hasText: '✓ Saved' }).waitFor();
/** Opens `key`'s page, then types `text` into the search box (reached with `/`, as a user does); returns the results list. */
const searchFrom = async (key: FeatureKey, text: string) => {
  await goTo(key);
  await loaded(key);
  await page.locator('h1').click();
  await page.keyboard.press('/');
  await page.keyboard.type(text);
  return page.getByRole('listbox', { name: 'Search results' });
};

/** Features with examples and candidate labels, in index order. */
async function richFeatures(saeId: string, wanted: number): Promise<FeaturePageData[]> {
  const found: FeaturePageData[] = [];
  for (let index = 0; found.length < wanted; index++) {
    const data = await featurePage({ saeId, index });
    if (data.top.length >= 5 && data.candidates.length > 0 && data.quantiles.length > 0 && data.boosted.length > 0) found.push(data);
  }
  return found;
}

beforeAll(async () => {
  session = await openE2eSession('feature', { tokens: 16_384, maps: false });
  ({ served, page } = session);
  const { saes } = session;
  sae = saes[0];
  [main, other, typed, undoable, earlier, later] = await richFeatures(sae.id, 6);
}, 180_000);

// Each test starts on a page of its own (Home, with the token) and goes where it works; the label
// tests each write their own feature's history, so no test depends on what another left.
beforeEach(async () => {
  page = await session.freshPage();
});

afterAll(async () => {
  await session?.close();
});

describe('the feature page in Chromium against loupe serve', () => {
  it('opens the first SAE at feature 0 from the bare route', async () => {
    await page.goto(`${served.url}#/feature`);
    await expect.poll(heading).toBe('Feature 0');
    expect(page.url()).toContain(hash({ saeId: sae.id, index: 0 }));
  });

  it('draws every panel from the index', async () => {
    await goTo(main.key);
    await loaded(main.key);
    expect(await heading()).toBe(`Feature ${main.key.index}`);
    const top = page.getByRole('region', { name: 'Top activations' });
    expect(await top.locator('li').count()).toBe(main.top.length);
    const first = main.top[0];
    const centre = displayToken(main.windows[first.window].tokens[first.maxPos]).text;
    expect(await top.locator('li').first().locator('.tok.max').textContent()).toBe(centre);
    const quantiles = page.getByRole('region', { name: 'Activation quantiles' });
    expect(await quantiles.locator('section').count()).toBe(main.quantiles.length);
    expect(await quantiles.locator('li').count()).toBe(main.quantiles.reduce((n, q) => n + q.examples.length, 0));
    const stats = page.getByRole('region', { name: 'Statistics' });
    await stats.getByText(formatAct(main.stats!.maxAct), { exact: true }).waitFor();
    expect(await stats.locator('svg rect').count()).toBeGreaterThan(0);
    // The histogram's count axis: round counts no larger than its tallest bin.
    const hist = main.stats!.histogram;
    const countLabels = (await stats.locator('svg text.count').allTextContents()).map((t) => Number(t.replaceAll(',', '')));
    expect(countLabels.length).toBeGreaterThan(0);
    for (const c of countLabels) expect(c).toBeLessThanOrEqual(Math.max(...hist.counts));
    const logits = page.getByRole('region', { name: 'Output logits' });
    await logits.getByText(quoteToken(main.boosted[0].token), { exact: true }).first().waitFor();
    await logits.getByText(quoteToken(main.suppressed[0].token), { exact: true }).first().waitFor();
    expect(await page.getByRole('region', { name: 'Fires most on' }).locator('li').count()).toBe(main.frequent.length);
    const neighbours = page.getByRole('region', { name: 'Neighbours' });
    expect(await neighbours.getByRole('listitem').getByRole('link').count()).toBe(
      main.neighbours.within.length + main.neighbours.across.length,
    );
    const candidates = page.getByLabel('Candidate labels');
    await candidates.getByText(main.candidates[0].tag, { exact: true }).waitFor();
    await page.screenshot({ path: join(shots, 'feature-light.png'), fullPage: true });
  });

  it('tests the feature on typed text through the Prompt view’s encode path', async () => {
    await goTo(main.key);
    await loaded(main.key);
    // The context of the feature's strongest example, up to the token where it peaks.
    const first = main.top[0];
    const text = main.windows[first.window].tokens.slice(1, first.maxPos + 1).join('');
    const run = await served.call<PromptResult>('prompt.run', { saeId: sae.id, text });
    const mine = run.features.find((f) => f.index === main.key.index);
    expect(mine).toBeDefined();
    const box = page.getByRole('textbox', { name: 'Text to test the feature on' });
    await box.fill(text);
    const panel = page.getByRole('region', { name: 'Try it on your text' });
    await expect
      .poll(() => panel.getByRole('status').textContent())
      .toContain(`Fires on ${mine!.count} of ${run.tokens.length} tokens, max ${formatAct(mine!.max)}`);
    const strip = panel.getByRole('listbox', { name: 'Tokens' });
    expect(await strip.locator('.tok').allTextContents()).toEqual(run.tokens.map((t) => displayToken(t.text).text));
    expect(await strip.locator('.tok[style*="background"]').count()).toBeGreaterThan(0);
    await panel.screenshot({ path: join(shots, 'try-text-light.png') });
    // Typing in the box is never a page shortcut (j would open the next feature).
    await box.press('j');
    expect(await heading()).toBe(`Feature ${main.key.index}`);
    await box.fill('');
  });

  it('shows a token’s activation on hover', async () => {
    await goTo(main.key);
    await loaded(main.key);
    const maxToken = page.getByRole('region', { name: 'Top activations' }).locator('li').first().locator('.tok.max');
    await maxToken.hover();
    const tooltip = page.getByRole('tooltip');
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toContain(formatAct(main.top[0].maxAct));
    await page.screenshot({ path: join(shots, 'feature-hover.png') });
  });

  it('opens a neighbour in the other SAE by clicking it, and comes back with Back', async () => {
    const across = main.neighbours.across[0];
    expect(across.other.saeId).not.toBe(sae.id);
    await goTo(main.key);
    await loaded(main.key);
    await page
      .getByRole('region', { name: 'Neighbours' })
      .getByRole('link')
      .filter({ hasText: `#${across.other.index}` })
      .last()
      .click();
    await loaded(across.other);
    expect(await page.getByRole('combobox', { name: 'SAE' }).inputValue()).toBe(across.other.saeId);
    await page.screenshot({ path: join(shots, 'feature-wide-sae.png') });
    await page.goBack();
    await loaded(main.key);
  });

  it('saves label, tags and notes as they are typed; they survive a reload and are in the history', async () => {
    await goTo(typed.key);
    await loaded(typed.key);
    await labelInput().fill('e2e saved as typed');
    await saved();
    await page.getByRole('textbox', { name: 'Add a tag' }).fill('syntax');
    await page.keyboard.press('Enter');
    await saved();
    await page.getByRole('textbox', { name: 'Notes' }).fill('fires on the word after a verb');
    await saved();
    await page.reload();
    await expect.poll(() => labelInput().inputValue()).toBe('e2e saved as typed');
    expect(await page.getByRole('textbox', { name: 'Notes' }).inputValue()).toBe('fires on the word after a verb');
    await page.getByRole('button', { name: 'Remove tag syntax' }).waitFor();
    const history = await served.call<LabelEvent[]>('labels.history', { saeId: typed.key.saeId, index: typed.key.index });
    expect(history.map((e) => [e.field, e.new])).toEqual([
      ['notes', 'fires on the word after a verb'],
      ['tag', 'syntax'],
      ['label', 'e2e saved as typed'],
    ]);
    await page.getByRole('region', { name: 'History' }).getByText('e2e saved as typed').waitFor();
  });

  it('undoes with Ctrl+Z outside text fields and with the Undo button', async () => {
    // Its own feature's history: a label, a tag, then notes, as three changes.
    const key = undoable.key;
    await served.call('labels.set', { ...key, label: 'e2e first thought' });
    await served.call('labels.set', { ...key, tags: ['syntax'] });
    await served.call('labels.set', { ...key, notes: 'fires on the word after a verb' });
    await goTo(key);
    await loaded(key);
    await expect.poll(() => labelInput().inputValue()).toBe('e2e first thought');
    await labelInput().fill('a second thought');
    await saved();
    await page.locator('h1').click();
    await page.keyboard.press('Control+z');
    await expect.poll(() => labelInput().inputValue()).toBe('e2e first thought');
    const [newest] = await served.call<LabelEvent[]>('labels.history', { saeId: key.saeId, index: key.index, limit: 1 });
    expect(newest).toMatchObject({ source: 'undo', field: 'label', new: 'e2e first thought' });
    await page.getByRole('button', { name: '↶ Undo' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Notes' }).inputValue()).toBe('');
    expect((await featurePage(key)).label).toMatchObject({ label: 'e2e first thought', notes: '', tags: ['syntax'] });
  });

  it('accepts the best candidate label with the a key', async () => {
    await goTo(other.key);
    await expect.poll(heading).toBe(`Feature ${other.key.index}`);
    await page.keyboard.press('a');
    await expect.poll(() => labelInput().inputValue()).toBe(other.candidates[0].tag);
    await saved();
    expect((await featurePage(other.key)).label.label).toBe(other.candidates[0].tag);
  });

  it('finds the typed label with the search box and opens it with Enter', async () => {
    await served.call('labels.set', { ...main.key, label: 'e2e capitalised determiner' });
    const results = await searchFrom(other.key, 'capitalis');
    const hit = results.getByRole('option').filter({ hasText: 'e2e capitalised determiner' });
    await hit.waitFor();
    expect(await hit.textContent()).toContain(`#${main.key.index}`);
    await page.screenshot({ path: join(shots, 'search.png') });
    await page.keyboard.press('Enter');
    await expect.poll(heading).toBe(`Feature ${main.key.index}`);
    expect(page.url()).toContain(hash(main.key));
  });

  it('opens the top result of what is typed on Enter, waiting for its reply instead of opening the list still on screen', async () => {
    await served.call('labels.set', { ...earlier.key, label: 'e2e quokka' });
    await served.call('labels.set', { ...later.key, label: 'e2e quoll' });
    const top = async (text: string) =>
      (await served.call<FeatureResults>('features.search', { saeId: sae.id, text, limit: 12 })).items[0]?.key;
    expect(await top('quokka')).toEqual(earlier.key);
    expect(await top('quoll')).toEqual(later.key);
    const results = await searchFrom(main.key, 'quokka');
    await results.getByRole('option').filter({ hasText: 'e2e quokka' }).waitFor();
    // The reply for "quoll" is held back for 2 s: until it comes the list shows quokka's, marked busy.
    await page.route('**/api/call', async (route) => {
      const call = route.request().postDataJSON() as { method: string; params: { text?: string } };
      if (call.method === 'features.search' && call.params.text === 'quoll') await new Promise((done) => setTimeout(done, 2000));
      await route.continue();
    });
    await page.getByRole('searchbox', { name: 'Search features' }).fill('quoll');
    await expect.poll(() => results.getAttribute('aria-busy')).toBe('true');
    await page.keyboard.press('Enter');
    await expect.poll(heading).toBe(`Feature ${later.key.index}`);
    expect(page.url()).toContain(hash(later.key));
    await page.unroute('**/api/call');
  });

  it('ranks search results by relevance, says what matched, and searches every SAE from the picker', async () => {
    const wide = session.saes[1];
    const expected = await served.call<FeatureResults>('features.search', { saeId: sae.id, text: 'the', limit: 12 });
    const top = expected.items[0].matches[0];
    expect(top.kind).toBe('token');
    const relevance = expected.items.map((i) => i.relevance ?? 0);
    expect(relevance).toEqual([...relevance].sort((a, b) => b - a));
    const results = await searchFrom(main.key, 'the ');
    const options = results.getByRole('option');
    // Each keystroke searches; until the reply for "the" arrives the list shows the one for "t" or "th",
    // which has as many rows, so wait for the rows themselves.
    await expect.poll(() => options.locator('.index').allTextContents()).toEqual(expected.items.map((i) => `#${i.key.index}`));
    const first = await options.first().textContent();
    expect(first).toContain(`#${expected.items[0].key.index}`);
    expect(first).toContain(top.kind === 'token' ? `fires on ${quoteToken(top.token)} ${formatPercentOf(top.share, 1)}` : '');
    await page.screenshot({ path: join(shots, 'search-tokens-light.png') });

    await page.getByRole('combobox', { name: 'Search in' }).selectOption({ label: 'all SAEs' });
    const everywhere = await served.call<FeatureResults>('features.search', { saeId: sae.id, text: 'the', limit: 12, allSaes: true });
    expect(new Set(everywhere.items.map((i) => i.key.saeId))).toEqual(new Set([sae.id, wide.id]));
    await expect.poll(() => options.locator('.sae').allTextContents()).toEqual(everywhere.items.map((i) => i.saeName));
    await page.screenshot({ path: join(shots, 'search-all-saes-light.png') });
    // The theme button takes the focus (the list closes); `/` brings it back, with the mouse away from it.
    const reopen = async () => {
      await page.mouse.move(1200, 10);
      await page.keyboard.press('/');
      await options.first().waitFor();
    };
    await page.getByRole('button', { name: 'Switch theme' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await reopen();
    await page.screenshot({ path: join(shots, 'search-all-saes-dark.png') });
    await page.getByRole('button', { name: 'Switch theme' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('light');

    // Arrow down to the first result of the wide SAE and open it: the feature page follows its SAE.
    await reopen();
    const target = everywhere.items.findIndex((i) => i.key.saeId === wide.id);
    for (let i = 0; i < target; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await loaded(everywhere.items[target].key);
    expect(await page.getByRole('combobox', { name: 'SAE' }).inputValue()).toBe(wide.id);
    await page.keyboard.press('/');
    await page.getByRole('combobox', { name: 'Search in' }).selectOption({ label: sae.name });
    await page.keyboard.press('Escape');
    await goTo(main.key);
    await loaded(main.key);
  });

  it('flips through features with j and k, showing the newest one after fast flips', async () => {
    await goTo(main.key);
    await loaded(main.key);
    await page.locator('h1').click();
    await page.keyboard.press('j');
    await loaded({ saeId: sae.id, index: main.key.index + 1 });
    expect(await heading()).toBe(`Feature ${main.key.index + 1}`);
    await page.keyboard.press('k');
    await loaded(main.key);
    // Five flips without waiting: the requests overlap and only the newest page may end up shown.
    for (let i = 0; i < 5; i++) await page.keyboard.press(']');
    const target = await featurePage({ saeId: sae.id, index: main.key.index + 5 });
    await loaded(target.key);
    expect(await heading()).toBe(`Feature ${target.key.index}`);
    const top = page.getByRole('region', { name: 'Top activations' });
    expect(await top.locator('li').count()).toBe(target.top.length);
    expect(await top.locator('li button').first().textContent()).toContain(formatAct(target.top[0].maxAct));
  });

  it('looks right in the dark theme', async () => {
    await goTo(main.key);
    await loaded(main.key);
    await page.getByRole('button', { name: 'Switch theme' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    await page.getByRole('region', { name: 'Top activations' }).locator('li').first().waitFor();
    await page.screenshot({ path: join(shots, 'feature-dark.png'), fullPage: true });
  });
});
