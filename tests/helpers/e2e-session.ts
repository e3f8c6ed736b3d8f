import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { SaeSummary } from '../../native/api/types.js';
import { launchChromium, lightPage } from './browser.js';
import { indexedDemoWorkspace } from './indexed-workspace.js';
import { startServe, type Served } from './serve.js';
import { tempDir, testOutputDir } from './tmp.js';

/** What an end-to-end test of a view works with: a served, indexed demo workspace and a Chromium page. */
export interface E2eSession {
  served: Served;
  modelId: string;
  saes: SaeSummary[];
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
}

/**
 * `loupe serve` on a fresh temp workspace holding the demo model and both demo SAEs, indexed over
 * `tokens` tokens (and mapped with `maps`), plus a light-theme Chromium page of the given size.
 */
export async function openE2eSession(
  name: string,
  options: { tokens: number; maps: boolean; viewport?: { width: number; height: number } },
): Promise<E2eSession> {
  const dir = tempDir(`e2e-${name}`);
  const shots = testOutputDir('e2e', name);
  mkdirSync(shots, { recursive: true });
  const served = await startServe(join(dir.path, 'ws'));
  const { modelId, saes } = await indexedDemoWorkspace(served, { tokens: options.tokens, maps: options.maps });
  const browser = await launchChromium();
  const viewport = options.viewport ?? { width: 1280, height: 900 };
  const page = await lightPage(browser, viewport);
  const session: E2eSession = {
    served,
    modelId,
    saes,
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
  };
  return session;
}
