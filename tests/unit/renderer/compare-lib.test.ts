import { describe, expect, it } from 'vitest';
import type { SaeSummary, SplitTreeNode, TrainPoint } from '../../../native/api/types.js';
import { defaultPair } from '../../../renderer/src/lib/compare/defaults.js';
import { bestIndex, formatMetric } from '../../../renderer/src/lib/compare/format.js';
import { decodeLinks } from '../../../renderer/src/lib/compare/links.js';
import { compareParams, parseCompareRoute } from '../../../renderer/src/lib/compare/route.js';
import { layoutTree, treeBox } from '../../../renderer/src/lib/compare/tree-layout.js';
import { curveGeometry } from '../../../renderer/src/lib/train/curves.js';
import { slug, splitDefaults, splitProblem } from '../../../renderer/src/lib/train/split-form.js';

function node(
  saeId: string,
  index: number,
  cosine: number | null,
  children: SplitTreeNode[] = [],
  correlation: number | null = null,
): SplitTreeNode {
  return {
    key: { saeId, index },
    label: '',
    density: 0.01,
    fires: 10,
    topTokens: [],
    edge: cosine === null ? null : { cosine, correlation, cofire: null, parentShare: null, pParentGivenChild: null },
    children,
  };
}

describe('splitting tree layout', () => {
  const tree = node('n', 7, null, [
    node('w', 1, 0.9, [node('x', 5, 0.8), node('x', 6, 0.3)]),
    node('w', 2, 0.7),
    node('w', 3, 0.2, [], null),
  ]);

  it('places the root left of its children, siblings one row apart, and counts what the threshold hides', () => {
    const all = layoutTree(tree, 'cosine', 0);
    expect(all.nodes.map((n) => n.id)).toEqual(['n#7', 'w#1', 'w#2', 'w#3', 'x#5', 'x#6']);
    const [root, ...rest] = all.nodes;
    expect(rest.every((n) => n.x > root.x + treeBox.width)).toBe(true);
    const children = all.nodes.filter((n) => n.depth === 1).map((n) => n.y);
    expect(children[1] - children[0]).toBeGreaterThanOrEqual(treeBox.height);
    expect(all.links).toHaveLength(5);
    expect(all.hidden).toBe(0);
    expect(Math.min(...all.nodes.map((n) => n.y))).toBe(0);
    expect(all.height).toBe(Math.max(...all.nodes.map((n) => n.y)) + treeBox.height);

    const some = layoutTree(tree, 'cosine', 0.5);
    expect(some.nodes.map((n) => n.id)).toEqual(['n#7', 'w#1', 'w#2', 'x#5']);
    expect(some.hidden).toBe(2);
    expect(some.links.map((l) => l.width)).toEqual([1 + 5 * 0.9, 1 + 5 * 0.7, 1 + 5 * 0.8]);
  });

  it('drops an edge whose correlation cannot be computed at any threshold by correlation', () => {
    const t = node('n', 0, null, [node('w', 1, 0.9, [], 0.5), node('w', 2, 0.9, [], null)]);
    expect(layoutTree(t, 'correlation', -1).nodes.map((n) => n.id)).toEqual(['n#0', 'w#1']);
  });
});

