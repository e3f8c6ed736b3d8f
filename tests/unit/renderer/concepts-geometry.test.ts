import { describe, expect, it } from 'vitest';
import type { ConceptNode, ConceptWordList } from '../../../native/api/types.js';
import { axisOptions, defaultHighlight, tokenList, treeRows } from '../../../renderer/src/lib/concepts/concept-tree.js';
import { cellAt, cellSize, cosineColour, formatCosine } from '../../../renderer/src/lib/concepts/heatmap-geometry.js';
import { decodeFloat32, nearest, planePoints, planeScales, pointTree } from '../../../renderer/src/lib/concepts/plane-geometry.js';

function node(name: string, nTokens: number, children: ConceptNode[] = []): ConceptNode {
  return { ref: `wn:${name}.n.01`, name, words: 10, found: 5, nTokens, enough: nTokens >= 8, gloss: '', sample: [], children, refused: [] };
}

describe('plane geometry', () => {
  it('decodes the engine’s base64 float32 pairs', () => {
    const values = Float32Array.from([1.5, -2.25, 0.1]);
    const base64 = Buffer.from(values.buffer).toString('base64');
    expect(Array.from(decodeFloat32(base64))).toEqual(Array.from(values));
  });

  it('uses one scale for both axes (angles read true), holds the origin and every highlighted point', () => {
    const cloud = Array.from({ length: 200 }, (_, i) => ({ x: Math.sin(i) * 2, y: Math.cos(i) }));
    const far = { x: 9, y: -4 };
    const s = planeScales(cloud, [far], 600, 300, 10);
    const unitX = s.x(1) - s.x(0);
    const unitY = s.y(0) - s.y(1);
    expect(unitX).toBeCloseTo(unitY, 9);
    for (const p of [far, { x: 0, y: 0 }]) {
      expect(s.x(p.x)).toBeGreaterThanOrEqual(10 - 1e-9);
      expect(s.x(p.x)).toBeLessThanOrEqual(590 + 1e-9);
      expect(s.y(p.y)).toBeGreaterThanOrEqual(10 - 1e-9);
      expect(s.y(p.y)).toBeLessThanOrEqual(290 + 1e-9);
    }
  });

  it('finds the nearest token or feature within a radius', () => {
    const points = planePoints(Float32Array.from([0, 0, 1, 1]), Float32Array.from([5, 5]));
    const tree = pointTree(points);
    expect(nearest(tree, 4.8, 5.1, 1)).toMatchObject({ kind: 'feature', index: 0 });
    expect(nearest(tree, 0.9, 1.2, 1)).toMatchObject({ kind: 'token', index: 1 });
    expect(nearest(tree, 3, 3, 0.5)).toBeNull();
  });
});

describe('heat map geometry', () => {
  it('colours +1 and −1 at the ends of a diverging scale and a missing value apart', () => {
    expect(cosineColour(1, 'none')).not.toBe(cosineColour(-1, 'none'));
    expect(cosineColour(2, 'none')).toBe(cosineColour(1, 'none'));
    expect(cosineColour(null, 'none')).toBe('none');
  });

  it('sizes cells between a label’s line and 28 px and maps pixels back to cells', () => {
    expect(cellSize(3, 600, 600)).toBe(28);
    expect(cellSize(60, 300, 300)).toBe(12);
    expect(cellSize(20, 400, 600)).toBe(20);
    expect(cellAt(25, 45, 3, 20)).toEqual({ row: 2, col: 1 });
    expect(cellAt(61, 0, 3, 20)).toBeNull();
  });

  it('formats cosines signed, with a real minus and no negative zero', () => {
    expect([formatCosine(0.1234), formatCosine(-0.5), formatCosine(-0.001), formatCosine(null)]).toEqual(['0.12', '−0.50', '0.00', '—']);
  });
});

describe('concept tree helpers', () => {
  const root = node('animal', 50, [node('mammal', 26, [node('canine', 9)]), node('bird', 9), node('fish', 6)]);

  it('lists the tree in pre-order with depths and parents', () => {
    expect(treeRows(root).map((r) => [r.node.name, r.depth, r.parent])).toEqual([
      ['animal', 0, null],
      ['mammal', 1, 'wn:animal.n.01'],
      ['canine', 2, 'wn:mammal.n.01'],
      ['bird', 1, 'wn:animal.n.01'],
      ['fish', 1, 'wn:animal.n.01'],
    ]);
  });

  it('offers axes only for concepts with enough tokens, and word lists that are not too small', () => {
    const lists: ConceptWordList[] = [
      { name: 'pets', words: [], updatedAt: '', match: { found: [], missing: [], nTokens: 12 } },
      { name: 'tiny', words: [], updatedAt: '', match: { found: [], missing: [], nTokens: 2 } },
    ];
    expect(axisOptions(root, lists, 8).map((o) => o.ref)).toEqual([
      'wn:animal.n.01',
      'wn:mammal.n.01',
      'wn:canine.n.01',
      'wn:bird.n.01',
      'list:pets',
    ]);
    expect(defaultHighlight(root, 1)).toEqual(['wn:mammal.n.01']);
  });

  it('shows whole words bare and word pieces marked', () => {
    expect(tokenList([' dog', 'ing', ' ', '\n'])).toBe('dog, -ing, -␣, -↵');
  });
});
