import type { GraphBuilder, ValueRef } from '../../onnx/graph.js';
import type { OrtTensor } from '../../onnx/ort.js';
import type { CanonicalSae } from '../canonical.js';
import { encodeDecode, saeWeights } from '../sae-ops.js';

/**
 * Reconstruction and sparsity statistics, accumulated batch by batch. The graph reduces each batch
 * to a few small tensors (per-token squared error and L0, per-latent firing counts, the batch's
 * mean and scatter of x); the host merges them in double precision, so nothing of size
 * [tokens, dSae] or [tokens, dIn] is kept.
 */

export const STATS_OUTPUTS = {
  /** [n] ‖x − x̂‖² per token */ sqErr: 'stats_sq_err',
  /** [n] latents with f > 0 per token */ l0: 'stats_l0',
  /** [dSae] tokens with f > 0 per latent */ fired: 'stats_fired',
  /** [dIn] mean of x over the batch */ xMean: 'stats_x_mean',
  /** [dIn] Σ_t (x − mean)² over the batch */ xM2: 'stats_x_m2',
} as const;

/**
 * Adds the statistics of the SAE on x [n, dIn] (the model's activation at the hook) as graph outputs.
 * `target` [n, dIn] is what the output is compared against: x for an SAE, the output hook's
 * activation for a transcoder (the variance statistics are the target's).
 */
export function addReconstructionStats(g: GraphBuilder, sae: CanonicalSae, x: ValueRef, target: ValueRef = x): void {
  const { acts, reconstruction } = encodeDecode(g, sae, saeWeights(g, sae, 'eval_sae'), x);
  const axis = (a: number) => g.constInt64([a]);
  const zero = g.constFloat(0);
  const err = g.op('Sub', [target, reconstruction]);
  g.output(g.op('ReduceSum', [g.op('Mul', [err, err]), axis(1)], { keepdims: 0 }), STATS_OUTPUTS.sqErr);
  if (acts.kind === 'dense') {
    const active = g.op('Cast', [g.op('Greater', [acts.acts, zero])], { to: 1 });
    g.output(g.op('ReduceSum', [active, axis(1)], { keepdims: 0 }), STATS_OUTPUTS.l0);
    g.output(g.op('ReduceSum', [active, axis(0)], { keepdims: 0 }), STATS_OUTPUTS.fired);
  } else {
    // TopK: count the k kept latents without building a dense [n, dSae] tensor (a kept value can still be 0).
    const active = g.op('Cast', [g.op('Greater', [acts.values, zero])], { to: 1 }); // [n, k]
    g.output(g.op('ReduceSum', [active, axis(1)], { keepdims: 0 }), STATS_OUTPUTS.l0);
    const flat = (v: ValueRef) => g.op('Reshape', [v, g.constInt64([-1])]);
    const zeros = g.op('ConstantOfShape', [g.constInt64([sae.dSae])]); // float32 zeros [dSae]
    const fired = g.op('ScatterElements', [zeros, flat(acts.indices), flat(active)], { axis: 0, reduction: 'add' });
    g.output(fired, STATS_OUTPUTS.fired);
  }
  const mean = g.op('ReduceMean', [target, axis(0)], { keepdims: 1 });
  const centred = g.op('Sub', [target, mean]);
  g.output(g.op('Squeeze', [mean, axis(0)]), STATS_OUTPUTS.xMean);
  g.output(g.op('ReduceSum', [g.op('Mul', [centred, centred]), axis(0)], { keepdims: 0 }), STATS_OUTPUTS.xM2);
}

export interface ReconstructionSummary {
  tokens: number;
  /** Σ‖x − x̂‖² / Σ‖x − x̄‖², x̄ the mean over all evaluated tokens ("normalised MSE", Gao et al. 2024) */
  fvu: number;
  /** mean over tokens and dimensions of (x − x̂)² */
  mse: number;
  /** mean over tokens of Σ_d (x − x̄)²: what always predicting the mean would cost, per token */
  baselineSquaredError: number;
  /** mean number of latents with f > 0 per token */
  l0: number;
  /** [dSae] tokens on which each latent fired */
  firingCounts: Float64Array;
}

/** Merges batch statistics; the variance of x is combined across batches with Chan et al.'s parallel update. */
export class ReconstructionStats {
  readonly #mean: Float64Array;
  readonly #fired: Float64Array;
  #m2 = 0;
  #sqErr = 0;
  #l0 = 0;
  #tokens = 0;

  constructor(
    readonly dIn: number,
    readonly dSae: number,
  ) {
    this.#mean = new Float64Array(dIn);
    this.#fired = new Float64Array(dSae);
  }

  get tokens(): number {
    return this.#tokens;
  }

  /** One run's outputs (see STATS_OUTPUTS) for `n` tokens. */
  add(outputs: Record<string, OrtTensor>, n: number): void {
    const get = (name: string, length: number) => {
      const data = outputs[name]?.float32();
      if (!data || data.length !== length)
        throw new Error(`statistics output "${name}" has ${data?.length ?? 'no'} values, expected ${length}`);
      return data;
    };
    const sqErr = get(STATS_OUTPUTS.sqErr, n);
    const l0 = get(STATS_OUTPUTS.l0, n);
    for (let t = 0; t < n; t++) {
      this.#sqErr += sqErr[t];
      this.#l0 += l0[t];
    }
    const fired = get(STATS_OUTPUTS.fired, this.dSae);
    for (let j = 0; j < this.dSae; j++) this.#fired[j] += fired[j];
    this.#mergeMoments(get(STATS_OUTPUTS.xMean, this.dIn), get(STATS_OUTPUTS.xM2, this.dIn), n);
  }

  #mergeMoments(batchMean: Float32Array, batchM2: Float32Array, n: number): void {
    const before = this.#tokens;
    const total = before + n;
    let m2 = 0;
    for (let i = 0; i < this.dIn; i++) {
      const delta = batchMean[i] - this.#mean[i];
      m2 += batchM2[i] + (delta * delta * before * n) / total;
      this.#mean[i] += (delta * n) / total;
    }
    this.#m2 += m2;
    this.#tokens = total;
  }

  summary(): ReconstructionSummary {
    const n = this.#tokens;
    return {
      tokens: n,
      fvu: this.#sqErr / this.#m2,
      mse: this.#sqErr / (n * this.dIn),
      baselineSquaredError: this.#m2 / n,
      l0: this.#l0 / n,
      firingCounts: Float64Array.from(this.#fired),
    };
  }
}
