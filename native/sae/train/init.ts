import { mulberry32 } from '../../api/random.js';
import { mix32 } from '../../corpus/shuffle.js';
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
  if (n < 1 || rows.length !== n * dIn)
    throw new Error(`geometricMedian needs [n, dIn] rows, got ${rows.length} values for n=${n}, dIn=${dIn}`);
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
  const zeros = () => ({
    wEncT: new Float32Array(wEncT.length),
    bEnc: new Float32Array(dSae),
    wDec: new Float32Array(wDec.length),
    bDec: new Float32Array(dIn),
  });
  return { params, m: zeros(), v: zeros(), step: 0 };
}

function copyFrom(opts: InitOptions, wEncT: Float32Array, bEnc: Float32Array, wDec: Float32Array): Float32Array {
  const from = opts.from as CanonicalSae;
  const { dIn } = opts;
  if (from.dIn !== dIn) throw new SaeError(from.source.path, `the SAE to initialise from has d_in ${from.dIn}, the new SAE ${dIn}`);
  if (from.dSae > opts.dSae)
    throw new SaeError(from.source.path, `the SAE to initialise from has ${from.dSae} latents, more than the new SAE's ${opts.dSae}`);
  if (from.inputNorm !== 'none' || from.inputScale !== 1 || !from.subtractDecoderBias) {
    throw new SaeError(
      from.source.path,
      'this SAE normalises or rescales its input; only SAEs that subtract b_dec from raw activations can seed training',
    );
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
 * The latents beyond `from`'s, started from the data instead of at random. Seeds are sample rows
 * drawn without replacement (when splitting F, only rows where F fires).
 *
 * Splitting F (childrenOfFeature): each new latent starts as a copy of F tilted toward its seed.
 * Otherwise (resampledLatents, after the resampling of dead latents in Bricken et al. 2023): each
 * points along what `from` leaves unexplained on its seed.
 */
function seedNewLatents(
  opts: InitOptions,
  from: CanonicalSae,
  data: NonNullable<InitOptions['newFromData']>,
  random: () => number,
  wEncT: Float32Array,
  bEnc: Float32Array,
  wDec: Float32Array,
): void {
  const { dIn, dSae } = opts;
  const { rows, n, feature } = data;
  if (n < 1 || rows.length !== n * dIn)
    throw new Error(`seedNewLatents needs [n, dIn] rows, got ${rows.length} values for n=${n}, dIn=${dIn}`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const k = Math.floor(random() * (i + 1));
    [order[i], order[k]] = [order[k], order[i]];
  }
  const seeds: Seed[] = [];
  for (const t of order) {
    const x = rows.subarray(t * dIn, (t + 1) * dIn);
    const acts = encodeReference(from, x, 1);
    if (feature === undefined || acts[feature] > 0) seeds.push({ x, acts });
    if (seeds.length >= dSae - from.dSae) break;
  }
  if (seeds.length === 0) return;
  const params = { wEncT, bEnc, wDec };
  if (feature !== undefined) childrenOfFeature(opts, from, feature, seeds, params);
  else resampledLatents(opts, from, seeds, params);
}

interface Seed {
  /** [dIn] a raw input row */ x: Float32Array;
  /** [from.dSae] `from`'s activations on it */ acts: Float32Array;
}

/** How far a child's encoder leans toward its seed: on the seed it reads TILT · a_F more than F. */
const TILT = 0.5;

/**
 * Children of F: latent j copies F's decoder row, and its encoder is F's leaning toward its seed's
 * deviation t from the mean seed (x − b_dec, centred over the seeds): e_F + s·t, with bias
 * b_F − s·t·mean, so that at the mean seed it reads what F reads, and on its own seed TILT · a_F
 * more. Where F is silent its children are mostly silent too (they share its detector); among F's
 * tokens, each is strongest on the tokens like its seed, which is where training sharpens it. All start firing with F, so the first steps over-reconstruct F's
 * share; on the demo SAEs that settles within a tenth of the run, and starting them weaker (each a
 * fraction of F) left most of them dead.
 */
function childrenOfFeature(
  opts: InitOptions,
  from: CanonicalSae,
  feature: number,
  seeds: Seed[],
  p: { wEncT: Float32Array; bEnc: Float32Array; wDec: Float32Array },
): void {
  const { dIn, dSae } = opts;
  const mean = new Float64Array(dIn);
  for (const { x } of seeds) for (let i = 0; i < dIn; i++) mean[i] += (x[i] - from.bDec[i]) / seeds.length;
  for (let j = from.dSae; j < dSae; j++) {
    const { x, acts } = seeds[(j - from.dSae) % seeds.length];
    const tilt = new Float64Array(dIn);
    let sq = 0;
    for (let i = 0; i < dIn; i++) {
      tilt[i] = x[i] - from.bDec[i] - mean[i];
      sq += tilt[i] ** 2;
    }
    const scale = sq > 1e-12 ? (TILT * acts[feature]) / sq : 0;
    let atMean = 0;
    for (let i = 0; i < dIn; i++) {
      p.wEncT[j * dIn + i] = from.wEnc[i * from.dSae + feature] + scale * tilt[i];
      p.wDec[j * dIn + i] = from.wDec[feature * dIn + i];
      atMean += scale * tilt[i] * mean[i];
    }
    // The lean is measured from the mean seed: at F's average token a child reads what F reads.
    p.bEnc[j] = from.bEnc[feature] - atMean;
  }
}

/**
 * Resampled latents: latent j's decoder points along x − x̂ on its seed (what `from` leaves
 * unexplained), and its encoder along the same unit direction, scaled so that on the seed it reads
 * the mean activation of `from`'s active latents there; bias 0. Rows where that direction vanishes
 * keep their random start.
 */
function resampledLatents(
  opts: InitOptions,
  from: CanonicalSae,
  seeds: Seed[],
  p: { wEncT: Float32Array; bEnc: Float32Array; wDec: Float32Array },
): void {
  const { dIn, dSae } = opts;
  for (let j = from.dSae; j < dSae; j++) {
    const { x, acts } = seeds[(j - from.dSae) % seeds.length];
    const direction = new Float64Array(dIn);
    let active = 0;
    let activeSum = 0;
    for (let i = 0; i < dIn; i++) direction[i] = x[i] - from.bDec[i];
    for (let l = 0; l < from.dSae; l++) {
      if (acts[l] === 0) continue;
      active++;
      activeSum += acts[l];
      for (let i = 0; i < dIn; i++) direction[i] -= acts[l] * from.wDec[l * dIn + i];
    }
    let norm = 0;
    for (const v of direction) norm += v * v;
    norm = Math.sqrt(norm);
    let along = 0;
    for (let i = 0; i < dIn; i++) along += (direction[i] / norm) * (x[i] - from.bDec[i]);
    const target = activeSum / Math.max(1, active);
    if (!(norm > 1e-6) || !(along > 1e-6) || !(target > 0)) continue;
    for (let i = 0; i < dIn; i++) {
      const unit = direction[i] / norm;
      p.wDec[j * dIn + i] = unit * opts.decoderNorm;
      p.wEncT[j * dIn + i] = (unit * target) / along;
    }
    p.bEnc[j] = 0;
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
