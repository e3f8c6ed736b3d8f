import { describe, expect, it } from 'vitest';
import type { SplitTreeNode } from '../../../native/api/types.js';
import { isSplitChild, splitVerdict } from '../../../renderer/src/lib/compare/split-verdict.js';

function child(index: number, fires: number, cofire: number | null, parentFires = 1000, cosine = 0.8): SplitTreeNode {
  const edge = {
    cosine,
    correlation: 0.5,
    cofire,
    parentShare: cofire === null ? null : cofire / parentFires,
    pParentGivenChild: cofire === null ? null : cofire / fires,
  };
  return { key: { saeId: 'wide', index }, label: '', density: fires / 1e5, fires, topTokens: [], edge, children: [] };
}
const root = (children: SplitTreeNode[]): SplitTreeNode => ({
  key: { saeId: 'narrow', index: 7 },
  label: '',
  density: 0.01,
  fires: 1000,
  topTokens: [],
  edge: null,
  children,
});

describe('split verdict', () => {
  it('counts the children that fire on the parent’s tokens often enough, most of the parent first, and adds up their shares', () => {
    const v = splitVerdict(root([child(1, 400, 390), child(2, 300, 100), child(3, 15, 15), child(4, 700, 650)]), 'cosine');
    expect(v.children.map((c) => c.key.index)).toEqual([4, 1]);
    expect(v.covered).toBeCloseTo(1.04, 10);
    expect(v.headline).toMatch(/#7 splits into 2 children by decoder cosine .* add up to 104 %/);
    expect(v.advice).toEqual([]);
    expect(isSplitChild(child(3, 15, 15))).toBe(false); // P = 1 but too few firings to judge
  });

  it('says why there is no child and what to change: dead new latents, children that fire elsewhere, too few firings, no candidate', () => {
    const elsewhere = splitVerdict(root([child(1, 4000, 400)]), 'correlation', { count: 16, dead: 9 });
    expect(elsewhere.children).toEqual([]);
    expect(elsewhere.headline).toMatch(/No child of #7 by activation correlation/);
    expect(elsewhere.advice.join(' ')).toMatch(/9 of the 16 new latents ended training dead/);
    expect(elsewhere.advice.join(' ')).toMatch(/#1, fires with it on 10 % of its tokens/);
    expect(splitVerdict(root([child(1, 12, 12)]), 'cosine').advice.join(' ')).toMatch(/too rarely to judge .* compare on more tokens/);
    expect(splitVerdict(root([]), 'cosine').advice.join(' ')).toMatch(
      /No feature of the wider SAE has #7 as its best parent by decoder cosine; try the correlation measure/,
    );
    expect(splitVerdict(root([child(1, 100, null)]), 'cosine').advice.join(' ')).toMatch(/Compare the two SAEs again/);
  });
});
