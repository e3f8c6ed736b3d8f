import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, located the way the developers' guide says: `which chromium`. */
export function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error("chromium is not installed: apt-get install chromium (the e2e tests drive Debian's Chromium)");
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A light-theme page in a browser context of its own (fresh theme and token storage), opened at
 * `url` when given: how every e2e test starts, so none starts where another left.
 */
export async function lightPage(browser: Browser, viewport: { width: number; height: number }, url?: string): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.emulateMedia({ colorScheme: 'light' });
  if (url !== undefined) await page.goto(url);
  return page;
}

/** Puts the app in `theme` with its own "Switch theme" button (a click only when it shows the other one). */
export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  if ((await page.evaluate('document.documentElement.dataset.theme')) !== theme)
    await page.getByRole('button', { name: 'Switch theme' }).click();
}
