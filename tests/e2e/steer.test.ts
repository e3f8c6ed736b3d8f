import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobData, JobSummary, SaeSummary, SteerResult } from '../../native/api/types.js';
import { openE2eSession, type E2eSession } from '../helpers/e2e-session.js';
import type { Served } from '../helpers/serve.js';

const PROMPT = 'The man walked into the room and';
let session: E2eSession;
let served: Served;
let page: Page;
let sae: SaeSummary;

async function shoot(name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    const current = await page.locator('html').getAttribute('data-theme');
    if (current !== theme) await page.getByRole('button', { name: 'Switch theme' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe(theme);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(session.shots, `${name}-${theme}.png`), fullPage: true });
  }
  await page.getByRole('button', { name: 'Switch theme' }).click();
}

beforeAll(async () => {
  session = await openE2eSession('steer', { tokens: 8192, maps: false });
  ({ served, page } = session);
  sae = session.saes.find((s) => s.dSae === 512)!;
}, 180_000);

// Each test starts on a page of its own (the secret token is in its first URL only; the app keeps it
// for later hash routes), so none inherits another's edits, prompt or theme.
beforeEach(async () => {
  page = await session.freshPage();
});

afterAll(async () => {
  await session?.close();
});

describe('Steer view in Chromium against loupe serve', () => {
  it('opens from the feature page, streams clean and steered continuations side by side, tinted by probability, with KL per token', async () => {
    await served.call('labels.set', { saeId: sae.id, index: 147, label: 'e2e steer label' });
    await page.goto(`${served.url.split('?')[0]}#/feature/${sae.id}/147`);
    await page.getByRole('link', { name: 'Steer with this feature →' }).click();
    await expect.poll(() => page.url()).toContain(`#/steer/${sae.id}/147`);
    const edits = page.getByRole('list', { name: 'Feature edits' });
    await expect.poll(() => edits.locator('li').getAttribute('data-feature')).toBe('147');
    await page.getByRole('textbox', { name: 'Steering prompt' }).fill(PROMPT);
    await edits.getByRole('spinbutton', { name: 'Edit value' }).fill('8');
    await page.getByRole('spinbutton', { name: 'Max tokens' }).fill('12');
    await page.getByRole('spinbutton', { name: 'Max tokens' }).press('Tab');
    const before = new Set((await served.call<JobSummary[]>('jobs.list', {})).map((j) => j.id));
    await page.getByRole('button', { name: 'Generate' }).click();
    const clean = page.getByRole('region', { name: 'Clean', exact: true });
    const steered = page.getByRole('region', { name: 'Steered', exact: true });
    await expect.poll(() => steered.locator('.tok').count(), { timeout: 60_000 }).toBe(12);
    await expect.poll(() => clean.locator('.tok').count()).toBe(12);
    await page.getByText('error term kept').waitFor();
    // The edit reads "feature 147 e2e steer label": a space between the link and its label.
    const applied = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'feature 147', exact: true }) });
    expect(await applied.textContent()).toMatch(/^feature 147 e2e steer label at /);

    // What the page shows is what the job streamed, token by token, and what it returned.
    const jobs = await served.call<JobSummary[]>('jobs.list', {});
    const job = jobs.find((j) => j.kind === 'steer.start' && !before.has(j.id))!;
    const result = job.result as SteerResult;
    const streamed = await served.call<JobData[]>('jobs.data', { jobId: job.id });
    expect(streamed.map((d) => d.seq)).toEqual([...Array(12).keys()]);
    expect(await steered.locator('.tok').allTextContents()).toEqual(result.steps.map((s) => s.steered!.text.replace(/\n/g, '↵')));
    expect(await clean.textContent()).toContain(PROMPT);
    expect(result.steered.text).not.toBe(result.clean.text);
    // Tints follow probability: the most likely steered token is tinted more strongly than the least likely.
    const probs = await steered.locator('.tok').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-prob'))));
    expect(probs).toEqual(result.steps.map((s) => s.steered!.prob));
    for (const style of await steered.locator('.tok').evaluateAll((els) => els.map((e) => e.getAttribute('style') ?? '')))
      expect(style).toContain('background');
    const chart = page.getByRole('img', { name: 'KL divergence per generated token' });
    await expect.poll(() => chart.locator('rect.bar').count()).toBe(12);
    await page.getByText(/mean \d+\.\d{3}/).waitFor();
    await shoot('steer-feature');
  });

  it('opens from the Prompt view with its text and feature, and ablating from a later token leaves the start alone', async () => {
    await page.goto(`${served.url.split('?')[0]}#/prompt/${sae.id}`);
    await page.getByRole('textbox', { name: 'Prompt text' }).fill(PROMPT);
    const link = page.getByRole('region', { name: 'Tokens' }).getByRole('link', { name: 'Steer with it →' });
    await link.waitFor();
    const feature = (await link.getAttribute('href'))!.split('/')[3];
    await link.click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Steering prompt' }).inputValue()).toBe(PROMPT);
    const edits = page.getByRole('list', { name: 'Feature edits' });
    await expect.poll(() => edits.locator('li').getAttribute('data-feature')).toBe(feature);
    await edits.getByRole('combobox', { name: 'Edit' }).selectOption('ablate');
    await page.getByRole('combobox', { name: 'Apply from' }).selectOption('generated');
    await page.getByRole('spinbutton', { name: 'Max tokens' }).fill('6');
    await page.getByRole('spinbutton', { name: 'Max tokens' }).press('Tab');
    await page.getByRole('button', { name: 'Generate' }).click();
    await page.getByText(/error term kept · generated tokens only/).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByRole('img', { name: 'KL divergence per generated token' }).locator('rect.bar').count()).toBe(6);
    // Edits on generated tokens only: the first new token is read from the clean prompt, so it matches.
    const firstClean = await page.getByRole('region', { name: 'Clean', exact: true }).locator('.tok').first().textContent();
    const firstSteered = await page.getByRole('region', { name: 'Steered', exact: true }).locator('.tok').first().textContent();
    expect(firstSteered).toBe(firstClean);
    await shoot('steer-prompt');
  });

  it('decomposes a contrastive steering vector into features and steers with the vector, then with its top features', async () => {
    await page.goto(`${served.url.split('?')[0]}#/steer/${sae.id}/0/${encodeURIComponent(PROMPT)}`);
    await expect.poll(() => page.getByRole('textbox', { name: 'Steering prompt' }).inputValue()).toBe(PROMPT);
    await page.getByRole('spinbutton', { name: 'Max tokens' }).fill('6');
    await page.getByRole('spinbutton', { name: 'Max tokens' }).press('Tab');
    await page
      .getByRole('textbox', { name: 'Positive prompts' })
      .fill('He was very happy\nShe felt happy\nThey were glad and happy\nIt made him happy');
    await page
      .getByRole('textbox', { name: 'Negative prompts' })
      .fill('He was very sad\nShe felt sad\nThey were tired and sad\nIt made him sad');
    await page.getByRole('button', { name: 'Decompose' }).click();
    await page.getByText(/decoder directions explain \d+\.\d% of/).waitFor({ timeout: 60_000 });
    const byCosine = page.getByRole('table', { name: 'By decoder cosine' });
    await expect.poll(() => byCosine.locator('tbody tr').count()).toBe(8);
    await page.getByRole('button', { name: 'Steer with the vector' }).click();
    await page
      .getByText(/CAA vector at blocks\.0\.hook_mlp_out/)
      .first()
      .waitFor();
    const steered = page.getByRole('region', { name: 'Steered', exact: true });
    await page.getByText(/\(‖v‖ \d+\.\d\d\) × 1/).waitFor({ timeout: 60_000 });
    await expect.poll(() => steered.locator('.tok').count()).toBe(6);
    const byVector = await steered.locator('.tok').allTextContents();
    await page.getByRole('button', { name: 'Steer with its top 8 features' }).click();
    const edits = page.getByRole('list', { name: 'Feature edits' });
    await expect.poll(() => edits.locator('li').count()).toBe(8);
    await expect.poll(() => page.getByRole('region', { name: 'Continuations' }).locator('.applied a').count(), { timeout: 60_000 }).toBe(8);
    await expect.poll(() => steered.locator('.tok').count()).toBe(6);
    expect(byVector.length).toBe(6);
    await shoot('steer-caa');
  });
});
