import { mulberry32 } from '../../corpus/shuffle.js';
import { SaeError } from '../canonical.js';
import type { CanonicalSae } from '../canonical.js';
import type { TrainState } from './step-runner.js';
import type { ParamName } from './step-types.js';

/**
 * The geometric median of rows [n, dIn] by Weiszfeld's iteration (float64): the point minimising the
 * sum of distances, TopK-paper's initial b_dec. Starts from the mean; stops when it moves less than
 * `tol` relative to its norm.
 */
export function geometricMedian(rows: Float32Array, n: number, dIn: number, maxIter = 100, tol = 1e-6): Float32Array {
  if (n < 1 || rows.length !== n * dIn) throw new Error(`geometricMedian needs [n, dIn] rows, got ${rows.length} values for n=${n}, dIn=${dIn}`);
  let y = new Float64Array(dIn);
  for (let t = 0; t < n; t++) for (let i = 0; i < dIn; i++) y[i] += rows[t * dIn + i] / n;
  for (let iter = 0; iter < maxIter; iter++) {
    const next = new Float64Array(dIn);
    let weights = 0;
    for (let t = 0; t < n; t++) {
      let d2 = 0;
      for (let i = 0; i < dIn; i++) d2 += (rows[t * dIn + i] - y[i]) ** 2;
      const w = 1 / Math.max(Math.sqrt(d2), 1e-12);
      weights += w;
      for (let i = 0; i < dIn; i++) next[i] += w * rows[t * dIn + i];
    }
    let moved = 0;
    let norm = 0;
    for (let i = 0; i < dIn; i++) {
      next[i] /= weights;
      moved += (next[i] - y[i]) ** 2;
      norm += next[i] ** 2;
    }
    y = next;
    if (Math.sqrt(moved) <= tol * Math.max(Math.sqrt(norm), 1e-12)) break;
  }
  return Float32Array.from(y);
}

/** E‖x − E[x]‖² over rows [n, dIn]: the constant the MSE is divided by, so `mse` reads as a fraction of variance unexplained. */
export function meanSquaredDeviation(rows: Float32Array, n: number, dIn: number): number {
  const mean = new Float64Array(dIn);
  for (let t = 0; t < n; t++) for (let i = 0; i < dIn; i++) mean[i] += rows[t * dIn + i] / n;
  let total = 0;
  for (let t = 0; t < n; t++) for (let i = 0; i < dIn; i++) total += (rows[t * dIn + i] - mean[i]) ** 2;
  return total / n;
}

export interface InitOptions {
  dIn: number;
  dSae: number;
  seed: number;
  /** [dIn] */ bDec: Float32Array;
  /** Decoder row norm at initialisation (1 for unit-norm training). */
  decoderNorm: number;
  /**
   * Copy the first `from.dSae` latents from this SAE (the feature-splitting recipe); with
   * `normalizeFrom` its decoder rows are rescaled to `decoderNorm` and its encoder columns by the
   * inverse factor, so every copied latent computes the same function as before.
   */
  from?: CanonicalSae;
  normalizeFrom?: boolean;
}

/**
 * TopK-paper initialisation: decoder rows random directions at `decoderNorm`, W_enc = W_decᵀ (held
 * transposed, so the same array), b_enc = 0, b_dec given (the geometric median). Adam moments zero.
 */
export function initTrainState(opts: InitOptions): TrainState {
  const { dIn, dSae } = opts;
  const random = mulberry32(opts.seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const wDec = new Float32Array(dSae * dIn);
  for (let j = 0; j < dSae; j++) {
    const row = wDec.subarray(j * dIn, (j + 1) * dIn);
    for (let i = 0; i < dIn; i++) row[i] = gaussian();
    scaleRow(row, opts.decoderNorm);
  }
  const wEncT = wDec.slice();
  const bEnc = new Float32Array(dSae);
  let bDec: Float32Array = opts.bDec.slice();
  if (opts.from) bDec = copyFrom(opts, wEncT, bEnc, wDec);
  const params: Record<ParamName, Float32Array> = { wEncT, bEnc, wDec, bDec };
  const zeros = () => ({ wEncT: new Float32Array(wEncT.length), bEnc: new Float32Array(dSae), wDec: new Float32Array(wDec.length), bDec: new Float32Array(dIn) });
  return { params, m: zeros(), v: zeros(), step: 0 };
}

function copyFrom(opts: InitOptions, wEncT: Float32Array, bEnc: Float32Array, wDec: Float32Array): Float32Array {
  const from = opts.from as CanonicalSae;
  const { dIn } = opts;
  if (from.dIn !== dIn) throw new SaeError(from.source.path, `the SAE to initialise from has d_in ${from.dIn}, the new SAE ${dIn}`);
  if (from.dSae > opts.dSae) throw new SaeError(from.source.path, `the SAE to initialise from has ${from.dSae} latents, more than the new SAE's ${opts.dSae}`);
  if (from.inputNorm !== 'none' || from.inputScale !== 1 || !from.subtractDecoderBias) {
    throw new SaeError(from.source.path, 'this SAE normalises or rescales its input; only SAEs that subtract b_dec from raw activations can seed training');
  }
  for (let j = 0; j < from.dSae; j++) {
    const row = wDec.subarray(j * dIn, (j + 1) * dIn);
    for (let i = 0; i < dIn; i++) row[i] = from.wDec[j * dIn + i];
    const factor = opts.normalizeFrom ? scaleRow(row, opts.decoderNorm) : 1;
    for (let i = 0; i < dIn; i++) wEncT[j * dIn + i] = from.wEnc[i * from.dSae + j] / factor;
    bEnc[j] = from.bEnc[j] / factor;
  }
  return from.bDec.slice();
}

/** Scales a row to the given L2 norm; returns the factor applied. */
function scaleRow(row: Float32Array, norm: number): number {
  let sq = 0;
  for (const v of row) sq += v * v;
  const factor = norm / Math.max(Math.sqrt(sq), 1e-12);
  for (let i = 0; i < row.length; i++) row[i] *= factor;
  return factor;
}
