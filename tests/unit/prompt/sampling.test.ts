import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../native/api/random.js';
import { argmax, chooseToken, klDivergence, logSoftmax } from '../../../native/prompt/sampling.js';

const logitsOf = (probs: number[]) => Float32Array.from(probs, Math.log);

function frequencies(logits: Float32Array, o: Parameters<typeof chooseToken>[1], draws = 20_000, seed = 1): number[] {
  const random = mulberry32(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[chooseToken(logits, o, random)]++;
  return counts.map((c) => c / draws);
}

describe('next-token choice', () => {
  it('greedy takes the first of tied maxima, as torch.argmax does', () => {
    expect(argmax(Float32Array.of(1, 3, 3, 2))).toBe(1);
    expect(chooseToken(Float32Array.of(1, 3, 3, 2), { temperature: 0 }, () => 0.99)).toBe(1);
  });

  it('samples from softmax(logits / T): frequencies match the distribution', () => {
    const logits = Float32Array.of(2, 1, 0, -1);
    const t = 0.7;
    const z = Array.from(logits, (l) => Math.exp(l / t));
    const expected = z.map((v) => v / z.reduce((a, b) => a + b, 0));
    const seen = frequencies(logits, { temperature: t });
    seen.forEach((f, i) => expect(Math.abs(f - expected[i]), `token ${i}: ${f} vs ${expected[i]}`).toBeLessThan(0.015));
  });

  it('top-k keeps the k most likely and top-p the smallest set reaching p, renormalised', () => {
    const logits = logitsOf([0.5, 0.3, 0.15, 0.05]);
    expect(frequencies(logits, { temperature: 1, topK: 1 })).toEqual([1, 0, 0, 0]);
    const k2 = frequencies(logits, { temperature: 1, topK: 2 });
    expect(k2[2] + k2[3]).toBe(0);
    expect(Math.abs(k2[0] - 0.625)).toBeLessThan(0.015);
    // p = 0.6: 0.5 is under it, so 0.3 joins; 0.8 reaches it, so 0.15 does not.
    const p = frequencies(logits, { temperature: 1, topP: 0.6 });
    expect(p[2] + p[3]).toBe(0);
    expect(Math.abs(p[1] - 0.375)).toBeLessThan(0.015);
    expect(frequencies(logits, { temperature: 1, topP: 0.01 })).toEqual([1, 0, 0, 0]);
  });

  it('the same seed gives the same draws', () => {
    const logits = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i));
    const draw = (seed: number) => {
      const random = mulberry32(seed);
      return Array.from({ length: 20 }, () => chooseToken(logits, { temperature: 1 }, random));
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it('logSoftmax is stable for large logits and KL is 0 for equal distributions, Σ p log(p/q) otherwise', () => {
    const big = logSoftmax(Float32Array.of(1000, 1000));
    for (const v of big) expect(Math.exp(v)).toBeCloseTo(0.5, 12);
    const p = logSoftmax(logitsOf([0.8, 0.2]));
    const q = logSoftmax(logitsOf([0.5, 0.5]));
    expect(klDivergence(p, p)).toBe(0);
    expect(klDivergence(p, q)).toBeCloseTo(0.8 * Math.log(0.8 / 0.5) + 0.2 * Math.log(0.2 / 0.5), 6);
  });
});
