import { ApiFailure } from '../../../api/errors.js';
import type { ConceptCounts, ConceptRef } from '../../../api/types.js';
import type { Workspace } from '../../../store/workspace.js';
import { SynsetTokens } from '../synset-tokens.js';
import { matchWords } from '../whole-words.js';
import { findSynset, loadWordNet } from '../wordnet.js';
import type { Synset } from '../wordnet.js';
import type { ConceptModel } from './model.js';

/** A concept's words in one vocabulary. */
export interface ResolvedConcept {
  ref: ConceptRef;
  name: string;
  gloss: string;
  words: number;
  found: number;
  /** ascending */
  tokenIds: number[];
  synset: Synset | null;
}

export function synsetTokens(cm: ConceptModel): SynsetTokens {
  cm.synsets ??= new SynsetTokens(loadWordNet(), cm.vocab);
  return cm.synsets;
}

export function synsetRef(s: Synset): ConceptRef {
  return `wn:${s.name}`;
}

export function synsetName(s: Synset): string {
  return s.lemmas[0] ?? s.name;
}

/** A synset from `wn:NAME`, a synset name (`mammal.n.01`) or a word (its most frequent sense). */
export function resolveSynset(text: string, field: string): Synset {
  const bare = text.startsWith('wn:') ? text.slice(3) : text;
  const synset = findSynset(loadWordNet(), bare);
  if (!synset)
    throw new ApiFailure('not_found', `WordNet has no noun "${bare}" (give a word like "animal" or a synset like "animal.n.01")`, field);
  return synset;
}

export function synsetConcept(cm: ConceptModel, synset: Synset): ResolvedConcept {
  const index = synsetTokens(cm);
  const tokenIds = [...index.tokens(synset.offset)].sort((a, b) => a - b);
  const { words, found } = index.wordCounts(synset.offset);
  return { ref: synsetRef(synset), name: synsetName(synset), gloss: synset.gloss, words, found, tokenIds, synset };
}

/** `wn:…` or `list:…` → the concept's tokens in this model's vocabulary. */
export function resolveConcept(ws: Workspace, cm: ConceptModel, ref: ConceptRef, field: string): ResolvedConcept {
  if (ref.startsWith('wn:')) return synsetConcept(cm, resolveSynset(ref, field));
  if (ref.startsWith('list:')) {
    const name = ref.slice(5);
    const list = ws.concepts.getList(name);
    if (!list) throw new ApiFailure('not_found', `no word list named "${name}" in this workspace`, field);
    const match = matchWords(list.words, cm.vocab);
    return {
      ref: `list:${list.name}`,
      name: list.name,
      gloss: '',
      words: list.words.length,
      found: match.found.length,
      tokenIds: match.tokenIds,
      synset: null,
    };
  }
  throw new ApiFailure('failed', `concept "${ref}": expected wn:<synset or word> or list:<name>`, field);
}

export function countsOf(c: ResolvedConcept, minTokens: number): ConceptCounts {
  return { ref: c.ref, name: c.name, words: c.words, found: c.found, nTokens: c.tokenIds.length, enough: c.tokenIds.length >= minTokens };
}

/** Refuses a concept with too few tokens, saying how many it has and how many it needs. */
export function requireEnough(c: ResolvedConcept, minTokens: number, field: string): void {
  if (c.tokenIds.length < minTokens) {
    throw new ApiFailure(
      'failed',
      `concept "${c.name}" has ${c.tokenIds.length} whole-word token${c.tokenIds.length === 1 ? '' : 's'} in this vocabulary (${c.found} of ${c.words} words kept); at least ${minTokens} are needed`,
      field,
    );
  }
}
