import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DemoStatus } from '../../native/api/demo.js';
import type { JobSummary } from '../../native/api/types.js';
import { launchChromium, lightPage } from '../helpers/browser.js';
import { waitForJobs } from '../helpers/indexed-workspace.js';
import { startServe, type Served } from '../helpers/serve.js';
import { tempDir, testOutputDir } from '../helpers/tmp.js';

// The first launch on a fresh machine: `loupe serve` with no --workspace, LOUPE_HOME empty. This test
// runs the whole demo (the point is its real first-launch time), so it takes minutes, not seconds.
const home = tempDir('e2e-demo');
const otherHome = tempDir('e2e-demo-other');
const shots = testOutputDir('e2e', 'demo');
const env = { LOUPE_HOME: home.path };
/** set when the first-launch test has prepared the demo in `home` */
let demoPrepared = false;
let browser: Browser;
let served: Served | undefined;
let page: Page;

async function setTheme(theme: 'light' | 'dark'): Promise<void> {
  const current = await page.locator('html').getAttribute('data-theme');
  if (current !== theme) await page.getByRole('button', { name: 'Switch theme' }).click();
}

async function shoot(name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(theme);
    // The theme button sits at the foot of the sidebar: clicking it may scroll the page.
    await page.locator('h1').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, `${name}-${theme}.png`) });
  }
  await setTheme('light');
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
}, 60_000);

// Each test drives a page of its own (a browser context of its own: fresh theme and token storage).
beforeEach(async () => {
  page = await lightPage(browser, { width: 1280, height: 800 });
});

afterEach(async () => {
  await page?.close();
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
  home.cleanup();
  otherHome.cleanup();
});

describe('the demo workspace on a first launch', () => {
  it('is prepared with moving progress, then links to the map and a first feature', async () => {
    const started = performance.now();
    const startedAt = Date.now();
    served = await startServe(undefined, { env });
    expect(served.output()).toContain(join(home.path, 'workspaces', 'default'));
    expect(served.output()).toContain('Preparing the demo workspace');
    // jobs.list is newest first: reversed, the order they run in.
    const queued = (await served.call<JobSummary[]>('jobs.list', {})).reverse();
    expect(queued.map((j) => j.title.replace(/ on brown:\S+ \(.*/, ''))).toEqual([
      'Index brown-mlp0-topk512',
      'Map of brown-mlp0-topk512',
      'Index brown-mlp0-topk4096',
      'Map of brown-mlp0-topk4096',
      'Joint map of brown-mlp0-topk512, brown-mlp0-topk4096',
    ]);
    const finished = waitForJobs(
      served,
      queued.map((j) => j.id),
      900_000,
    );

    await page.goto(served.url);
    const panel = page.getByRole('region', { name: 'Demo workspace' });
    await panel.getByRole('heading', { name: 'Preparing the demo workspace' }).waitFor();
    const bar = panel.getByRole('progressbar', { name: 'Index the 512-feature SAE' });
    const first = Number(await bar.getAttribute('aria-valuenow'));
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 120_000 }).toBeGreaterThan(first);
    await shoot('preparing');
    // The narrow SAE is usable long before the wide one is indexed: the panel links to it.
    await panel.getByRole('link', { name: /^Open feature \d+ of the 512-feature SAE/ }).waitFor({ timeout: 600_000 });
    await shoot('usable');

    const jobs = await finished;
    const seconds = (performance.now() - started) / 1000;
    const firstUsable = Math.max(...jobs.slice(0, 2).map((j) => Date.parse(j.finishedAt ?? '')));
    const lines = [
      `first launch: every demo job done ${seconds.toFixed(1)} s after loupe serve started`,
      ...jobs.map((j) => `  ${j.title}: ${((Date.parse(j.finishedAt ?? '') - Date.parse(j.startedAt ?? '')) / 1000).toFixed(1)} s`),
      `  the 512-feature SAE indexed and mapped ${((firstUsable - startedAt) / 1000).toFixed(1)} s after loupe serve started`,
    ];
    console.log(lines.join('\n'));
    writeFileSync(join(shots, 'first-launch-time.txt'), `${lines.join('\n')}\n`);

    await panel.getByRole('heading', { name: 'The demo workspace is ready' }).waitFor();
    const status = await served.call<DemoStatus>('demo.status', {});
    expect(status).toMatchObject({ demo: true, ready: true });
    const open = panel.getByRole('link', { name: /^Open feature \d+ of the 512-feature SAE/ });
    await expect.poll(() => open.getAttribute('href')).toBe(`#/feature/${status.firstFeature?.saeId}/${status.firstFeature?.index}`);
    await expect.poll(() => panel.getByRole('link', { name: /Map of the|Both SAEs on one map/ }).count()).toBe(3);
    await shoot('ready');
    demoPrepared = true;
  }, 900_000);

  it('is found ready on the next launch, which queues nothing', async () => {
    await served?.stop();
    // Run before the first-launch test (shuffled), it first lets a launch prepare the demo itself.
    if (!demoPrepared) {
      const first = await startServe(undefined, { env });
      await waitForJobs(
        first,
        (await first.call<JobSummary[]>('jobs.list', {})).map((j) => j.id),
        900_000,
      );
      await first.stop();
      demoPrepared = true;
    }
    served = await startServe(undefined, { env });
    // serve prints its URL after it has queued (or not) the demo's jobs: the list is final here.
    expect(served.output()).not.toContain('Preparing the demo workspace');
    expect(await served.call<JobSummary[]>('jobs.list', { states: ['queued', 'running'] })).toEqual([]);
    expect((await served.call<JobSummary[]>('jobs.list', {})).length).toBe(5);
    await page.goto(served.url);
    await page.getByRole('region', { name: 'Demo workspace' }).getByRole('heading', { name: 'The demo workspace is ready' }).waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'SAEs' }).locator('tbody tr.sae').count()).toBe(2);
    await page.screenshot({ path: join(shots, 'second-launch-light.png') });
  }, 1_020_000);
});

