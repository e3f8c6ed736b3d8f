import { interpolateViridis, rgb } from 'd3';
import { describe, expect, it } from 'vitest';
import { densityScale, packColour, pointColours, type Palette, type PointAttributes } from '../../../renderer/src/lib/map/colour.js';
import { formatDensity, legendFor } from '../../../renderer/src/lib/map/legend.js';

const palette: Palette = { dark: false, unknown: '#999999', unlabelled: '#bbbbbb', labelled: '#4f5bd5', uninterpretable: '#b7791f', saes: ['#1f77b4', '#ff7f0e'] };

/** A pixel word's bytes in memory, as ImageData holds them. */
function bytes(word: number): number[] {
  return Array.from(new Uint8Array(Uint32Array.of(word).buffer));
}

const attrs: PointAttributes = {
  density: Float32Array.of(1e-4, 1e-3, 1e-2, 1e-1, NaN, 0),
  labelState: Uint8Array.of(0, 1, 2, 1, 0, 0),
  sae: Uint8Array.of(0, 0, 0, 1, 1, 1),
};

describe('map colours', () => {
  it('packs a CSS colour into ImageData byte order (R, G, B, A)', () => {
    expect(bytes(packColour('#4f5bd5'))).toEqual([0x4f, 0x5b, 0xd5, 255]);
    expect(bytes(packColour('rgba(10, 20, 30, 0.5)', 0.5))).toEqual([10, 20, 30, 64]);
  });

  it('colours density on a log scale over the positive densities, with unknown and dead features apart', () => {
    const words = pointColours('density', attrs, palette);
    const scale = densityScale(attrs.density, false);
    expect(scale.domain()).toEqual([Math.fround(1e-4), Math.fround(1e-1)]);
    // Even decades land at even steps of the ramp: 0, 1/3, 2/3, 1.
    [0, 1, 2, 3].forEach((i) => {
      const expected = rgb(interpolateViridis(0.9 * Math.round((i / 3) * 255) / 255));
      expect(bytes(words[i]).slice(0, 3)).toEqual([expected.r, expected.g, expected.b]);
    });
    expect(words[4]).toBe(words[5]);
    expect(bytes(words[4]).slice(0, 3)).toEqual([0x99, 0x99, 0x99]);
  });

  it('colours label state and SAE from the palette, and fades what is not emphasised', () => {
    const label = pointColours('label', attrs, palette);
    expect(bytes(label[1]).slice(0, 3)).toEqual([0x4f, 0x5b, 0xd5]);
    expect(bytes(label[2]).slice(0, 3)).toEqual([0xb7, 0x79, 0x1f]);
    const sae = pointColours('sae', attrs, palette, Uint8Array.of(1, 0, 0, 1, 0, 0));
    expect(bytes(sae[3]).slice(0, 3)).toEqual([0xff, 0x7f, 0x0e]);
    expect(bytes(sae[0])[3]).toBeGreaterThan(4 * bytes(sae[1])[3]);
  });

  it('describes each mode in a legend with counts', () => {
    const labels = legendFor('label', attrs, palette, ['a', 'b']);
    expect(labels.kind === 'swatches' && labels.items.map((i) => [i.label, i.count])).toEqual([['Unlabelled', 3], ['Labelled', 2], ['Uninterpretable', 1]]);
    const saes = legendFor('sae', attrs, palette, ['narrow', 'wide']);
    expect(saes.kind === 'swatches' && saes.items.map((i) => [i.label, i.count])).toEqual([['narrow', 3], ['wide', 3]]);
    const density = legendFor('density', attrs, palette, []);
    if (density.kind !== 'ramp') throw new Error('expected a ramp');
    expect(density.ticks.map((t) => t.label)).toEqual(['0.01%', '0.1%', '1%', '10%']);
    expect(density.ticks[0].at).toBeCloseTo(0, 6);
    expect(density.ticks[3].at).toBeCloseTo(1, 6);
    expect(density.extra.count).toBe(2);
  });

  it('formats densities as percentages people read', () => {
    expect([0.0123, 3e-5, 0.25, 0, NaN].map(formatDensity)).toEqual(['1.2%', '0.003%', '25%', '0%', '—']);
  });
});
