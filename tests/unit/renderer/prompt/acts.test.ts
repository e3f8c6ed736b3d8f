import { describe, expect, it } from 'vitest';
import type { PromptResult } from '../../../../native/api/types.js';
import {
  colouringFeature,
  featureActs,
  featureName,
  featureScale,
  stepToken,
  strongestFeatures,
  tokenFeatures,
} from '../../../../renderer/src/lib/prompt/acts.js';

/** Three tokens; feature 7 fires on tokens 0 and 2, feature 3 on token 1, feature 9 on token 2 (CSR as prompt.run sends it). */
function result(): PromptResult {
  return {
    saeId: 'sae',
    tokens: [
      { id: 1, text: 'The', start: 0, end: 3 },
      { id: 2, text: ' cat', start: 3, end: 7 },
      { id: 3, text: '.', start: 7, end: 8 },
    ],
    perToken: [
      { features: [7], values: [2] },
      { features: [3], values: [5] },
      { features: [9, 7], values: [4, 1] },
    ],
    heatmap: {
      features: [
        { index: 3, label: 'animals' },
        { index: 9, label: '' },
        { index: 7, label: '' },
      ],
      values: [0, 0, 2, 5, 0, 0, 0, 4, 1],
    },
    maxAct: 5,
    features: [
      { index: 3, label: 'animals', max: 5, maxPos: 1, count: 1, corpusMax: 10 },
      { index: 9, label: '', max: 4, maxPos: 2, count: 1, corpusMax: 2 },
      { index: 7, label: '', max: 2, maxPos: 0, count: 2, corpusMax: null },
    ],
    acts: { rowStart: [0, 1, 2, 4], features: [7, 3, 9, 7], values: [2, 5, 4, 1] },
    nTextTokens: 3,
    truncated: false,
    prependedBos: true,
    nCtx: 256,
    notes: [],
    provider: 'cpu',
  };
}

describe('prompt result helpers', () => {
  it('featureActs reads one feature on every token from the sparse activations, 0 where it is silent', () => {
    expect(Array.from(featureActs(result(), 7))).toEqual([2, 0, 1]);
    expect(Array.from(featureActs(result(), 3))).toEqual([0, 5, 0]);
    expect(Array.from(featureActs(result(), 42))).toEqual([0, 0, 0]);
  });

  it("tokenFeatures lists a token's features with their labels; out of range gives none", () => {
    expect(tokenFeatures(result(), 1)).toEqual([{ index: 3, label: 'animals', value: 5 }]);
    expect(tokenFeatures(result(), 2)).toEqual([
      { index: 9, label: '', value: 4 },
      { index: 7, label: '', value: 1 },
    ]);
    expect(tokenFeatures(result(), 3)).toEqual([]);
  });

  it('strongestFeatures keeps the order of the result and cuts at n', () => {
    expect(strongestFeatures(result(), 2)).toEqual([
      { index: 3, label: 'animals', value: 5 },
      { index: 9, label: '', value: 4 },
    ]);
  });

  it('colours by the chosen feature, else the strongest, else none', () => {
    expect(colouringFeature(result(), 7)).toBe(7);
    expect(colouringFeature(result(), null)).toBe(3);
    expect(colouringFeature({ ...result(), features: [] }, null)).toBeNull();
    expect(colouringFeature(null, null)).toBeNull();
  });

  it('scales colours to the corpus max when it is known and larger, else the prompt max', () => {
    expect(featureScale(result(), 3)).toEqual({ promptMax: 5, corpusMax: 10, scaleMax: 10 });
    expect(featureScale(result(), 9)).toEqual({ promptMax: 4, corpusMax: 2, scaleMax: 4 });
    expect(featureScale(result(), 7)).toEqual({ promptMax: 2, corpusMax: null, scaleMax: 2 });
    expect(featureScale(result(), 42)).toEqual({ promptMax: 0, corpusMax: null, scaleMax: 0 });
  });

  it('names a feature by its label, else by its index', () => {
    expect(featureName(3, 'animals')).toBe('animals');
    expect(featureName(9, '  ')).toBe('Feature 9');
  });

  it('steps the token selection within the strip', () => {
    expect(stepToken(null, 1, 3)).toBe(0);
    expect(stepToken(null, -1, 3)).toBe(2);
    expect(stepToken(1, 1, 3)).toBe(2);
    expect(stepToken(2, 1, 3)).toBe(2);
    expect(stepToken(2, -1e9, 3)).toBe(0);
    expect(stepToken(0, 1, 0)).toBeNull();
  });
});
