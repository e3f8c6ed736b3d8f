import { buildHierarchy } from './hierarchy.js';
import type { HierarchyNode } from './hierarchy.js';
import type { SynsetTokens } from './synset-tokens.js';
import type { Synset, WordNet } from './wordnet.js';

/**
 * Roots for the hierarchy a model's Concepts view opens on, most telling first: Park et al.'s
 * running example (animal → mammal, bird, fish…), then ever broader ones that a smaller vocabulary
 * can still fill. The first that holds is the default; measured on the demo model (4,096 tokens),
 * animal has 7 whole-word tokens, organism splits only into person, person's children (adult 8,
 * relative 8) and artifact's (instrumentality 25, structure 22) split no further at 8 tokens, and
 * whole (124) → artifact (70) → instrumentality, structure; living thing (47) → adult, relative holds.
 */
export const rootCandidates = [
  'animal.n.01',
  'organism.n.01',
  'person.n.01',
  'artifact.n.01',
  'whole.n.02',
  'object.n.01',
  'physical_entity.n.01',
  'abstraction.n.06',
  'entity.n.01',
] as const;

export interface RootTrial {
  synset: Synset;
  holds: boolean;
  /** why it does not hold, or the chain that makes it hold */
  why: string;
  tree: HierarchyNode;
}

const name = (s: Synset) => s.lemmas[0] ?? s.name;

/**
 * Whether a hierarchy shows what the view is for: a root with at least two concepts under it, and
 * at least one of them split again into two (three levels), every node with enough tokens.
 */
export function judgeRoot(tree: HierarchyNode, minTokens: number): { holds: boolean; why: string } {
  const root = name(tree.synset);
  if (tree.tokenIds.length < minTokens)
    return { holds: false, why: `${root} has ${tree.tokenIds.length} whole-word tokens, needs ${minTokens}` };
  if (tree.children.length < 2) {
    const only = tree.children.map((c) => name(c.synset)).join('');
    return {
      holds: false,
      why: `${root} splits into ${tree.children.length === 0 ? 'no concept' : `one concept only (${only})`} of ${minTokens}+ tokens`,
    };
  }
  const split = tree.children.find((c) => c.children.length >= 2);
  if (!split) return { holds: false, why: `no child of ${root} splits into two concepts of ${minTokens}+ tokens` };
  return { holds: true, why: `${root} → ${name(split.synset)} → ${split.children.map((c) => name(c.synset)).join(', ')}` };
}

/** The first candidate that holds in this vocabulary (or, when none does, the last tried), with every trial. */
export function chooseDefaultRoot(index: SynsetTokens, wordnet: WordNet, minTokens: number): { chosen: RootTrial; tried: RootTrial[] } {
  const tried: RootTrial[] = [];
  for (const candidate of rootCandidates) {
    const synset = wordnet.byName.get(candidate);
    if (!synset) continue;
    const tree = buildHierarchy(index, synset, { depth: 2, minTokens });
    const trial = { synset, tree, ...judgeRoot(tree, minTokens) };
    tried.push(trial);
    if (trial.holds) return { chosen: trial, tried };
  }
  const chosen = tried.at(-1);
  if (!chosen) throw new Error('WordNet has none of the candidate roots');
  return { chosen, tried };
}
