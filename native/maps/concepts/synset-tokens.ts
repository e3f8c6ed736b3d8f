import { anyUses } from './brown-usage.js';
import type { Vocabulary } from './vocabulary.js';
import { describeDrop, dropReasons, judgeWord } from './whole-words.js';
import type { DropReason, WordVerdict } from './whole-words.js';
import type { Synset, WordNet } from './wordnet.js';

/** The lemmas of a concept the whole-word rule dropped, by reason, with the most used examples. */
export interface DroppedLemmas {
  reason: DropReason;
  count: number;
  /** up to `maxExamples`, most used in Brown first */
  examples: { word: string; detail: string }[];
}

const maxExamples = 3;

const empty: ReadonlySet<number> = new Set<number>();

/**
 * A WordNet synset as a concept of one vocabulary, as Park et al. define it: the words of the synset
 * and of all its hyponyms (transitively), kept where they are whole-word single tokens (the rule in
 * whole-words.ts). Instance hyponyms (named individuals: "Paris" under "city") are left out, as in
 * their code (`hyponyms()` only).
 *
 * One rule more than theirs: a word counts only under its dominant sense, the first that index.noun
 * lists (WordNet orders senses by their frequency in the SemCor corpus). A token has one unembedding
 * for all its senses, and in a small vocabulary the rare ones make concepts of the common ones:
 * "world" (people in general) would be a mammal, "pen" (a female swan) a bird, "hand" (a hired
 * hand) a person. With Park et al.'s 256,000-token vocabulary such words drown in the rest.
 */
export class SynsetTokens {
  readonly #tokens = new Map<number, ReadonlySet<number>>();
  readonly #verdicts = new Map<string, WordVerdict>();
  readonly #senses = new Map<string, number | null>();
  readonly #counts = new Map<number, { words: number; found: number; dropped: DroppedLemmas[] }>();

  constructor(
    readonly wordnet: WordNet,
    readonly vocab: Vocabulary,
  ) {}

  verdict(lemma: string): WordVerdict {
    let v = this.#verdicts.get(lemma);
    if (!v) {
      v = judgeWord(lemma, this.vocab, 'noun');
      this.#verdicts.set(lemma, v);
    }
    return v;
  }

  /**
   * The offset of the lemma's most frequent noun sense spelled as it is (index.noun lists senses
   * by frequency but folds case: "Frank", a Germanic people, is not "frank", a hot dog), or null.
   */
  dominantSense(lemma: string): number | null {
    let known = this.#senses.get(lemma);
    if (known === undefined) {
      const offsets = this.wordnet.senses.get(lemma.toLowerCase().replaceAll(' ', '_')) ?? [];
      known = offsets.find((o) => this.wordnet.synsets.get(o)?.lemmas.includes(lemma)) ?? null;
      this.#senses.set(lemma, known);
    }
    return known;
  }

  /** The token ids of the synset's closure under hyponymy (memoised; iterative: WordNet is deep). */
  tokens(offset: number): ReadonlySet<number> {
    const known = this.#tokens.get(offset);
    if (known) return known;
    const order = this.#postOrder(offset);
    for (const o of order) {
      const s = this.#synset(o);
      let set: Set<number> | null = null;
      for (const lemma of s.lemmas) {
        const id = this.verdict(lemma).tokenId;
        // Added where its dominant sense is: a closure holds that synset iff the word counts for it.
        if (id !== null && this.dominantSense(lemma) === o) (set ??= new Set()).add(id);
      }
      for (const h of s.hyponyms) for (const id of this.#tokens.get(h) ?? empty) (set ??= new Set()).add(id);
      // Most synsets have no single-token word at all: they share one empty set.
      this.#tokens.set(o, set ?? empty);
    }
    return this.#tokens.get(offset) as ReadonlySet<number>;
  }

  /** Distinct lemmas in the closure, how many the rule keeps, and the dropped ones by reason. */
  wordCounts(offset: number): { words: number; found: number; dropped: DroppedLemmas[] } {
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
    const byReason = new Map<DropReason, WordVerdict[]>();
    for (const l of lemmas) {
      let v = this.verdict(l);
      if (v.reason === null && !seen.has(this.dominantSense(l) ?? -1)) v = { word: v.word, tokenId: null, reason: 'other-sense' };
      if (v.reason === null) found++;
      else {
        const list = byReason.get(v.reason);
        if (list) list.push(v);
        else byReason.set(v.reason, [v]);
      }
    }
    const counts = { words: lemmas.size, found, dropped: this.#summarise(byReason) };
    this.#counts.set(offset, counts);
    return counts;
  }

  #summarise(byReason: Map<DropReason, WordVerdict[]>): DroppedLemmas[] {
    return dropReasons.flatMap((reason) => {
      const all = byReason.get(reason);
      if (!all) return [];
      const usage = this.vocab.usage;
      const top = [...all]
        .sort((a, b) => anyUses(usage, b.word) - anyUses(usage, a.word) || a.word.localeCompare(b.word))
        .slice(0, maxExamples);
      return [{ reason, count: all.length, examples: top.map((v) => ({ word: v.word, detail: this.#detail(v) })) }];
    });
  }

  #detail(v: WordVerdict): string {
    if (v.reason !== 'other-sense') return describeDrop(v, this.vocab, 'noun');
    const sense = this.wordnet.synsets.get(this.dominantSense(v.word) ?? -1);
    if (!sense) return 'mostly another sense';
    const gloss = sense.gloss.split(';')[0];
    return `mostly ${sense.name}: ${gloss.length > 60 ? `${gloss.slice(0, 59).trimEnd()}…` : gloss}`;
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
