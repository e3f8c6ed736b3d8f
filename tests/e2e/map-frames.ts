import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';

const repoRoot = join(import.meta.dirname, '..', '..');

/**
 * The page side: the map's own painter (components/map/painter.ts) drawing N synthetic points in
 * clusters, coloured by a log-density ramp, through a pan-and-zoom path, once per device pixel
 * ratio. Each frame's time includes a 1-pixel read back, so Chromium has really rasterised it.
 */
const pageScript = `
import { MapPainter } from './renderer/src/components/map/painter.ts';
import { sizeCanvas } from './renderer/src/lib/canvas/layer.ts';
import { pointColours } from './renderer/src/lib/map/colour.ts';
import { composeAffine, fitUnitSquare, mapMargin } from './renderer/src/lib/map/view.ts';
import { mulberry32 } from './renderer/src/lib/queue/sample.ts';

window.measureMapFrames = (n, ratio) => {
  const random = mulberry32(17);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 40 }, () => [0.1 + 0.8 * random(), 0.1 + 0.8 * random(), 0.01 + 0.06 * random()]);
  const xy = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [cx, cy, s] = centres[i % centres.length];
    xy[2 * i] = Math.min(1, Math.max(0, cx + s * gauss()));
    xy[2 * i + 1] = Math.min(1, Math.max(0, cy + s * gauss()));
  }
  const layout = { saeIds: ['synthetic'], n, xy, sae: new Uint8Array(n), feature: Int32Array.from({ length: n }, (_, i) => i), offsets: [0] };
  const density = Float32Array.from({ length: n }, () => 10 ** (-5 + 4 * random()));
  const theme = { dark: false, unknown: '#ccc', unlabelled: '#aab', labelled: '#4f5bd5', uninterpretable: '#e0803a', saes: ['#3f7fbf'] };
  const colours = pointColours('density', { density, labelState: new Uint8Array(n), sae: layout.sae }, theme);
  const canvas = document.createElement('canvas');
  canvas.style.cssText = 'width:1000px;height:700px;display:block';
  document.body.replaceChildren(canvas);
  // Sized as the app's canvas layer sizes the map's canvas.
  const ctx = sizeCanvas(canvas, 1000, 700, ratio);
  const painter = new MapPainter();
  const fit = fitUnitSquare(1000, 700, mapMargin);
  const times = [];
  let drawn = 0;
  for (let f = 0; f < 160; f++) {
    // Fitted, then panning at 1.5×, then zooming in towards 6×: what a person does in a session.
    const k = f < 40 ? 1 : f < 100 ? 1.5 : 1.5 + (f - 100) * 0.075;
    const zoom = { k, x: -250 * (k - 1) + (f < 100 ? (f % 40) * 6 : 0), y: -175 * (k - 1) };
    const start = performance.now();
    painter.draw(ctx, ratio, { layout, colours, order: null, view: composeAffine(fit, zoom), radius: 1.6 * Math.pow(k, 0.4), rings: [], links: [], hovered: 1, lasso: null, ringColour: '#000', hoverColour: '#000', lassoColour: '#00f', background: '#ffffff', captions: [], textColour: '#000' });
    ctx.getImageData(0, 0, 1, 1);
    times.push(performance.now() - start);
  }
  const pixels = new Uint32Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
  for (let i = 0; i < pixels.length; i++) if (pixels[i] !== pixels[0]) drawn++;
  times.sort((a, b) => a - b);
  return { ratio, frames: times.length, median: times[Math.floor(times.length / 2)], p95: times[Math.floor(times.length * 0.95)], painted: drawn };
};
`;

export interface FrameTimes {
  ratio: number;
  frames: number;
  median: number;
  p95: number;
  /** device pixels not of the background colour after the last frame */
  painted: number;
}

/** Frame times of the map painter at n points in headless Chromium, at device pixel ratios 1 and 2. */
export async function measureMapFrames(browser: Browser, n: number): Promise<FrameTimes[]> {
  const bundle = await build({
    stdin: { contents: pageScript, resolveDir: repoRoot, loader: 'ts', sourcefile: 'map-frames-page.ts' },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    logLevel: 'warning',
  });
  const results: FrameTimes[] = [];
  for (const ratio of [1, 2]) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 800 }, deviceScaleFactor: ratio });
    await page.setContent('<!doctype html><body></body>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    // A string, not a function: the test runner's transform would otherwise leak its helpers into the page.
    results.push((await page.evaluate(`window.measureMapFrames(${n}, ${ratio})`)) as FrameTimes);
    await page.close();
  }
  return results;
}
