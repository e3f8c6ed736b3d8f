import type { SparseActs } from '../sae/sparse-acts.js';

/**
 * The pieces of a prompt result, from the sparse activations the index pass returns: plain loops
 * over at most a context's worth of tokens, so the whole prompt costs less than the model run.
 */

/** What one feature does over the prompt. */
export interface FeatureOnPrompt {
  index: number;
  max: number;
  /** token position of `max` (the first, on ties) */
  maxPos: number;
  /** tokens it fires on */
  count: number;
}

/** The activations of tokens `from` … end, as their own CSR (e.g. without the BOS the model read first). */
export function dropLeadingTokens(acts: SparseActs, from: number): SparseActs {
  if (from < 0 || from > acts.nTokens) throw new RangeError(`cannot drop ${from} of ${acts.nTokens} tokens`);
  const base = acts.rowStart[from];
  const nTokens = acts.nTokens - from;
  const rowStart = new Int32Array(nTokens + 1);
  for (let t = 0; t <= nTokens; t++) rowStart[t] = acts.rowStart[t + from] - base;
  return { nTokens, rowStart, features: acts.features.slice(base), values: acts.values.slice(base) };
}

/** Each token's strongest features (at most `topK`), strongest first; equal values by feature index. */
export function topPerToken(acts: SparseActs, topK: number): { features: number[]; values: number[] }[] {
  const out: { features: number[]; values: number[] }[] = [];
  for (let t = 0; t < acts.nTokens; t++) {
    const order: number[] = [];
    for (let j = acts.rowStart[t]; j < acts.rowStart[t + 1]; j++) order.push(j);
    order.sort((a, b) => acts.values[b] - acts.values[a] || acts.features[a] - acts.features[b]);
    const kept = order.slice(0, topK);
    out.push({ features: kept.map((j) => acts.features[j]), values: kept.map((j) => acts.values[j]) });
  }
  return out;
}

/** Every feature that fires on the prompt, strongest (by max) first; equal maxima by index. */
export function featuresOnPrompt(acts: SparseActs): FeatureOnPrompt[] {
  const byIndex = new Map<number, FeatureOnPrompt>();
  for (let t = 0; t < acts.nTokens; t++) {
    for (let j = acts.rowStart[t]; j < acts.rowStart[t + 1]; j++) {
      const index = acts.features[j];
      const value = acts.values[j];
      const seen = byIndex.get(index);
      if (!seen) byIndex.set(index, { index, max: value, maxPos: t, count: 1 });
      else {
        seen.count++;
        if (value > seen.max) Object.assign(seen, { max: value, maxPos: t });
      }
    }
  }
  return [...byIndex.values()].sort((a, b) => b.max - a.max || a.index - b.index);
}

/** [nTokens × features.length], row-major: each token's activation of each of `features` (0 where it does not fire). */
export function heatmapValues(acts: SparseActs, features: readonly number[]): Float32Array {
  const column = new Map(features.map((f, i) => [f, i]));
  const n = features.length;
  const out = new Float32Array(acts.nTokens * n);
  for (let t = 0; t < acts.nTokens; t++) {
    for (let j = acts.rowStart[t]; j < acts.rowStart[t + 1]; j++) {
      const c = column.get(acts.features[j]);
      if (c !== undefined) out[t * n + c] = acts.values[j];
    }
  }
  return out;
}

/** The largest activation anywhere, 0 when nothing fires. */
export function maxActivation(acts: SparseActs): number {
  let max = 0;
  for (const v of acts.values) if (v > max) max = v;
  return max;
}
