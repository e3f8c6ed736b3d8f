// Map frame time while panning and zooming 32,768 points in headless Chromium (the app's own painter).
import { launchChromium } from '../tests/helpers/browser.js';
import { measureMapFrames } from '../tests/e2e/map-frames.js';
import type { BenchResult } from './types.js';

const GOAL_MS = 16;

export async function benchMap(): Promise<BenchResult[]> {
  const browser = await launchChromium();
  try {
    const frames = await measureMapFrames(browser, 32_768);
    return frames.map((f) => ({
      name: `map frame, 32,768 points, device pixel ratio ${f.ratio}`,
      value: f.median,
      unit: 'ms',
      limit: GOAL_MS,
      ratio: GOAL_MS / f.median,
      note: `median of ${f.frames} pan/zoom frames, p95 ${f.p95.toFixed(1)} ms; ratio = 16 ms goal / median`,
    }));
  } finally {
    await browser.close();
  }
}
