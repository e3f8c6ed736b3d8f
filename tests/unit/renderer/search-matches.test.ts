import { describe, expect, it } from 'vitest';
import { coverageNote, matchText } from '../../../renderer/src/lib/feature/search-matches.js';

describe('search result reasons', () => {
  it('say what matched in a few words, tokens with their visible spaces and share', () => {
    expect(matchText({ kind: 'token', token: ' some', share: 0.18 })).toBe('fires on ␣some 18%');
    expect(matchText({ kind: 'token', token: '\n', share: 0.043 })).toBe('fires on ↵ 4.3%');
    expect(matchText({ kind: 'boosted', token: ' some', rank: 2 })).toBe('boosts ␣some');
    expect(matchText({ kind: 'tag', tag: 'syntax' })).toBe('tag syntax');
    expect(matchText({ kind: 'notes', excerpt: 'before some nouns' })).toBe('note “before some nouns”');
    expect(matchText({ kind: 'label' })).toBe('label');
  });
});

describe('the "fires most on" coverage note', () => {
  it('calls exact counts exact, with what the list covers and the next token', () => {
    expect(coverageNote({ uncounted: 0, nextCount: 14, complete: true }, 1000, [200, 100])).toEqual({
      tone: 'exact',
      text: 'Exact counts over all 1,000 firings. These 2 tokens are 30% of them; the next token has 1.4%.',
    });
    expect(coverageNote({ uncounted: 0, nextCount: 0, complete: true }, 40, [40])?.text).toBe('Exact counts over all 40 firings.');
  });

  it('gives the bound on unlisted tokens when the count table reached its cap', () => {
    expect(coverageNote({ uncounted: 30, nextCount: 5, complete: true }, 1000, [200, 100])?.text).toBe(
      'Exact counts; 30 firings (3.0%) went uncounted when the count table reached its memory cap, too few to change this list.',
    );
    expect(coverageNote({ uncounted: 300, nextCount: 5, complete: false }, 1000, [200, 100])).toEqual({
      tone: 'bounded',
      text: 'Exact counts of the tokens listed, but 300 firings (30%) went uncounted when the count table reached its memory cap: a token not listed may have up to 30%.',
    });
  });

  it('marks lists of an older index as approximate, and says nothing without coverage data', () => {
    expect(coverageNote(null, 1000, [1])?.tone).toBe('approximate');
    expect(coverageNote(undefined, 1000, [1])).toBeNull();
  });
});
