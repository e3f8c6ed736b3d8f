import { zoomIdentity } from 'd3-zoom';
import { describe, expect, it } from 'vitest';
import { buildLayout, decodeXy, mapParam, parseMapParam, pointOf } from '../../../renderer/src/lib/map/layout.js';
import { composeAffine, fitUnitSquare, toScreen, toWorld, zoomCentredOn, zoomToPoints } from '../../../renderer/src/lib/map/view.js';

/** What the engine sends (native/host/handlers/maps.ts): little-endian float32 pairs, base64. */
function encodeXy(values: number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buffer.writeFloatLE(v, i * 4));
  return buffer.toString('base64');
}

describe('map layout', () => {
  it("decodes the engine's base64 float32 pairs exactly", () => {
    const values = [0, 1, 0.25, 0.7071067690849304, 1e-7, 0.999999940395];
    const xy = decodeXy(encodeXy(values), 3);
    expect(Array.from(xy)).toEqual(Array.from(Float32Array.from(values)));
  });

  it('refuses points whose byte count does not match nPoints, naming the SAE', () => {
    expect(() => decodeXy(encodeXy([0.1, 0.2, 0.3]), 2, 'sae-a')).toThrow(
      /SAE "sae-a": expected 2 \(x, y\) float32 pairs \(16 bytes\), got 12 bytes/,
    );
  });

  it("stacks the SAEs of a joint map and finds each feature's point", () => {
    const layout = buildLayout({
      points: [
        { saeId: 'narrow', nPoints: 2, xy: encodeXy([0.1, 0.2, 0.3, 0.4]) },
        { saeId: 'wide', nPoints: 3, xy: encodeXy([0.5, 0.6, 0.7, 0.8, 0.9, 1]) },
      ],
    });
    expect(layout.n).toBe(5);
    expect(layout.offsets).toEqual([0, 2]);
    expect(Array.from(layout.sae)).toEqual([0, 0, 1, 1, 1]);
    expect(Array.from(layout.feature)).toEqual([0, 1, 0, 1, 2]);
    const p = pointOf(layout, 'wide', 2);
    expect(p).toBe(4);
    expect([layout.xy[2 * p], layout.xy[2 * p + 1]]).toEqual([Math.fround(0.9), 1]);
    expect(pointOf(layout, 'narrow', 2)).toBe(-1);
    expect(pointOf(layout, 'other', 0)).toBe(-1);
  });

  it('reads and writes the map route parameter', () => {
    expect(parseMapParam('brown-mlp0-topk512+brown-mlp0-topk4096')).toEqual(['brown-mlp0-topk512', 'brown-mlp0-topk4096']);
    expect(parseMapParam(undefined)).toEqual([]);
    expect(mapParam(['a', 'b'])).toBe('a+b');
  });
});

describe('map view transform', () => {
  it('fits the unit square centred with a margin', () => {
    const fit = fitUnitSquare(800, 600, 20);
    expect(fit.a).toBe(560);
    expect(toScreen(fit, 0, 0)).toEqual([120, 20]);
    expect(toScreen(fit, 1, 1)).toEqual([680, 580]);
  });

  it('composes with a zoom exactly as d3-zoom applies it', () => {
    const fit = fitUnitSquare(1000, 700, 24);
    const zoom = zoomIdentity.translate(-130.5, 42.25).scale(3.5);
    const t = composeAffine(fit, zoom);
    for (const [wx, wy] of [
      [0, 0],
      [0.3, 0.9],
      [1, 0.5],
    ]) {
      const expected = zoom.apply(toScreen(fit, wx, wy));
      const got = toScreen(t, wx, wy);
      expect(got[0]).toBeCloseTo(expected[0], 9);
      expect(got[1]).toBeCloseTo(expected[1], 9);
      const back = toWorld(t, got[0], got[1]);
      expect(back[0]).toBeCloseTo(wx, 12);
      expect(back[1]).toBeCloseTo(wy, 12);
    }
  });

  it('centres a chosen point when zooming to it', () => {
    const fit = fitUnitSquare(900, 500, 10);
    const t = composeAffine(fit, zoomCentredOn(fit, 900, 500, 0.8, 0.1, 6));
    const [sx, sy] = toScreen(t, 0.8, 0.1);
    expect(sx).toBeCloseTo(450, 9);
    expect(sy).toBeCloseTo(250, 9);
    expect(t.a).toBeCloseTo(6 * fit.a, 9);
  });

  it('zooms to a set of points so they fill most of the view, and to one point at the cap', () => {
    const fit = fitUnitSquare(1000, 600, 20);
    const xy = Float32Array.of(0.2, 0.2, 0.3, 0.25, 0.25, 0.3, 0.9, 0.9);
    const t = composeAffine(fit, zoomToPoints(fit, 1000, 600, xy, [0, 1, 2]));
    const screen = [0, 1, 2].map((p) => toScreen(t, xy[2 * p], xy[2 * p + 1]));
    const [xs, ys] = [screen.map((v) => v[0]), screen.map((v) => v[1])];
    expect((Math.max(...xs) + Math.min(...xs)) / 2).toBeCloseTo(500, 6);
    expect((Math.max(...ys) + Math.min(...ys)) / 2).toBeCloseTo(300, 6);
    expect(Math.max((Math.max(...xs) - Math.min(...xs)) / 1000, (Math.max(...ys) - Math.min(...ys)) / 600)).toBeCloseTo(0.7, 6);
    expect(zoomToPoints(fit, 1000, 600, xy, [3], 8).k).toBe(8);
    expect(zoomToPoints(fit, 1000, 600, Float32Array.of(0, 0, 1, 1), [0, 1]).k).toBe(1); // never below the fitted view
  });
});
