import type { ConceptDefaultRoot, ConceptHierarchy, ConceptNode, ConceptSynsetMatch } from '../../../api/types.js';
import type { Workspace } from '../../../store/workspace.js';
import { chooseDefaultRoot, rootCandidates } from '../default-root.js';
import { buildHierarchy, qualifyingChildren } from '../hierarchy.js';
import { wholeWordRule } from '../whole-words.js';
import type { HierarchyNode } from '../hierarchy.js';
import { loadWordNet } from '../wordnet.js';
import type { Synset } from '../wordnet.js';
import { conceptModel } from './model.js';
import type { ConceptModel } from './model.js';
import { resolveSynset, synsetName, synsetRef, synsetTokens } from './sources.js';

const sampleSize = 12;

/** Roots a researcher starts from: the default's candidates, then the paper's other figures (plant, food…). */
const suggestedRoots = [
  ...new Set<string>([
    ...rootCandidates,
    'plant.n.02',
    'food.n.01',
    'body_part.n.01',
    'location.n.01',
    'substance.n.01',
    'time_period.n.01',
    'feeling.n.01',
    'communication.n.02',
    'act.n.02',
    'group.n.01',
  ]),
];

/** Whole words (a leading space) first, then word pieces; each in id order, which BPE makes frequency order. */
export function sampleOf(cm: ConceptModel, tokenIds: readonly number[]): string[] {
  const texts = tokenIds.map((id) => cm.vocab.texts[id]);
  return [...texts.filter((t) => t.startsWith(' ')), ...texts.filter((t) => !t.startsWith(' '))].slice(0, sampleSize);
}

function toNode(cm: ConceptModel, node: HierarchyNode, minTokens: number): ConceptNode {
  const s = node.synset;
  const { dropped } = synsetTokens(cm).wordCounts(s.offset);
  return {
    ref: synsetRef(s),
    name: synsetName(s),
    gloss: s.gloss,
    words: node.words,
    found: node.found,
    nTokens: node.tokenIds.length,
    enough: node.tokenIds.length >= minTokens,
    sample: sampleOf(cm, node.tokenIds),
    children: node.children.map((c) => toNode(cm, c, minTokens)),
    refused: node.refused.map((r) => ({ ref: synsetRef(r.synset), name: synsetName(r.synset), nTokens: r.nTokens })),
    dropped,
  };
}

/** A WordNet hierarchy under `root`, as the model's vocabulary can estimate it. */
export async function conceptHierarchy(
  ws: Workspace,
  params: { modelId: string; root: string; depth: number; minTokens: number },
): Promise<ConceptHierarchy> {
  const cm = await conceptModel(ws, params.modelId);
  const root = resolveSynset(params.root, 'root');
  const tree = buildHierarchy(synsetTokens(cm), root, { depth: params.depth, minTokens: params.minTokens });
  return {
    modelId: params.modelId,
    depth: params.depth,
    minTokens: params.minTokens,
    root: toNode(cm, tree, params.minTokens),
    wordRule: { ...wholeWordRule },
  };
}

/** The first candidate root this vocabulary holds (see default-root.ts), and every trial. */
export async function conceptDefaultRoot(ws: Workspace, params: { modelId: string; minTokens: number }): Promise<ConceptDefaultRoot> {
  const cm = await conceptModel(ws, params.modelId);
  const { chosen, tried } = chooseDefaultRoot(synsetTokens(cm), loadWordNet(), params.minTokens);
  return {
    modelId: params.modelId,
    ref: synsetRef(chosen.synset),
    name: synsetName(chosen.synset),
    holds: chosen.holds,
    tried: tried.map((t) => ({ ref: synsetRef(t.synset), name: synsetName(t.synset), holds: t.holds, why: t.why })),
  };
}

function matchOf(cm: ConceptModel, s: Synset, minTokens: number): ConceptSynsetMatch {
  const index = synsetTokens(cm);
  const nTokens = index.tokens(s.offset).size;
  const { words, found } = index.wordCounts(s.offset);
  const children = nTokens >= minTokens ? qualifyingChildren(index, s, minTokens).children.length : 0;
  return {
    ref: synsetRef(s),
    name: synsetName(s),
    gloss: s.gloss,
    lemmas: s.lemmas,
    words,
    found,
    nTokens,
    enough: nTokens >= minTokens,
    children,
  };
}

/** Synsets with a lemma that starts with `query`, or the suggested roots when there is no query. */
function candidates(query: string): Synset[] {
  const wordnet = loadWordNet();
  const q = normalQuery(query);
  if (q.length === 0) return suggestedRoots.map((n) => wordnet.byName.get(n)).filter((s): s is Synset => s !== undefined);
  const out = new Map<number, Synset>();
  const named = wordnet.byName.get(q);
  if (named) out.set(named.offset, named);
  for (const [lemma, offsets] of wordnet.senses) {
    if (!lemma.startsWith(q)) continue;
    for (const offset of offsets) {
      const s = wordnet.synsets.get(offset);
      if (s) out.set(offset, s);
    }
  }
  return [...out.values()];
}

function normalQuery(query: string): string {
  return query.trim().toLowerCase().replaceAll(' ', '_');
}

/** 0: named exactly or first lemma is the query; 1: first lemma starts with it; 2: another lemma is it; 3: the rest. */
function closeness(s: Synset, q: string): number {
  const lemmas = s.lemmas.map((l) => l.toLowerCase().replaceAll(' ', '_'));
  if (s.name === q || lemmas[0] === q) return 0;
  if (lemmas[0].startsWith(q)) return 1;
  return lemmas.includes(q) ? 2 : 3;
}

/** The hierarchy picker's list: matching (or suggested) synsets with their counts in this vocabulary. */
export async function conceptSynsets(
  ws: Workspace,
  params: { modelId: string; query?: string; minTokens: number; limit: number },
): Promise<ConceptSynsetMatch[]> {
  const cm = await conceptModel(ws, params.modelId);
  const query = params.query ?? '';
  const q = normalQuery(query);
  const synsets = candidates(query);
  if (q.length === 0)
    return synsets
      .map((s) => matchOf(cm, s, params.minTokens))
      .filter((m) => m.children >= 2)
      .slice(0, params.limit);
  const index = synsetTokens(cm);
  // Rank before counting words (a DFS per synset): only the page returned needs them.
  const ranked = synsets
    .map((s) => ({ s, close: closeness(s, q), n: index.tokens(s.offset).size }))
    .filter((r) => r.n > 0)
    .sort((a, b) => a.close - b.close || Number(b.n >= params.minTokens) - Number(a.n >= params.minTokens) || b.n - a.n);
  return ranked.slice(0, params.limit).map((r) => matchOf(cm, r.s, params.minTokens));
}