describe('compare helpers', () => {
  it('parse and build the compare route with and without a tree', () => {
    expect(parseCompareRoute(['a', 'b'])).toEqual({ saeIds: ['a', 'b'], treeRoot: null, treeLevel: 0 });
    expect(parseCompareRoute(['a', 'b', 'c', 'tree', '42'])).toEqual({ saeIds: ['a', 'b', 'c'], treeRoot: 42, treeLevel: 0 });
    expect(parseCompareRoute(['a', 'b', 'c', 'tree', '42', '1'])).toEqual({ saeIds: ['a', 'b', 'c'], treeRoot: 42, treeLevel: 1 });
    // The widest SAE has no children to show: its level falls back to the narrowest.
    expect(parseCompareRoute(['a', 'b', 'tree', '42', '1']).treeLevel).toBe(0);
    expect(parseCompareRoute(['a', 'b', 'tree', 'x'])).toEqual({ saeIds: ['a', 'b'], treeRoot: null, treeLevel: 0 });
    expect(compareParams(['a', 'b'], 3)).toEqual(['a', 'b', 'tree', 3]);
    expect(compareParams(['a', 'b', 'c'], 3, 1)).toEqual(['a', 'b', 'c', 'tree', 3, 1]);
  });

  it('decode the engine’s little-endian links exactly and refuse a wrong length', () => {
    const parents = Buffer.alloc(12);
    [3, -1, 0].forEach((v, i) => parents.writeInt32LE(v, i * 4));
    const sims = Buffer.alloc(12);
    [0.5, 0, -0.25].forEach((v, i) => sims.writeFloatLE(v, i * 4));
    const links = decodeLinks({
      pair: 0,
      by: 'cosine',
      nWide: 3,
      parents: parents.toString('base64'),
      similarity: sims.toString('base64'),
    });
    expect(Array.from(links.parents)).toEqual([3, -1, 0]);
    expect(Array.from(links.similarity)).toEqual([0.5, 0, -0.25]);
    expect(() =>
      decodeLinks({ pair: 0, by: 'cosine', nWide: 4, parents: parents.toString('base64'), similarity: sims.toString('base64') }),
    ).toThrow(/expected 16 bytes, got 12/);
  });

  it('pick the narrowest and widest SAE of one hook, and the best value of a metric row', () => {
    const sae = (id: string, dSae: number, hookName: string) => ({ id, dSae, hookName, dIn: 256, modelId: 'm' }) as SaeSummary;
    expect(defaultPair([sae('r', 64, 'resid'), sae('b', 4096, 'mlp'), sae('a', 512, 'mlp'), sae('c', 1024, 'mlp')])).toEqual(['a', 'b']);
    expect(defaultPair([sae('r', 64, 'resid')])).toEqual([]);
    expect(bestIndex([0.3, null, 0.2], 'lower')).toBe(2);
    expect(bestIndex([0.3, null, 0.2], 'higher')).toBe(0);
    expect(formatMetric(null, 'ratio')).toBe('—');
    expect(formatMetric(0.934, 'percent')).toBe('93.4%');
  });
});

describe('split form', () => {
  const narrow = { id: 'Brown 512', dSae: 512, k: 16 };
  it('defaults to the recipe: copied latents plus 16 new started from the feature, a threshold of a quarter of its max, the feature kept, a valid name', () => {
    const s = splitDefaults(narrow, 42, '0101', 9.39);
    expect(s).toMatchObject({
      dSae: 528,
      k: 16,
      initFrom: true,
      newFromData: true,
      freezeOthers: true,
      background: 0.5,
      zeroFeature: false,
      normalizeInit: false,
      threshold: 2.35,
      tokens: 1_048_576,
      batchTokens: 4096,
      lr: null,
      name: 'brown-512-f42-split-0101',
    });
    expect(splitProblem(s, 512)).toBeNull();
    expect(splitDefaults(narrow, 42, '0101').threshold).toBe(0);
    expect(slug('  ÄÖ  ')).toBe('sae');
  });

  it('says what is wrong: too narrow to copy from, zeroing without init, k above the width, a bad name', () => {
    const s = splitDefaults(narrow, 1, 'x');
    expect(splitProblem({ ...s, dSae: 100 }, 512)).toMatch(/at least 512/);
    expect(splitProblem({ ...s, initFrom: false, zeroFeature: true, dSae: 100 }, 512)).toMatch(/Zeroing the feature needs/);
    expect(splitProblem({ ...s, initFrom: false, dSae: 100 }, 512)).toMatch(/Starting the new latents from the feature needs/);
    expect(splitProblem({ ...s, k: 1000 }, 512)).toMatch(/k must be/);
    expect(splitProblem({ ...s, name: 'Has Space' }, 512)).toMatch(/name/);
    expect(splitProblem({ ...s, lr: 0 }, 512)).toMatch(/learning rate/);
  });
});

describe('training curves', () => {
  const point = (step: number, nmse: number): TrainPoint => ({
    step,
    steps: 4,
    tokensSeen: step * 1000,
    loss: nmse,
    nmse,
    auxLoss: 0,
    l0: 16,
    deadFraction: 0,
    lr: 1e-3,
  });
  it('draw each point against tokens seen, the last one marked, a log axis for falling errors', () => {
    const g = curveGeometry([point(1, 0.8), point(2, 0.4), point(3, 0.2), point(4, 0.1)], 'nmse', true, 300, 150);
    expect(g.path.match(/[ML]/g)).toHaveLength(4);
    expect(g.last).toMatchObject({ value: 0.1 });
    expect(g.last!.x).toBeCloseTo(290, 6);
    expect(g.yTicks.length).toBeGreaterThan(1);
    expect(curveGeometry([], 'nmse', true, 300, 150)).toMatchObject({ path: '', last: null });
  });
});
