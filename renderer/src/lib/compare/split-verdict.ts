import type { MatchMeasure, SplitTreeNode } from '../../../../native/api/types.js';

/**
 * Whether a splitting tree shows a split, and if not, why and what to change. A child counts when
 * it fires on its parent's tokens (P(parent fires | child fires) at least `minP`) often enough to
 * judge (`minFires` firings on the comparison's tokens): the reading of Bricken et al. 2023, where a
 * feature splits into children that each cover part of its firings and rarely fire without it.
 */
export const SPLIT_CHILD = { minP: 0.7, minFires: 20 } as const;

export interface SplitVerdict {
  by: MatchMeasure;
  /** children that fire on the parent's tokens, most of the parent covered first */
  children: SplitTreeNode[];
  /** children in the tree at all (any P, any firings) */
  inTree: number;
  /** the counted children's shares of the parent's firings, added up (over 1 when they overlap) */
  covered: number;
  /** one sentence a researcher reads first */
  headline: string;
  /** why there is no child, and what to change; empty when the split worked */
  advice: string[];
}

/** The new latents of a split run: how many, and how many ended dead in training (from train.start's result). */
export interface NewLatents {
  count: number;
  dead: number;
}

export function isSplitChild(node: SplitTreeNode): boolean {
  const p = node.edge?.pParentGivenChild;
  return p !== null && p !== undefined && p >= SPLIT_CHILD.minP && node.fires >= SPLIT_CHILD.minFires;
}

const pct = (v: number) => `${(100 * v).toFixed(v < 0.1 ? 1 : 0)} %`;

export function splitVerdict(root: SplitTreeNode, by: MatchMeasure, newLatents?: NewLatents | null): SplitVerdict {
  const all = root.children;
  const children = all.filter(isSplitChild).sort((a, b) => (b.edge?.parentShare ?? 0) - (a.edge?.parentShare ?? 0));
  const covered = children.reduce((s, c) => s + (c.edge?.parentShare ?? 0), 0);
  const measure = by === 'cosine' ? 'decoder cosine' : 'activation correlation';
  const counted = all.some((c) => c.edge?.cofire !== null);
  if (!counted && all.length > 0) {
    return {
      by,
      children: [],
      inTree: all.length,
      covered: 0,
      headline: `${all.length} features have #${root.key.index} as their best parent by ${measure}, but this comparison predates co-firing counts.`,
      advice: ['Compare the two SAEs again to count how often each child fires with its parent.'],
    };
  }
  if (children.length > 0) {
    const headline = `#${root.key.index} splits into ${children.length} ${children.length === 1 ? 'child' : 'children'} by ${measure} that fire on its tokens (P(parent | child) ≥ ${SPLIT_CHILD.minP}, ≥ ${SPLIT_CHILD.minFires} firings); their shares of its firings add up to ${pct(covered)}${covered > 1.05 ? ' (they overlap)' : ''}.`;
    return { by, children, inTree: all.length, covered, headline, advice: [] };
  }
  const advice: string[] = [];
  if (newLatents && newLatents.count > 0 && newLatents.dead / newLatents.count > 0.2) {
    advice.push(
      `${newLatents.dead} of the ${newLatents.count} new latents ended training dead: start them from the data, raise the threshold so training sees only the feature's clear tokens, or train on more tokens.`,
    );
  }
  const best = [...all].sort((a, b) => (b.edge?.pParentGivenChild ?? -1) - (a.edge?.pParentGivenChild ?? -1))[0];
  if (all.length === 0) {
    advice.push(
      `No feature of the wider SAE has #${root.key.index} as its best parent by ${measure}${by === 'cosine' ? '; try the correlation measure' : '; try the cosine measure'}, or a wider SAE.`,
    );
  } else if (best && (best.edge?.pParentGivenChild ?? 0) < SPLIT_CHILD.minP) {
    advice.push(
      `The closest candidates also fire without #${root.key.index}: the best, #${best.key.index}, fires with it on ${best.edge?.pParentGivenChild === null || best.edge?.pParentGivenChild === undefined ? '—' : pct(best.edge.pParentGivenChild)} of its tokens (cosine ${best.edge?.cosine.toFixed(2)}). Raise the threshold so training sees only the feature's clear tokens.`,
    );
  } else if (best) {
    advice.push(`Its children fire too rarely to judge (the busiest, #${best.key.index}, ${best.fires} times): compare on more tokens.`);
  }
  return {
    by,
    children,
    inTree: all.length,
    covered: 0,
    headline: `No child of #${root.key.index} by ${measure} fires on its tokens (P(parent | child) ≥ ${SPLIT_CHILD.minP} with ≥ ${SPLIT_CHILD.minFires} firings).`,
    advice,
  };
}
