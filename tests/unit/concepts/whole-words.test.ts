import { beforeAll, describe, expect, it } from 'vitest';
import { countUsage, nounUses } from '../../../native/maps/concepts/brown-usage.js';
import { SynsetTokens } from '../../../native/maps/concepts/synset-tokens.js';
import type { Vocabulary } from '../../../native/maps/concepts/vocabulary.js';
import { describeDrop, judgeWord, matchWords, wholeShare, wholeWordRule } from '../../../native/maps/concepts/whole-words.js';
import { byteLevelWordStart, detectWordStart, metaspaceWordStart } from '../../../native/maps/concepts/word-start.js';
import { findSynset, loadWordNet } from '../../../native/maps/concepts/wordnet.js';
import { demoVocabulary, gemmaFixtureVocabulary } from '../../helpers/concept-vocabulary.js';

let vocab: Vocabulary;
beforeAll(async () => {
  vocab = await demoVocabulary();
}, 60_000);

const reasonOf = (word: string) => judgeWord(word, vocab, 'noun').reason;

describe('the whole-word rule on the demo tokenizer (byte-level BPE, 4,096 tokens)', () => {
  it('keeps a noun that is one word-initial token used as a whole word: dog, man, horse', () => {
    for (const word of ['dog', 'man', 'horse', 'mother']) {
      const v = judgeWord(word, vocab, 'noun');
      expect(v.reason, word).toBeNull();
      expect(vocab.texts[v.tokenId as number]).toBe(` ${word}`);
    }
  });

  it('never lets in the fragments the old rule took: b, ex (short), con, pro (word pieces), have (a verb), Brit (a capital the lemma lacks)', () => {
    expect(reasonOf('b')).toBe('short');
    expect(reasonOf('ex')).toBe('short');
    expect(reasonOf('con')).toBe('word-piece');
    expect(reasonOf('pro')).toBe('word-piece');
    expect(reasonOf('have')).toBe('rare');
    // WordNet's "brit" is a young herring, lowercase: " Brit" (the start of British) does not count for it.
    expect(vocab.rawIds.has('ĠBrit')).toBe(true);
    expect(reasonOf('brit')).toBe('pieces');
    expect(describeDrop(judgeWord('con', vocab, 'noun'), vocab, 'noun')).toBe('whole in 1% of its 616 Brown uses');
    expect(describeDrop(judgeWord('have', vocab, 'noun'), vocab, 'noun')).toBe('a noun 0× in Brown');
  });

  it('drops a word the vocabulary cuts in two, saying into what', () => {
    expect(vocab.rawIds.has(byteLevelWordStart.spell('fish'))).toBe(false);
    const fish = judgeWord('fish', vocab, 'noun');
    expect(fish.reason).toBe('pieces');
    expect(describeDrop(fish, vocab, 'noun')).toBe('2 tokens: f·ish');
    expect(describeDrop(judgeWord('animal', vocab, 'noun'), vocab, 'noun')).toBe('2 tokens: an·imal');
    expect(reasonOf('domestic dog')).toBe('phrase');
    expect(reasonOf('brother-in-law')).toBe('not-letters');
  });

  it('measures whole-word shares on Brown as the tokenizer cuts it', () => {
    const id = (word: string) => vocab.rawIds.get(byteLevelWordStart.spell(word)) as number;
    expect(wholeShare(vocab, id('the'))).toBeGreaterThan(0.99);
    expect(wholeShare(vocab, id('con'))).toBeLessThan(0.02);
    expect(wholeShare(vocab, id('dog'))).toBeGreaterThan(wholeWordRule.minWholeShare);
    // " dog" begins "dog", "dogs", "dogma"…: its count is every such Brown word.
    expect(vocab.starts[id('dog')]).toBeGreaterThan(vocab.wholes[id('dog')]);
  });

  it('builds every WordNet concept from whole words only: organism holds no fragment', () => {
    const wordnet = loadWordNet();
    const index = new SynsetTokens(wordnet, vocab);
    const organism = findSynset(wordnet, 'organism.n.01');
    if (!organism) throw new Error('organism.n.01 missing');
    const words = [...index.tokens(organism.offset)].map((id) => vocab.texts[id]);
    expect(words.length).toBeGreaterThanOrEqual(40);
    for (const w of words) expect(w, w).toMatch(/^ \p{L}{3,}$/u);
    for (const fragment of [' b', ' con', ' pro', ' ex', ' have', ' Brit', ' world', ' hand']) expect(words).not.toContain(fragment);
    expect(words).toEqual(expect.arrayContaining([' dog', ' horse', ' mother', ' doctor']));
    const dropped = index.wordCounts(organism.offset).dropped;
    const reasons = new Map(dropped.map((d) => [d.reason, d]));
    expect(reasons.get('word-piece')?.examples.map((e) => e.word)).toContain('pro');
    // "world" is a lemma of a synset under person ("people in general"), but it mostly means the universe.
    const world = reasons.get('other-sense')?.examples.find((e) => e.word === 'world');
    expect(world?.detail).toBe('mostly universe.n.01: everything that exists anywhere');
  });

  it('takes a word list as written and in any part of speech', () => {
    const m = matchWords(['happy', 'run', 'Happy', 'con', 'zyzzyva', 'happy'], vocab);
    expect(m.found).toEqual(expect.arrayContaining(['run']));
    expect(m.dropped.find((d) => d.word === 'con')).toMatchObject({ reason: 'word-piece' });
    expect(m.dropped.find((d) => d.word === 'zyzzyva')?.detail).toMatch(/^\d tokens: /);
    expect(m.missing).not.toContain('run');
    expect(new Set(m.tokenIds).size).toBe(m.tokenIds.length);
  });
});

