import type { Vocabulary } from './vocabulary.js';
import { wordTokenIds } from './vocabulary.js';
import type { Synset, WordNet } from './wordnet.js';

const empty: ReadonlySet<number> = new Set<number>();

/**
 * A WordNet synset as a concept of one vocabulary, as Park et al. define it: the words of the synset
 * and of all its hyponyms (transitively), kept where they are single tokens. Instance hyponyms
 * (named individuals: "Paris" under "city") are left out, as in their code (`hyponyms()` only).
 */
export class SynsetTokens {
  readonly #tokens = new Map<number, ReadonlySet<number>>();
  readonly #lemmaTokens = new Map<string, number[]>();
  readonly #counts = new Map<number, { words: number; found: number }>();

  constructor(
    readonly wordnet: WordNet,
    readonly vocab: Vocabulary,
  ) {}

  #tokensOfLemma(lemma: string): number[] {
    let ids = this.#lemmaTokens.get(lemma);
    if (!ids) {
      ids = wordTokenIds(lemma, this.vocab);
      this.#lemmaTokens.set(lemma, ids);
    }
    return ids;
  }

  /** The token ids of the synset's closure under hyponymy (memoised; iterative: WordNet is deep). */
  tokens(offset: number): ReadonlySet<number> {
    const known = this.#tokens.get(offset);
    if (known) return known;
    const order = this.#postOrder(offset);
    for (const o of order) {
      const s = this.#synset(o);
      let set: Set<number> | null = null;
      for (const lemma of s.lemmas) for (const id of this.#tokensOfLemma(lemma)) (set ??= new Set()).add(id);
      for (const h of s.hyponyms) for (const id of this.#tokens.get(h) ?? empty) (set ??= new Set()).add(id);
      // Most synsets have no single-token word at all: they share one empty set.
      this.#tokens.set(o, set ?? empty);
    }
    return this.#tokens.get(offset) as ReadonlySet<number>;
  }

  /** Distinct lemmas in the closure, and how many of them are single tokens. */
  wordCounts(offset: number): { words: number; found: number } {
    const known = this.#counts.get(offset);
    if (known) return known;
    const lemmas = new Set<string>();
    const seen = new Set<number>();
    const stack = [offset];
    while (stack.length > 0) {
      const o = stack.pop() as number;
      if (seen.has(o)) continue;
      seen.add(o);
      const s = this.#synset(o);
      for (const l of s.lemmas) lemmas.add(l);
      stack.push(...s.hyponyms);
    }
    let found = 0;
    for (const l of lemmas) if (this.#tokensOfLemma(l).length > 0) found++;
    const counts = { words: lemmas.size, found };
    this.#counts.set(offset, counts);
    return counts;
  }

  synset(offset: number): Synset {
    return this.#synset(offset);
  }

  #synset(offset: number): Synset {
    const s = this.wordnet.synsets.get(offset);
    if (!s) throw new Error(`WordNet has no noun synset at offset ${offset}`);
    return s;
  }

  /** Synsets under `offset` not yet memoised, children before parents. */
  #postOrder(offset: number): number[] {
    const order: number[] = [];
    const state = new Map<number, 'open' | 'done'>();
    const stack: { o: number; expanded: boolean }[] = [{ o: offset, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop() as { o: number; expanded: boolean };
      if (top.expanded) {
        state.set(top.o, 'done');
        order.push(top.o);
        continue;
      }
      if (state.has(top.o) || this.#tokens.has(top.o)) continue;
      state.set(top.o, 'open');
      stack.push({ o: top.o, expanded: true });
      for (const h of this.#synset(top.o).hyponyms) if (!state.has(h) && !this.#tokens.has(h)) stack.push({ o: h, expanded: false });
    }
    return order;
  }
}
