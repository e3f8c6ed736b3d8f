import { describe, expect, it } from 'vitest';
import { packColour } from '../../../renderer/src/lib/map/colour.js';
import { blendOpaque, discMask, drawOrder, rasterPoints } from '../../../renderer/src/lib/map/raster.js';
import { composeAffine, fitUnitSquare, scaleAffine } from '../../../renderer/src/lib/map/view.js';
import { mulberry32 } from '../../../renderer/src/lib/queue/sample.js';

function rgba(word: number): number[] {
  return Array.from(new Uint8Array(Uint32Array.of(word).buffer));
}

/** Source-over onto an opaque pixel in floating point, the source alpha times coverage first rounded to 8 bits. */
function overReference(dst: number[], src: number[], cover: number): number[] {
  const sa = Math.round((src[3] * cover) / 256) / 255;
  return [...[0, 1, 2].map((k) => src[k] * sa + dst[k] * (1 - sa)), 255];
}

describe('map rasteriser', () => {
  it('blends onto an opaque pixel like floating-point source-over, to within one level', () => {
    const random = mulberry32(3);
    for (let q = 0; q < 2000; q++) {
      const d = Uint32Array.of(Math.floor(random() * 2 ** 32) | 0xff000000)[0];
      const c = Uint32Array.of(Math.floor(random() * 2 ** 32))[0];
      const cover = 1 + Math.floor(random() * 256);
      const got = rgba(blendOpaque(d, c, cover));
      const want = overReference(rgba(d), rgba(c), cover);
      got.forEach((v, k) => expect(Math.abs(v - want[k])).toBeLessThanOrEqual(1));
    }
  });

  it('makes discs whose coverage sums to their area', () => {
    for (const r of [1.5, 2.5, 4]) {
      const disc = discMask(r);
      const area = disc.cover.reduce((s, c) => s + c, 0) / 256;
      expect(area / (Math.PI * r * r)).toBeGreaterThan(0.93);
      expect(area / (Math.PI * r * r)).toBeLessThan(1.07);
    }
  });

  it('draws each point where the view puts it, clips at the edges and skips what is off-canvas', () => {
    const white = packColour('#ffffff');
    const target = { width: 40, height: 30, data: new Uint32Array(40 * 30).fill(white) };
    const red = packColour('#ff0000');
    // world → device: x·20 + 10, y·20 + 5
    const t = { a: 20, bx: 10, by: 5 };
    const xy = Float32Array.of(0.5, 0.5, -0.45, 0.5, 5, 5, 1.45, 1.2);
    const drawn = rasterPoints(target, xy, Uint32Array.of(red, red, red, red), t, discMask(2));
    expect(drawn).toBe(3); // (20, 15), (1, 15) clipped on the left, (39, 29) clipped in the corner
    expect(rgba(target.data[15 * 40 + 20])).toEqual([255, 0, 0, 255]);
    expect(rgba(target.data[15 * 40 + 0])).toEqual([255, 0, 0, 255]);
    expect(rgba(target.data[29 * 40 + 39])).toEqual([255, 0, 0, 255]);
    expect(rgba(target.data[15 * 40 + 22])[1]).toBeGreaterThan(0); // the anti-aliased rim: part red, part white
    expect(rgba(target.data[15 * 40 + 22])[1]).toBeLessThan(255);
    expect(target.data[15 * 40 + 25]).toBe(white);
    expect(target.data[0]).toBe(white);
  });

  it('puts emphasised points last in the draw order', () => {
    expect(Array.from(drawOrder(Uint8Array.of(1, 0, 1, 0), 4)!)).toEqual([1, 3, 0, 2]);
    expect(drawOrder(null, 4)).toBeNull();
  });

  it('draws 32,768 points in a 1000 × 700 view (frame time printed, not asserted)', () => {
    const n = 32_768;
    const random = mulberry32(5);
    const xy = Float32Array.from({ length: 2 * n }, () => random());
    const colours = Uint32Array.from({ length: n }, (_, i) => packColour(`hsl(${i % 360}, 60%, 50%)`, 0.8));
    const target = { width: 1000, height: 700, data: new Uint32Array(1000 * 700) };
    const background = packColour('#ffffff');
    const disc = discMask(2.4);
    const fit = fitUnitSquare(1000, 700, 24);
    const times: number[] = [];
    let drawn = 0;
    for (let frame = 0; frame < 40; frame++) {
      const zoom = { k: 1 + frame * 0.05, x: -frame * 12, y: -frame * 7 };
      const start = performance.now();
      target.data.fill(background);
      drawn = rasterPoints(target, xy, colours, scaleAffine(composeAffine(fit, zoom), 1), disc);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(
      `map raster, 32,768 points, 1000×700: median ${times[20].toFixed(2)} ms, p90 ${times[36].toFixed(2)} ms per frame (Node, no canvas)`,
    );
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThan(n); // the last frames are zoomed in: some points fall outside
  });
});