describe('the same rule for a SentencePiece-style vocabulary ("▁" words)', () => {
  const sp = gemmaFixtureVocabulary();

  it('detects the word-start marker from the vocabulary itself', () => {
    expect(sp.scheme).toBe(metaspaceWordStart);
    expect(detectWordStart(['Ġthe', 'Ġa', 'he', '▁x'])).toBe(byteLevelWordStart);
    expect(metaspaceWordStart.spell('man')).toBe('▁man');
    expect(byteLevelWordStart.spell('man')).toBe('Ġman');
    expect(byteLevelWordStart.spell('café')).toBe('ĠcafÃ©');
  });

  it('keeps "▁man" and "▁year", and drops "▁con" as a word piece and "dog" as three pieces', () => {
    const man = judgeWord('man', sp, 'noun');
    expect(man.reason).toBeNull();
    expect(sp.rawIds.get('▁man')).toBe(man.tokenId);
    expect(judgeWord('year', sp, 'noun').reason).toBeNull();
    expect(judgeWord('con', sp, 'noun').reason).toBe('word-piece');
    const dog = judgeWord('dog', sp, 'noun');
    expect(dog.reason).toBe('pieces');
    expect(describeDrop(dog, sp, 'noun')).toBe('3 tokens: d·o·g');
  });
});

describe('Brown usage counts', () => {
  it('counts possessives for their noun and keeps a lowercase word apart from a capitalised name', () => {
    const usage = countUsage([
      [
        { word: 'The', tag: 'at' },
        { word: "dog's", tag: 'nn$' },
        { word: 'bone', tag: 'nn' },
      ],
      [
        { word: 'Dog', tag: 'nn' },
        { word: 'May', tag: 'np' },
        { word: 'may', tag: 'md' },
      ],
    ]);
    expect(usage.get('dog')).toEqual({ all: 1, common: 1, proper: 0 });
    expect(nounUses(usage, 'dog')).toBe(2);
    expect(nounUses(usage, 'may')).toBe(0);
    expect(nounUses(usage, 'May')).toBe(1);
  });
});
