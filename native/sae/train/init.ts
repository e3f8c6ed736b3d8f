import { mix32, mulberry32 } from '../../corpus/shuffle.js';
import { SaeError } from '../canonical.js';
import { encodeReference } from '../reference.js';
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
  /**
   * Start the latents beyond `from`'s from the data instead of at random (see seedNewLatents):
   * the sample's rows [n, dIn], and the latent being split, if any.
   */
  newFromData?: { rows: Float32Array; n: number; feature?: number };
}

/**
 * TopK-paper initialisation: decoder rows random directions at `decoderNorm`, W_enc = W_decᵀ (held
 * transposed, so the same array), b_enc = 0, b_dec given (the geometric median). Adam moments zero.
 * The random stream is keyed by the seed and the width: two widths trained with one seed start
 * from unrelated directions, as independently trained SAEs of a width comparison must.
 */
export function initTrainState(opts: InitOptions): TrainState {
  const { dIn, dSae } = opts;
  const random = mulberry32(mix32(opts.seed, dSae));
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
  if (opts.from && opts.newFromData && dSae > opts.from.dSae) seedNewLatents(opts, opts.from, opts.newFromData, random, wEncT, bEnc, wDec);
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

/**
 * The latents beyond `from`'s, started from the data (after the resampling of dead latents in
 * Bricken et al. 2023, aimed at one feature when splitting it): latent j takes a sample row x
 * (drawn without replacement) and points its decoder along what `from` leaves unexplained there,
 * x − x̂, plus, when splitting feature F, F's own share a_F·d_F: the sub-case of F that x is. Its
 * encoder is that unit direction scaled to F's encoder norm (or the mean encoder norm), with F's
 * bias (or 0), so on inputs like x it competes with F for a place among the k. Rows where that
 * direction vanishes keep their random start.
 */
function seedNewLatents(opts: InitOptions, from: CanonicalSae, data: NonNullable<InitOptions['newFromData']>, random: () => number, wEncT: Float32Array, bEnc: Float32Array, wDec: Float32Array): void {
  const { dIn, dSae } = opts;
  const { rows, n, feature } = data;
  if (n < 1 || rows.length !== n * dIn) throw new Error(`seedNewLatents needs [n, dIn] rows, got ${rows.length} values for n=${n}, dIn=${dIn}`);
  const encoderNorm = (j: number) => {
    let sq = 0;
    for (let i = 0; i < dIn; i++) sq += from.wEnc[i * from.dSae + j] ** 2;
    return Math.sqrt(sq);
  };
  let scale = 0;
  if (feature !== undefined) scale = encoderNorm(feature);
  else {
    for (let j = 0; j < from.dSae; j++) scale += encoderNorm(j) / from.dSae;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    [order[i], order[k]] = [order[k], order[i]];
  }
  for (let j = from.dSae; j < dSae; j++) {
    const x = rows.subarray(order[(j - from.dSae) % n] * dIn, (order[(j - from.dSae) % n] + 1) * dIn);
    const acts = encodeReference(from, x, 1);
    const direction = new Float64Array(dIn);
    for (let i = 0; i < dIn; i++) direction[i] = x[i] - from.bDec[i];
    for (let l = 0; l < from.dSae; l++) {
      if (acts[l] === 0 || l === feature) continue;
      for (let i = 0; i < dIn; i++) direction[i] -= acts[l] * from.wDec[l * dIn + i];
    }
    let norm = 0;
    for (const v of direction) norm += v * v;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-6)) continue;
    const gate = feature !== undefined ? Number(process.env.LOUPE_SPLIT_GATE ?? '0') : 0;
    for (let i = 0; i < dIn; i++) {
      const unit = direction[i] / norm;
      wDec[j * dIn + i] = unit * opts.decoderNorm;
      wEncT[j * dIn + i] = gate > 0 ? from.wEnc[i * from.dSae + (feature as number)] + gate * unit * scale : unit * scale;
    }
    bEnc[j] = feature !== undefined ? from.bEnc[feature] : 0;
  }
}

/** Scales a row to the given L2 norm; returns the factor applied. */
function scaleRow(row: Float32Array, norm: number): number {
  let sq = 0;
  for (const v of row) sq += v * v;
  const factor = norm / Math.max(Math.sqrt(sq), 1e-12);
  for (let i = 0; i < row.length; i++) row[i] *= factor;
  return factor;
}
