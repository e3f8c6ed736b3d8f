import { describe, expect, it } from 'vitest';
import type { SteerStepData } from '../../../native/api/types.js';
import { klGeometry } from '../../../renderer/src/lib/steer/kl-chart.js';
import { probBackground, probIntensity } from '../../../renderer/src/lib/steer/prob-tint.js';

const step = (i: number, kl: number | null, watched?: { steered: number; clean: number }): SteerStepData => ({
  step: i,
  clean: { id: 1, text: 'a', prob: 0.5 },
  steered: kl === null ? null : { id: 2, text: 'b', prob: 0.4, cleanProb: 0.1 },
  kl,
  ...(watched ? { watched } : {}),
});

describe('steer chart geometry', () => {
  it('draws one bar per step with a KL, heights proportional to KL, slots fixed by the planned number of steps', () => {
    const g = klGeometry([step(0, 0.1), step(1, 0.4), step(2, null)], 8, 400, 100, { left: 40, right: 0, top: 0, bottom: 0 });
    expect(g.bars.map((b) => b.step)).toEqual([0, 1]);
    expect(g.bars[1].height / g.bars[0].height).toBeCloseTo(4, 6);
    expect(g.bars[0].width).toBeCloseTo(g.bars[1].width);
    // Eight slots over 360 px: the second bar starts one slot after the first.
    expect(g.bars[1].x - g.bars[0].x).toBeCloseTo(360 / (8 - 0.2), 1);
    expect(g.watched.steered).toBe('');
    expect(g.watchedTop).toBeNull();
  });

  it('scales the watched-token lines to their own maximum', () => {
    const g = klGeometry([step(0, 0.1, { steered: 0.02, clean: 0.001 }), step(1, 0.2, { steered: 0.03, clean: 0.002 })], 2, 200, 100, {
      left: 0,
      right: 0,
      top: 0,
      bottom: 0,
    });
    expect(g.watchedTop?.label).toBe('0.03');
    expect(g.watched.steered).toMatch(/^M[\d.]+,[\d.]+L[\d.]+,0\.0$/);
  });

  it('tints by probability above a floor and leaves p = 0 untinted', () => {
    expect(probIntensity(0)).toBe(0);
    expect(probBackground(0)).toBe('');
    expect(probIntensity(0.01)).toBeGreaterThan(0.1);
    expect(probIntensity(1)).toBe(1);
    expect(probBackground(1)).toBe('color-mix(in srgb, var(--boost) 100%, transparent)');
  });
});
