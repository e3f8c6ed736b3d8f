import type { SynsetTokens } from './synset-tokens.js';
import type { Synset } from './wordnet.js';

/** A WordNet hierarchy cut to what one vocabulary can estimate. */
export interface HierarchyNode {
  synset: Synset;
  /** [nTokens] ascending */
  tokenIds: number[];
  words: number;
  found: number;
  children: HierarchyNode[];
  /** Hyponyms with some tokens but fewer than the minimum, most tokens first (at most 8). */
  refused: { synset: Synset; nTokens: number }[];
}

export interface HierarchyOptions {
  /** Levels below the root (0 = the root alone). */
  depth: number;
  /** A concept with fewer single-token words than this is refused. */
  minTokens: number;
}

const maxRefused = 8;
/** WordNet chains are at most ~20 deep; a bound keeps a malformed file from looping. */
const maxChain = 64;

/**
 * The children a view should show under `synset`, following Park et al.'s pruning: hyponyms with
 * at least `minTokens` tokens, where a lone qualifying child, or one with exactly the parent's tokens,
 * is looked through to its own children (animal → chordate → vertebrate → {mammal, bird, fish}
 * becomes animal → {mammal, bird, fish}).
 */
export function qualifyingChildren(
  index: SynsetTokens,
  synset: Synset,
  minTokens: number,
): { children: Synset[]; refused: HierarchyNode['refused'] } {
  const parentSize = index.tokens(synset.offset).size;
  const qualifies = (offset: number) => index.tokens(offset).size >= minTokens;
  const children: Synset[] = [];
  const refused: HierarchyNode['refused'] = [];
  let frontier: Synset[] = [synset];
  for (let step = 0; step < maxChain && frontier.length > 0; step++) {
    const next = new Map<number, Synset>();
    for (const s of frontier) {
      for (const h of s.hyponyms) {
        const n = index.tokens(h).size;
        if (n >= minTokens) next.set(h, index.synset(h));
        else if (n > 0) refused.push({ synset: index.synset(h), nTokens: n });
      }
    }
    const found = [...next.values()];
    let through = found.filter((c) => index.tokens(c.offset).size === parentSize);
    if (found.length === 1 && found[0].hyponyms.some(qualifies)) through = found;
    children.push(...found.filter((c) => !through.includes(c) && !children.includes(c)));
    frontier = through;
  }
  return { children, refused: topRefused(refused) };
}

function topRefused(refused: HierarchyNode['refused']): HierarchyNode['refused'] {
  const unique = new Map(refused.map((r) => [r.synset.offset, r]));
  return [...unique.values()].sort((a, b) => b.nTokens - a.nTokens).slice(0, maxRefused);
}

/** The hierarchy under `root`, `depth` levels deep, with token sets and word counts per node. */
export function buildHierarchy(index: SynsetTokens, root: Synset, options: HierarchyOptions): HierarchyNode {
  const build = (synset: Synset, level: number): HierarchyNode => {
    const tokenIds = [...index.tokens(synset.offset)].sort((a, b) => a - b);
    const { words, found } = index.wordCounts(synset.offset);
    if (level >= options.depth || tokenIds.length < options.minTokens) return { synset, tokenIds, words, found, children: [], refused: [] };
    const { children, refused } = qualifyingChildren(index, synset, options.minTokens);
    const sorted = [...children].sort((a, b) => index.tokens(b.offset).size - index.tokens(a.offset).size);
    return { synset, tokenIds, words, found, children: sorted.map((c) => build(c, level + 1)), refused };
  };
  return build(root, 0);
}

/** The nodes of a hierarchy once each (a synset reached by two paths keeps its first place), parents first. */
export function flattenHierarchy(root: HierarchyNode): { node: HierarchyNode; parent: number | null; depth: number }[] {
  const out: { node: HierarchyNode; parent: number | null; depth: number }[] = [];
  const index = new Map<number, number>();
  const visit = (node: HierarchyNode, parent: number | null, depth: number) => {
    if (index.has(node.synset.offset)) return;
    index.set(node.synset.offset, out.length);
    const at = out.length;
    out.push({ node, parent, depth });
    for (const c of node.children) visit(c, at, depth + 1);
  };
  visit(root, null, 0);
  return out;
}
