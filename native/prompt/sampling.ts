/**
 * Next-token choice from a row of logits: greedy (temperature 0) or sampled with temperature,
 * top-k and top-p (nucleus), in the order transformers applies them. `random` is a seeded
 * generator (mulberry32 from api/random), so a seed gives the same continuation every time.
 */
export interface SamplingOptions {
  /** 0 is greedy */
  temperature: number;
  /** keep the k most likely tokens (0 or absent: all) */
  topK?: number;
  /** keep the smallest set of most likely tokens whose probability reaches p (1 or absent: all) */
  topP?: number;
}

/** log-softmax of `logits` [dVocab] in float64 (the probabilities reported and compared). */
export function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const logZ = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - logZ;
  return out;
}

/** KL(p ‖ q) in nats from two log-distributions over the same vocabulary. */
export function klDivergence(logP: Float64Array, logQ: Float64Array): number {
  let kl = 0;
  for (let i = 0; i < logP.length; i++) {
    const p = Math.exp(logP[i]);
    if (p > 0) kl += p * (logP[i] - logQ[i]);
  }
  return Math.max(0, kl);
}

/** The first index of the largest logit (torch.argmax's choice among ties). */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  return best;
}

export function checkSampling(o: SamplingOptions): void {
  if (!(Number.isFinite(o.temperature) && o.temperature >= 0))
    throw new RangeError(`temperature ${o.temperature} must be a finite number ≥ 0`);
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 0)) throw new RangeError(`topK ${o.topK} must be an integer ≥ 0`);
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw new RangeError(`topP ${o.topP} must be in (0, 1]`);
}

/** The next token for one row of logits [dVocab]. */
export function chooseToken(logits: Float32Array, o: SamplingOptions, random: () => number): number {
  if (o.temperature === 0) return argmax(logits);
  const order = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
  const kept = o.topK ? order.slice(0, o.topK) : order;
  const max = logits[kept[0]];
  const weights = kept.map((i) => Math.exp((logits[i] - max) / o.temperature));
  let total = weights.reduce((s, w) => s + w, 0);
  let n = weights.length;
  if (o.topP !== undefined && o.topP < 1) {
    // Keep tokens while the mass before them is under p (the most likely always stays).
    let mass = 0;
    for (n = 0; n < weights.length && mass < o.topP * total; n++) mass += weights[n];
    total = mass;
  }
  let u = random() * total;
  for (let i = 0; i < n; i++) {
    u -= weights[i];
    if (u < 0) return kept[i];
  }
  return kept[n - 1];
}
