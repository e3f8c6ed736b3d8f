import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, testOutputDir } from '../helpers/tmp.js';

const require = createRequire(import.meta.url);
const electronDir = dirname(require.resolve('electron/package.json'));
const pathFile = join(electronDir, 'path.txt');
const binary = existsSync(pathFile) ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const skipReason =
  !binary || !existsSync(binary)
    ? 'the Electron binary is not installed (it downloads from outside the npm registry on first `npm start`)'
    : !hasDisplay
      ? 'no display (set DISPLAY, e.g. under xvfb-run)'
      : null;

if (skipReason) console.warn(`Electron smoke test skipped: ${skipReason}`);

const dir = tempDir('electron');
afterAll(() => dir.cleanup());

describe.skipIf(skipReason !== null)('the real Electron app', () => {
  it('opens a locked-down window that talks to the engine through the preload bridge only', async () => {
    const app = await electron.launch({
      executablePath: binary!,
      args: [join(import.meta.dirname, '..', '..', 'dist', 'electron', 'main.js'), '--workspace', join(dir.path, 'ws')],
    });
    try {
      const window = await app.firstWindow();
      await window.locator('h1', { hasText: 'ws' }).waitFor();
      const exposed = await window.evaluate(() => ({
        bridge: Object.keys((window as unknown as { loupe: object }).loupe).sort(),
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
      }));
      expect(exposed).toEqual({ bridge: ['invoke', 'subscribe'], require: 'undefined', process: 'undefined' });
      await window.screenshot({ path: join(testOutputDir('e2e', 'electron'), 'home.png') });
    } finally {
      await app.close();
    }
  });
});
