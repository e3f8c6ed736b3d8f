import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { JobSummary, SaeSummary } from '../../native/api/types.js';
import { launchChromium, lightPage } from './browser.js';
import { indexedDemoWorkspace, waitForJobs } from './indexed-workspace.js';
import { startServe, type Served } from './serve.js';
import { tempDir, testOutputDir } from './tmp.js';

/** What every end-to-end test file starts from: `loupe serve` on a temp workspace, a Chromium and one page at a time. */
export interface ServedSession {
  served: Served;
  /** the temp folder that holds the workspace (and whatever else a test writes there); removed by close() */
  root: string;
  browser: Browser;
  page: Page;
  /** where this test's screenshots go (created) */
  shots: string;
  close(): Promise<void>;
  /**
   * Replaces `page` with a new light-theme page in a browser context of its own (fresh theme and
   * token storage) opened at `route` (a `#/…` hash or ''), so a test does not start where another left.
   */
  freshPage(route?: string): Promise<Page>;
  /** Sets the page's location hash (a `#/…` route), as a link in the app does. */
  goto(hash: string): Promise<void>;
}

/** A served, indexed demo workspace: the demo model and both demo SAEs (512 and 4,096 latents). */
export interface E2eSession extends ServedSession {
  modelId: string;
  saes: SaeSummary[];
  /** the 512-latent SAE's id (saes[0]) */
  narrowId: string;
  /** the 4,096-latent SAE's id (saes[1]) */
  wideId: string;
}

/** Compares the demo's narrow and wide SAEs over `tokens` tokens of Brown, without evaluating them, and waits for the job. */
export async function compareDemoPair(s: E2eSession, tokens: number): Promise<void> {
  const job = await s.served.call<JobSummary>('compare.start', {
    saeIds: [s.narrowId, s.wideId],
    corpus: 'brown',
    tokens,
    evaluate: false,
  });
  await waitForJobs(s.served, [job.id]);
}

export interface ServedSessionOptions {
  /** the workspace folder's name inside `root` (the app shows it as the workspace's name); 'ws' by default */
  workspace?: string;
  viewport?: { width: number; height: number };
  /** runs on the workspace's path before `loupe serve` opens it */
  beforeServe?: (workspace: string) => Promise<void>;
}

/** `loupe serve` on a fresh temp workspace and a light-theme Chromium page (blank until freshPage) of the given size. */
export async function openServedSession(name: string, options: ServedSessionOptions = {}): Promise<ServedSession> {
  const dir = tempDir(`e2e-${name}`);
  const shots = testOutputDir('e2e', name);
  mkdirSync(shots, { recursive: true });
  const workspace = join(dir.path, options.workspace ?? 'ws');
  await options.beforeServe?.(workspace);
  const served = await startServe(workspace);
  const browser = await launchChromium().catch(async (error: unknown) => {
    await served.stop();
    throw error;
  });
  const viewport = options.viewport ?? { width: 1280, height: 900 };
  const page = await lightPage(browser, viewport);
  const session: ServedSession = {
    served,
    root: dir.path,
    browser,
    page,
    shots,
    async close() {
      await browser.close();
      await served.stop();
      dir.cleanup();
    },
    async freshPage(route = '') {
      await session.page.close();
      session.page = await lightPage(browser, viewport, `${served.url}${route}`);
      return session.page;
    },
    async goto(hash) {
      await session.page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
    },
  };
  return session;
}

/**
 * openServedSession with the demo model and both demo SAEs registered and indexed over `tokens`
 * tokens (and mapped with `maps`).
 */
export async function openE2eSession(
  name: string,
  options: { tokens: number; maps: boolean } & Omit<ServedSessionOptions, 'beforeServe'>,
): Promise<E2eSession> {
  const session = await openServedSession(name, options);
  // A failed setup leaves no server or browser running: the test file's afterAll has no session to close.
  const { modelId, saes } = await indexedDemoWorkspace(session.served, { tokens: options.tokens, maps: options.maps }).catch(
    async (error: unknown) => {
      await session.close();
      throw error;
    },
  );
  return Object.assign(session, { modelId, saes, narrowId: saes[0].id, wideId: saes[1].id });
}

/** Brown ca01's first sentence, shortened: the text the Prompt-view tests run through the demo SAEs. */
export const PROMPT_SENTENCE = 'The jury said it did find that many of Georgia\'s election laws "are outmoded or inadequate".';
