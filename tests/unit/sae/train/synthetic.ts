import { mulberry32 } from '../../../../native/api/random.js';
import type { BatchSource } from '../../../../native/sae/train/trainer.js';

/**
 * Activations built from known features: `nFeatures` random unit directions in dIn dimensions (more
 * directions than dimensions), each token a sum of `perToken` of them with coefficients in [0.5, 1.5).
 * Batch b is a pure function of (seed, b), as the trainer's resume needs.
 */
export function syntheticFeatures(opts: {
  dIn: number;
  nFeatures: number;
  perToken: number;
  batchTokens: number;
  batches: number;
  seed: number;
}) {
  const { dIn, nFeatures, perToken, batchTokens } = opts;
  const random = mulberry32(opts.seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  /** [nFeatures, dIn] unit rows */
  const directions = new Float32Array(nFeatures * dIn);
  for (let f = 0; f < nFeatures; f++) {
    const row = directions.subarray(f * dIn, (f + 1) * dIn);
    let sq = 0;
    for (let i = 0; i < dIn; i++) sq += (row[i] = gaussian()) ** 2;
    for (let i = 0; i < dIn; i++) row[i] /= Math.sqrt(sq);
  }
  const batch = (b: number) => {
    const r = mulberry32(opts.seed * 1_000_003 + b + 1);
    const x = new Float32Array(batchTokens * dIn);
    for (let t = 0; t < batchTokens; t++) {
      for (let s = 0; s < perToken; s++) {
        const f = Math.floor(r() * nFeatures);
        const c = 0.5 + r();
        for (let i = 0; i < dIn; i++) x[t * dIn + i] += c * directions[f * dIn + i];
      }
    }
    return { x, nTokens: batchTokens };
  };
  const source: BatchSource = {
    // Without end, as the activation stream: epoch after epoch over the same `batches` batches.
    async *batches(start: number) {
      for (let b = start; ; b++) yield batch(b % opts.batches);
    },
  };
  return { directions, source };
}

/** Mean over true directions of the best |cosine| with any decoder row [dSae, dIn]. */
export function meanBestCosine(directions: Float32Array, nFeatures: number, wDec: Float32Array, dSae: number, dIn: number): number {
  const norms = new Float64Array(dSae);
  for (let j = 0; j < dSae; j++) for (let i = 0; i < dIn; i++) norms[j] += wDec[j * dIn + i] ** 2;
  let total = 0;
  for (let f = 0; f < nFeatures; f++) {
    let best = -1;
    for (let j = 0; j < dSae; j++) {
      let dot = 0;
      for (let i = 0; i < dIn; i++) dot += directions[f * dIn + i] * wDec[j * dIn + i];
      best = Math.max(best, dot / Math.sqrt(norms[j] || 1));
    }
    total += best;
  }
  return total / nFeatures;
}
