import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { featureKey } from '../../native/api/feature-key.js';
import type { FeaturePageData, LabelsFile, LogitHistogram, LossEffect, PromptResult } from '../../native/api/types.js';
import { formatAct, formatCount, formatUnit } from '../../renderer/src/lib/feature/format.js';
import { formatRatio } from '../../renderer/src/lib/prompt/reconstruction.js';
import { PROMPT_SENTENCE, compareDemoPair, openE2eSession, type E2eSession } from '../helpers/e2e-session.js';
import { setTheme } from '../helpers/browser.js';

// Needs the built app: `npm run build` first (startServe runs dist/).
// Issue 18's last pieces: label undo and engine-built exports in the queue, the Prompt view's
// reconstruction row, the feature page's logit histogram and cross-SAE correlations.
let s: E2eSession;

beforeAll(async () => {
  s = await openE2eSession('researcher-day', { tokens: 8192, maps: false, viewport: { width: 1320, height: 1000 } });
}, 240_000);
afterAll(async () => s?.close());
// Each test opens a page of its own (Home, with the token, light theme) and goes to its own route.
beforeEach(async () => {
  await s.freshPage();
});

/** Waits for a condition as long as a loaded machine may need (expect.poll's default is 1 s). */
const until = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });
const signed = (v: number) => (v > 0 ? `+${formatAct(v)}` : formatAct(v));

async function shoot(name: string, fullPage = true): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(s.page, theme);
    await s.page.screenshot({ path: join(s.shots, `${name}-${theme}.png`), fullPage });
  }
  await s.page.getByRole('button', { name: 'Switch theme' }).click();
}

const labelOf = async (index: number, saeId = s.narrowId) =>
  (await s.served.call<FeaturePageData>('features.page', { saeId, index })).label.label;
/** The narrow SAE's two labels the export tests read, set as the queue test leaves its own SAE's. */
async function labelNarrow(): Promise<void> {
  await s.served.call('labels.set', { saeId: s.narrowId, index: 0, label: 'first, relabelled' });
  await s.served.call('labels.set', { saeId: s.narrowId, index: 1, label: 'the right label' });
  await s.goto(`#/labels/${s.narrowId}`);
  await until(() => s.page.locator('article .id').textContent()).toBe('#2');
}