describe('the demo in another workspace', () => {
  it('is offered by an empty workspace, queued by its button, and can be finished after a cancel', async () => {
    await served?.stop();
    // A named workspace is never turned into the demo by itself. A LOUPE_HOME of its own, so the
    // first-launch test finds an empty one in whichever order they run.
    served = await startServe(join(otherHome.path, 'Empty study'), { env: { LOUPE_HOME: otherHome.path } });
    expect(served.output()).not.toContain('Preparing the demo');
    await page.goto(served.url);
    const offer = page.getByRole('region', { name: 'Demo offer' });
    await offer.getByRole('button', { name: 'Create the demo' }).waitFor();
    await page.screenshot({ path: join(shots, 'offer-light.png') });
    await offer.getByRole('button', { name: 'Create the demo' }).click();
    const panel = page.getByRole('region', { name: 'Demo workspace' });
    await panel.getByRole('heading', { name: 'Preparing the demo workspace' }).waitFor();
    await expect.poll(() => page.getByRole('region', { name: 'SAEs' }).locator('tbody tr.sae').count()).toBe(2);
    const jobs = await served.call<JobSummary[]>('jobs.list', { states: ['queued', 'running'] });
    expect(jobs).toHaveLength(5);
    for (const job of jobs) await served.call('jobs.cancel', { jobId: job.id });
    const finish = panel.getByRole('button', { name: 'Finish the demo' });
    await finish.waitFor({ timeout: 30_000 });
    await panel.getByRole('heading', { name: 'The demo workspace is not finished' }).waitFor();
    await shoot('cancelled');
    await finish.click();
    await expect.poll(async () => (await served!.call<JobSummary[]>('jobs.list', { states: ['queued', 'running'] })).length).toBe(5);
    await expect.poll(() => finish.count()).toBe(0);
  }, 120_000);
});
