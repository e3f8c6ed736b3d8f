import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { featureKey } from '../../native/api/feature-key.js';
import type { JobSummary } from '../../native/api/types.js';
import { DEMO_MODEL_DIR, waitForJobs } from '../helpers/indexed-workspace.js';
import { openE2eSession, type E2eSession } from '../helpers/e2e-session.js';
import { rawRequest } from '../helpers/http.js';
import { setTheme } from '../helpers/browser.js';

// Needs the built app: `npm run build` first (startServe runs dist/).
let s: E2eSession;

beforeAll(async () => {
  s = await openE2eSession('dead-ends', { tokens: 16_384, maps: false });
}, 300_000);
afterAll(async () => s?.close());
// Each test starts on a page of its own (Home, with the token; light theme, empty forms) and opens its route.
beforeEach(async () => {
  await s.freshPage();
});

async function shoot(name: string): Promise<void> {
  for (const t of ['light', 'dark'] as const) {
    await setTheme(s.page, t);
    await s.page.screenshot({ path: join(s.shots, `${name}-${t}.png`) });
  }
  await setTheme(s.page, 'light');
}

const jobCount = async () => (await s.served.call<JobSummary[]>('jobs.list', {})).length;

describe('no dead ends', () => {
  it('says so for an unknown route instead of showing Home', async () => {
    await s.goto('#/nonsense/1');
    await expect.poll(() => s.page.getByRole('heading', { name: 'Not found' }).isVisible()).toBe(true);
    await expect.poll(() => s.page.getByRole('alert').textContent()).toMatch(/There is no view “#\/nonsense\/1”/);
  });

  it('names a nonexistent SAE on the feature page, with no index range and no split button', async () => {
    await s.goto('#/feature/no-such-sae/3');
    await expect.poll(() => s.page.getByRole('alert').textContent()).toMatch(/There is no SAE “no-such-sae” in this workspace/);
    expect(await s.page.locator('main').textContent()).not.toContain('0–-1');
    expect(await s.page.getByRole('button', { name: /Split this feature/ }).count()).toBe(0);
    await shoot('feature-no-sae');
  });

  it('says a feature index is out of range, and offers the last feature instead of loading forever', async () => {
    await s.goto(`#/feature/${s.narrowId}/99999`);
    await expect
      .poll(() => s.page.getByRole('alert').textContent())
      .toMatch(/has 512 features, numbered 0–511: there is no feature 99,999/);
    expect(await s.page.getByRole('button', { name: /Split this feature/ }).count()).toBe(0);
    await s.page.getByRole('link', { name: /Open its last feature, #511/ }).click();
    await expect
      .poll(() => s.page.locator('[data-loaded]').getAttribute('data-loaded'))
      .toBe(featureKey({ saeId: s.narrowId, index: 511 }));
  });

  it('does not offer to compute the map of a nonexistent SAE (and creates no job)', async () => {
    const before = await jobCount();
    await s.goto('#/map/no-such-sae');
    await expect.poll(() => s.page.getByRole('alert').textContent()).toMatch(/There is no SAE “no-such-sae” in this workspace/);
    expect(await s.page.getByRole('button', { name: 'Compute map' }).count()).toBe(0);
    expect(await jobCount()).toBe(before);
  });

  it('links each SAE on Home and suggests a first feature for every indexed one', async () => {
    await s.goto('#/home');
    const link = s.page.getByRole('link', { name: s.saes[0].name, exact: true });
    await expect.poll(() => link.getAttribute('href')).toMatch(new RegExp(`^#/feature/${s.narrowId}/\\d+$`));
    await expect.poll(() => s.page.locator('tr.start').count()).toBe(2);
    expect(await s.page.locator('tr.start').first().textContent()).toMatch(/Start with #\d+/);
    await shoot('home-saes');
  });

  it('refuses a training run with fewer tokens than one batch in the form and through the API, in plain words', async () => {
    await s.goto('#/train');
    const form = s.page.getByRole('region', { name: 'New run' });
    await form.getByLabel('Tokens').fill('1000');
    await expect.poll(() => form.getByRole('status').textContent()).toMatch(/Train on at least one batch: 2,048 tokens or more/);
    expect(await form.getByRole('button', { name: 'Train' }).isDisabled()).toBe(true);
    const response = await rawRequest({
      port: s.served.port,
      path: `/api/call?token=${s.served.token}`,
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${s.served.port}` },
      body: JSON.stringify({
        method: 'train.start',
        params: {
          name: 'tiny',
          model: DEMO_MODEL_DIR,
          hook: 'blocks.0.hook_mlp_out',
          corpus: 'brown',
          dSae: 64,
          activation: { kind: 'topk', k: 4 },
          tokens: 1000,
          batchTokens: 2048,
        },
      }),
    });
    const body = JSON.parse(response.body) as { ok: boolean; error?: { field?: string; reason: string } };
    expect(body.ok).toBe(false);
    expect(body.error).toMatchObject({ field: 'tokens' });
    expect(body.error?.reason).toMatch(/fewer than one batch of 2,048/);
  });

  it('offers every hook and shows the corpus as the model reads it (its first window, the BOS not counted)', async () => {
    await s.goto('#/train');
    const form = s.page.getByRole('region', { name: 'New run' });
    await form.getByLabel('Tokens').fill('262144');
    const options = await s.page.locator('#train-hooks option').evaluateAll((os) => os.map((o) => o.getAttribute('value')));
    expect(options).toEqual(expect.arrayContaining(['blocks.0.hook_resid_pre', 'blocks.1.mlp.hook_post', 'ln_final.hook_normalized']));
    await form.getByLabel('Corpus', { exact: true }).fill('brown:news');
    await expect
      .poll(() => s.page.getByLabel('Corpus preview').textContent(), { timeout: 30_000 })
      .toMatch(/first window: 128 tokens, 127 counted/);
    await form.getByLabel('Learning rate').waitFor();
    await form.getByLabel('Activation').selectOption('relu');
    await expect.poll(() => form.getByLabel('L1 coefficient').isVisible()).toBe(true);
    await shoot('train-form');
  });

  it('shows a finished run’s curves without starting an evaluation by itself', async () => {
    const job = await s.served.call<JobSummary>('train.start', {
      name: 'small-run',
      model: DEMO_MODEL_DIR,
      hook: 'blocks.0.hook_mlp_out',
      corpus: 'brown:ca01',
      dSae: 64,
      activation: { kind: 'topk', k: 4 },
      tokens: 4096,
      batchTokens: 1024,
    });
    await waitForJobs(s.served, [job.id]);
    const before = (await s.served.call<JobSummary[]>('jobs.list', {})).filter((j) => j.kind === 'eval.start').length;
    await s.goto(`#/train/job/${job.id}`);
    await expect.poll(() => s.page.getByRole('button', { name: /Evaluate on 65,536 tokens of brown/ }).isVisible()).toBe(true);
    await s.page.waitForTimeout(500);
    expect((await s.served.call<JobSummary[]>('jobs.list', {})).filter((j) => j.kind === 'eval.start').length).toBe(before);
  }, 120_000);

  it('shows the time left on a running job, and the sidebar card keeps its percentage inside', async () => {
    const job = await s.served.call<JobSummary>('index.start', { saeId: s.saes[1].id, corpus: 'brown', tokens: 1_000_000 });
    try {
      await s.goto('#/jobs');
      const row = s.page.locator(`main [data-job-id="${job.id}"]`);
      await expect
        .poll(() => row.getByTestId('remaining').textContent(), { timeout: 120_000 })
        .toMatch(/^~\d+ (s|min) left|^~\d+ h \d+ min left/);
      const card = s.page
        .locator(`aside [data-job-id="${job.id}"], nav [data-job-id="${job.id}"], .active-jobs [data-job-id="${job.id}"]`)
        .first();
      const [box, state] = [await card.boundingBox(), await card.locator('.state').boundingBox()];
      expect(state!.x + state!.width).toBeLessThanOrEqual(box!.x + box!.width);
      await shoot('job-remaining');
    } finally {
      await s.served.call('jobs.cancel', { jobId: job.id });
    }
  }, 150_000);

  it('serves a favicon', async () => {
    const icon = await rawRequest({
      port: s.served.port,
      path: `/favicon.svg?token=${s.served.token}`,
      headers: { origin: `http://127.0.0.1:${s.served.port}` },
    });
    expect(icon.status).toBe(200);
    expect(icon.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(await s.page.locator('link[rel="icon"]').getAttribute('href')).toBe('./favicon.svg');
  });
});
