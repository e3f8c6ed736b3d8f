import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobSummary } from '../../native/api/types.js';
import { openServedSession, type ServedSession } from '../helpers/e2e-session.js';
import { startServe, type Served } from '../helpers/serve.js';

let s: ServedSession;
let served: Served;
let page: Page;

async function waitForJob(server: Served, id: string, states: string[]): Promise<JobSummary> {
  for (;;) {
    const jobs = await server.call<JobSummary[]>('jobs.list', {});
    const job = jobs.find((j) => j.id === id);
    if (job && states.includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  s = await openServedSession('home', {
    workspace: 'Brown study',
    viewport: { width: 1280, height: 800 },
    // A first server starts a job and dies with SIGKILL mid-job: the next one must show it as interrupted.
    async beforeServe(workspace) {
      const doomed = await startServe(workspace);
      const job = await doomed.call<JobSummary>('engine.measureMatmul', { seconds: 60 });
      await waitForJob(doomed, job.id, ['running']);
      await doomed.stop('SIGKILL');
    },
  });
  served = s.served;
}, 120_000);

// Each test opens its own page (its own browser context: theme and token storage start fresh) on Home,
// so none relies on where an earlier one left the page.
beforeEach(async () => {
  page = await s.freshPage();
});

afterAll(async () => s?.close());

describe('Home in Chromium against loupe serve', () => {
  it('opens with the token and shows the workspace, its contents and the interrupted job', async () => {
    await expect.poll(() => page.locator('h1').textContent()).toBe('Brown study');
    expect(page.url()).not.toContain('token=');
    await page.getByText('1 job(s) were interrupted').waitFor();
    const models = page.getByRole('region', { name: 'Models' });
    await models.getByText('No models yet').waitFor();
    await page.getByRole('region', { name: 'SAEs' }).getByText('No SAEs yet').waitFor();
    const interrupted = page.getByRole('region', { name: 'Jobs', exact: true }).locator('.job[data-state="interrupted"]');
    await expect.poll(() => interrupted.count()).toBe(1);
    await page.screenshot({ path: join(s.shots, 'home-interrupted.png') });
  });

  it('starts a job from the UI and its progress bar moves until it is done', async () => {
    await page.getByRole('button', { name: 'Measure matmul rate' }).click();
    const bar = page.getByRole('region', { name: 'Running jobs' }).getByRole('progressbar', { name: 'Measure matrix-multiply rate' });
    await bar.waitFor();
    const first = Number(await bar.getAttribute('aria-valuenow'));
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 30_000 }).toBeGreaterThan(first);
    await page.screenshot({ path: join(s.shots, 'home-running.png') });
    await page.getByRole('region', { name: 'Engine' }).getByText('GFLOP/s').waitFor({ timeout: 30_000 });
    await expect.poll(() => bar.count()).toBe(0);
    await page.screenshot({ path: join(s.shots, 'home-done.png') });
  });

  it('navigates to every view and lists jobs in the Jobs view', async () => {
    // Its own finished job (another test may have measured too: the Jobs view lists every done one).
    const job = await served.call<JobSummary>('engine.measureMatmul', { seconds: 0.5 });
    await waitForJob(served, job.id, ['done']);
    const done = (await served.call<JobSummary[]>('jobs.list', {})).filter((j) => j.state === 'done').length;
    await page.getByRole('link', { name: 'Jobs', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Jobs');
    await expect.poll(() => page.locator('.job[data-state="done"]').count()).toBe(done);
    await page.screenshot({ path: join(s.shots, 'jobs.png') });
    await page.getByRole('link', { name: 'Map', exact: true }).click();
    // The Map view is built elsewhere; here it only has to open in place of Home.
    await page.getByRole('main', { name: 'Map' }).waitFor();
    await page.getByRole('button', { name: 'Switch theme' }).click();
    await page.getByRole('link', { name: 'Home', exact: true }).click();
    await page.getByRole('region', { name: 'Engine' }).getByText('GFLOP/s').waitFor();
    await page.screenshot({ path: join(s.shots, 'home-dark.png') });
  });
});