describe("label queue: undo and the engine's files", () => {
  it('undoes the last label with z, goes back to that feature, and takes a new label there', async () => {
    // The wide SAE's queue: no other test labels it, so it starts at #0 in any order.
    await s.goto(`#/labels/${s.wideId}`);
    const heading = s.page.locator('article .id');
    const label = s.page.getByRole('textbox', { name: 'Label' });
    await until(() => heading.textContent()).toBe('#0');
    await s.page.keyboard.press('l');
    await s.page.keyboard.type('first try');
    await s.page.keyboard.press('Enter');
    await until(() => heading.textContent()).toBe('#1');
    await s.page.keyboard.press('l');
    await s.page.keyboard.type('a wrong label');
    await s.page.keyboard.press('Enter');
    await until(() => heading.textContent()).toBe('#2');
    await until(() => labelOf(1, s.wideId)).toBe('a wrong label');
    // z: the newest change (feature 1's label) is undone and the queue is back on feature 1.
    await s.page.keyboard.press('z');
    await until(() => heading.textContent()).toBe('#1');
    await until(() => label.inputValue()).toBe('');
    expect(await labelOf(1, s.wideId)).toBe('');
    await s.page.keyboard.press('l');
    await s.page.keyboard.type('the right label');
    await s.page.keyboard.press('Escape');
    await until(() => labelOf(1, s.wideId)).toBe('the right label');
    // The button walks further back: feature 1's new label, then feature 0's.
    await s.page.getByRole('button', { name: 'Undo last label change' }).click();
    await until(() => labelOf(1, s.wideId)).toBe('');
    await s.page.getByRole('button', { name: 'Undo last label change' }).click();
    await until(() => heading.textContent()).toBe('#0');
    await until(() => labelOf(0, s.wideId)).toBe('');
    await s.page.keyboard.press('l');
    await s.page.keyboard.type('first, relabelled');
    await s.page.keyboard.press('Enter');
    await until(() => heading.textContent()).toBe('#1');
    await s.page.keyboard.press('l');
    await s.page.keyboard.type('the right label');
    await s.page.keyboard.press('Escape');
    await until(() => labelOf(1, s.wideId)).toBe('the right label');
    expect(await labelOf(0, s.wideId)).toBe('first, relabelled');
  });

  it('downloads the JSON the engine built, naming SAE, hook, model and corpus', async () => {
    await labelNarrow();
    const [download] = await Promise.all([s.page.waitForEvent('download'), s.page.getByRole('button', { name: 'JSON' }).click()]);
    expect(download.suggestedFilename()).toBe(`${s.narrowId}-labels.json`);
    const file = JSON.parse(readFileSync((await download.path())!, 'utf8')) as Record<string, unknown> & {
      labels: { index: number; label: string }[];
    };
    const sae = s.saes[0];
    expect(file).toMatchObject({
      format: 'loupe-labels',
      saeId: s.narrowId,
      sae: { id: s.narrowId, dSae: 512 },
      hook: sae.hookName,
      model: { id: s.modelId },
      corpus: { spec: 'brown', contextLength: expect.any(Number) },
    });
    expect(file.labels.map((l) => [l.index, l.label])).toEqual([
      [0, 'first, relabelled'],
      [1, 'the right label'],
    ]);
  });

  it('exports for Neuronpedia from the UI: the gzipped Explanation rows labels.export writes', async () => {
    await labelNarrow();
    await s.page.getByRole('button', { name: 'Neuronpedia…' }).click();
    const form = s.page.getByRole('form', { name: 'Export for Neuronpedia' });
    await form.getByRole('textbox', { name: 'Model id' }).fill('loupe-demo');
    await form.getByRole('textbox', { name: 'Source id' }).fill('0-mlp-topk512');
    await form.getByRole('textbox', { name: 'Author id' }).fill('clx0me');
    await shoot('queue-neuronpedia', false);
    const [download] = await Promise.all([s.page.waitForEvent('download'), form.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe(`${s.narrowId}-explanations.jsonl.gz`);
    const rows = gunzipSync(readFileSync((await download.path())!)).toString('utf8');
    const engine = await s.served.call<LabelsFile>('labels.export', {
      saeId: s.narrowId,
      format: 'neuronpedia',
      neuronpedia: { modelId: 'loupe-demo', layer: '0-mlp-topk512', authorId: 'clx0me' },
    });
    expect(rows).toBe(gunzipSync(Buffer.from(engine.content, 'base64')).toString('utf8'));
    expect(
      rows
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, string>)
        .map((r) => [r.modelId, r.layer, r.index, r.description, r.authorId]),
    ).toEqual([
      ['loupe-demo', '0-mlp-topk512', '0', 'first, relabelled', 'clx0me'],
      ['loupe-demo', '0-mlp-topk512', '1', 'the right label', 'clx0me'],
    ]);
    await until(() => s.page.getByRole('status').filter({ hasText: 'explanations.jsonl.gz' }).count()).toBe(1);
  });
});

describe('Prompt: reconstruction error per token', () => {
  it('shows ‖x − x̂‖²/‖x‖² of every token under each strip, as prompt.run gives it', async () => {
    await s.goto(`#/prompt/${s.narrowId}/${s.wideId}`);
    await s.page.getByRole('textbox', { name: 'Prompt text' }).fill(PROMPT_SENTENCE);
    const rows = s.page.getByRole('region', { name: 'Reconstruction error per token' });
    // The first prompt loads both SAEs' models and sessions: wait as long as that takes.
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    const [narrow, wide] = await Promise.all(
      [s.narrowId, s.wideId].map((saeId) => s.served.call<PromptResult>('prompt.run', { saeId, text: PROMPT_SENTENCE })),
    );
    for (const [i, result] of [narrow, wide].entries()) {
      const r = result.reconstruction!;
      const row = rows.nth(i);
      await until(() => row.getByTestId('recon-overall').textContent()).toBe(formatRatio(r.overall));
      const cells = row.locator('button.cell');
      expect(await cells.count()).toBe(result.tokens.length);
      expect(await cells.nth(3).getAttribute('aria-label')).toContain(`error ${formatRatio(r.relativeError[3])}`);
    }
    // The wider SAE reconstructs this text better than the narrow one.
    expect(wide.reconstruction!.overall!).toBeLessThan(narrow.reconstruction!.overall!);
    await rows.nth(0).locator('button.cell').nth(5).click();
    await until(() => s.page.locator('.strip .tok.selected').count()).toBe(2);
    await shoot('prompt-reconstruction');
  });
});

describe('feature page: logit histogram and cross-SAE correlations', () => {
  it('draws W_dec·W_U over the whole vocabulary as features.logitHistogram bins it', async () => {
    await s.goto(`#/feature/${s.wideId}/3`);
    const panel = s.page.getByRole('region', { name: 'Logit histogram' });
    await panel.getByTestId('logit-summary').waitFor();
    const h = await s.served.call<LogitHistogram>('features.logitHistogram', { saeId: s.wideId, index: 3 });
    await until(() => panel.getByTestId('logit-summary').textContent()).toBe(
      `${formatCount(h.dVocab)} tokens · mean ${signed(h.mean)} · sd ${formatAct(h.std)} · range ${signed(h.min)} to ${signed(h.max)}`,
    );
    const counts = await panel.locator('rect').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    expect(counts).toEqual(h.counts);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(h.dVocab);
    const page = await s.served.call<FeaturePageData>('features.page', { saeId: s.wideId, index: 3 });
    expect(Math.abs(h.max - page.boosted[0].value)).toBeLessThan(1e-4 * Math.abs(page.boosted[0].value));
  });

  it('shows on hover how much ablating the feature changes the loss of predicting that token', async () => {
    await s.goto(`#/feature/${s.wideId}/3`);
    await s.page.locator(`.grid[data-loaded="${featureKey({ saeId: s.wideId, index: 3 })}"]`).waitFor();
    const page = await s.served.call<FeaturePageData>('features.page', { saeId: s.wideId, index: 3 });
    const top = page.top[0];
    const window = page.windows[top.window].index;
    const effect = await s.served.call<LossEffect>('features.lossEffect', { saeId: s.wideId, index: 3, window });
    const pos = top.maxPos + 1 < effect.effect.length ? top.maxPos + 1 : top.maxPos;
    const examples = s.page.getByRole('region', { name: 'Top activations' });
    await examples.locator(`li[data-ex="0"] .tok[data-pos="${pos}"]`).hover();
    const tip = s.page.getByRole('tooltip').getByTestId('loss-effect');
    const v = effect.effect[pos]!;
    await until(() => tip.textContent()).toContain(`Δloss if ablated ${v > 0 ? `+${v.toPrecision(2)}` : v.toPrecision(2)}`);
    await s.page.screenshot({ path: join(s.shots, 'feature-loss-effect-light.png') });
    await s.page.getByRole('button', { name: 'Switch theme' }).click();
    await examples.locator(`li[data-ex="0"] .tok[data-pos="${pos}"]`).hover();
    await until(() => tip.textContent()).toContain('Δloss if ablated');
    await s.page.screenshot({ path: join(s.shots, 'feature-loss-effect-dark.png') });
    await s.page.getByRole('button', { name: 'Switch theme' }).click();
  });

  it('says why cross-SAE correlations are absent, then fills them from a comparison of the two SAEs', async () => {
    await s.goto(`#/feature/${s.wideId}/3`);
    await s.page.locator(`.grid[data-loaded="${featureKey({ saeId: s.wideId, index: 3 })}"]`).waitFor();
    const neighbours = s.page.getByRole('region', { name: 'Neighbours' });
    await until(() => neighbours.getByTestId('across-correlation-note').textContent()).toContain('needs a comparison of the two');
    await compareDemoPair(s, 8192);
    // A wide feature whose nearest narrow features include a matched pair.
    let index = 3;
    let page = await s.served.call<FeaturePageData>('features.page', { saeId: s.wideId, index });
    while (page.neighbours.across.every((n) => n.correlation === null))
      page = await s.served.call<FeaturePageData>('features.page', { saeId: s.wideId, index: ++index });
    const info = page.acrossCorrelation![0];
    expect(info.filled).toBeGreaterThan(0);
    await s.page.reload();
    await s.goto(`#/feature/${s.wideId}/${index}`);
    await s.page.locator(`.grid[data-loaded="${featureKey({ saeId: s.wideId, index })}"]`).waitFor();
    const list = neighbours.getByLabel(`In ${s.saes[0].name}`);
    const shown = await list.locator('li a > .num:last-child').allTextContents();
    expect(shown).toEqual(page.neighbours.across.map((n) => formatUnit(n.correlation)));
    expect(await neighbours.getByTestId('across-correlation-note').textContent()).toContain(
      `${info.filled} of ${info.listed} are pairs it matched`,
    );
    await shoot('feature-correlation-logits');
  }, 240_000);
});
