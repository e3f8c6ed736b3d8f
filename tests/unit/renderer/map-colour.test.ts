import { interpolateViridis } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';
import { describe, expect, it } from 'vitest';
import {
  categoryColour,
  densityScale,
  familyColour,
  packColour,
  pointColours,
  topCategories,
  type Palette,
  type PointAttributes,
} from '../../../renderer/src/lib/map/colour.js';
import { formatDensity, legendFor, thinTicks } from '../../../renderer/src/lib/map/legend.js';
import { saeColourRanks } from '../../../renderer/src/lib/compare/colours.js';
import { familiesOf, familyLinks } from '../../../renderer/src/lib/map/families.js';
import { buildLayout } from '../../../renderer/src/lib/map/layout.js';

const palette: Palette = {
  dark: false,
  unknown: '#999999',
  unlabelled: '#bbbbbb',
  labelled: '#4f5bd5',
  uninterpretable: '#b7791f',
  saes: ['#1f77b4', '#ff7f0e'],
};

/** A pixel word's bytes in memory, as ImageData holds them. */
function bytes(word: number): number[] {
  return Array.from(new Uint8Array(Uint32Array.of(word).buffer));
}

const attrs: PointAttributes = {
  density: Float32Array.of(1e-4, 1e-3, 1e-2, 1e-1, NaN, 0),
  labelState: Uint8Array.of(0, 1, 2, 1, 0, 0),
  sae: Uint8Array.of(0, 0, 0, 1, 1, 1),
  topToken: [' the', ' the', 'ed', ' the', '', 'ed'],
  candidate: ['det', 'det', 'verb', '', 'noun', 'det'],
  family: Int32Array.of(0, 1, 2, 0, -1, 2),
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
      const expected = rgb(interpolateViridis((0.9 * Math.round((i / 3) * 255)) / 255));
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
    expect(labels.kind === 'swatches' && labels.items.map((i) => [i.label, i.count])).toEqual([
      ['Unlabelled', 3],
      ['Labelled', 2],
      ['Uninterpretable', 1],
    ]);
    const saes = legendFor('sae', attrs, palette, ['narrow', 'wide']);
    expect(saes.kind === 'swatches' && saes.items.map((i) => [i.label, i.count])).toEqual([
      ['narrow', 3],
      ['wide', 3],
    ]);
    const density = legendFor('density', attrs, palette, []);
    if (density.kind !== 'ramp') throw new Error('expected a ramp');
    expect(density.ticks.map((t) => t.label)).toEqual(['0.01%', '0.1%', '1%', '10%']);
    expect(density.ticks[0].at).toBeCloseTo(0, 6);
    expect(density.ticks[3].at).toBeCloseTo(1, 6);
    expect(density.extra.count).toBe(2);
  });

  it('colours the most common top tokens and candidates as categories, the rest as other, missing values as unknown', () => {
    expect(topCategories(attrs.topToken)).toEqual([
      { value: ' the', count: 3 },
      { value: 'ed', count: 2 },
    ]);
    const token = pointColours('token', attrs, palette);
    expect(token[0]).toBe(token[3]);
    expect(bytes(token[0]).slice(0, 3)).toEqual(bytes(packColour(categoryColour(0))).slice(0, 3));
    expect(bytes(token[2]).slice(0, 3)).toEqual(bytes(packColour(categoryColour(1))).slice(0, 3));
    expect(bytes(token[4]).slice(0, 3)).toEqual([0x99, 0x99, 0x99]);
    const legend = legendFor('candidate', attrs, palette, []);
    expect(legend.kind === 'swatches' && legend.items.map((i) => [i.label, i.count])).toEqual([
      ['det', 3],
      ['noun', 1],
      ['verb', 1],
      ['no candidate', 1],
    ]);
    // Eleven distinct values: ten get colours, the eleventh is "other".
    const many = Array.from({ length: 11 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    const manyLegend = legendFor(
      'token',
      { ...attrs, topToken: many, density: new Float32Array(11), labelState: new Uint8Array(11), sae: new Uint8Array(11) },
      palette,
      [],
    );
    expect(manyLegend.kind === 'swatches' && manyLegend.items.at(-1)).toMatchObject({ label: 'other', count: 1 });
  });

  it('colours a family (a narrow feature and the wider ones matched to it) alike, and nothing for no family', () => {
    const words = pointColours('parent', attrs, palette);
    expect(words[0]).toBe(words[3]);
    expect(words[2]).toBe(words[5]);
    expect(words[0]).not.toBe(words[1]);
    expect(bytes(words[4]).slice(0, 3)).toEqual([0x99, 0x99, 0x99]);
    expect(familyColour(1, false)).not.toBe(familyColour(2, false));
  });

  it('reads families off a comparison: parents above the threshold, chained through a third SAE; hover links to parent and children', () => {
    // narrow "a" (2 features), middle "b" (3), wide "c" (2); the map lists them by id.
    const b64 = (a: Float32Array | Int32Array) => Buffer.from(a.buffer).toString('base64');
    const layout = buildLayout({
      points: [
        { saeId: 'a', nPoints: 2, xy: b64(new Float32Array(4)) },
        { saeId: 'b', nPoints: 3, xy: b64(new Float32Array(6)) },
        { saeId: 'c', nPoints: 2, xy: b64(new Float32Array(4)) },
      ],
    });
    const links = [
      { nWide: 3, parents: Int32Array.of(1, 0, 1), similarity: Float32Array.of(0.9, 0.3, 0.6) },
      { nWide: 2, parents: Int32Array.of(2, 0), similarity: Float32Array.of(0.8, 0.7) },
    ];
    const f = familiesOf(layout, ['a', 'b', 'c'], links, 7, 'A');
    expect(Array.from(f.family)).toEqual([0, 1, 1, -1, 1, 1, 1]);
    expect(Array.from(f.parentPoint)).toEqual([-1, -1, 1, -1, 1, 4, 2]);
    expect(familyLinks(f, 1)).toEqual([
      [1, 2],
      [1, 4],
    ]);
    expect(familyLinks(f, 4)).toEqual([
      [1, 4],
      [4, 5],
    ]);
  });

  it('gives each SAE one colour in every view: its rank by width, narrowest first', () => {
    const saes = [
      { id: 'brown-4096', dSae: 4096 },
      { id: 'brown-512', dSae: 512 },
    ];
    expect(saeColourRanks(['brown-4096', 'brown-512'], saes)).toEqual([1, 0]);
    expect(saeColourRanks(['brown-512', 'brown-4096'], saes)).toEqual([0, 1]);
  });

  it('thins crowded ramp ticks so their labels never overlap, keeping both ends', () => {
    const ticks = [0, 0.1, 0.3, 0.45, 0.6, 0.9, 1].map((at, i) => ({ label: `t${i}`, at }));
    const kept = thinTicks(ticks).map((t) => t.at);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(1);
    for (let i = 1; i < kept.length; i++) expect(kept[i] - kept[i - 1]).toBeGreaterThanOrEqual(0.24);
  });

  it('formats densities as percentages people read', () => {
    expect([0.0123, 3e-5, 0.25, 0, NaN].map(formatDensity)).toEqual(['1.2%', '0.003%', '25%', '0%', '—']);
  });
});
