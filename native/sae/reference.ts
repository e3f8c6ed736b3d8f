import type { CanonicalSae, SaeActivation } from './canonical.js';
import { isTranscoder } from './canonical.js';

/**
 * The canonical SAE's meaning in plain loops with float64 sums: slow, and written to be checked by
 * eye against the formula in canonical.ts. Tests hold the fast ONNX graphs and every reader to it.
 */

/** [n, dSae] dense activations for x [n, dIn]. */
export function encodeReference(sae: CanonicalSae, x: Float32Array, n: number): Float32Array {
  const { dIn, dSae, wEnc, bEnc } = sae;
  checkLength('x', x, n, dIn);
  const out = new Float32Array(n * dSae);
  const pre = new Float64Array(dSae);
  for (let t = 0; t < n; t++) {
    const v = prepareInput(sae, x.subarray(t * dIn, (t + 1) * dIn));
    pre.set(bEnc);
    for (let i = 0; i < dIn; i++) {
      const row = i * dSae;
      for (let j = 0; j < dSae; j++) pre[j] += v[i] * wEnc[row + j];
    }
    activate(sae.activation, pre, out.subarray(t * dSae, (t + 1) * dSae));
  }
  return out;
}

/**
 * [n, dIn] reconstructions of acts [n, dSae]. SAEs with a per-token input normalisation need the
 * inputs x [n, dIn] that were encoded, whose statistics undo it.
 */
export function decodeReference(sae: CanonicalSae, acts: Float32Array, n: number, x?: Float32Array): Float32Array {
  const { dIn, dSae } = sae;
  checkLength('acts', acts, n, dSae);
  if (isTranscoder(sae)) return transcoderOutputReference(sae, acts, n, x);
  if (sae.inputNorm !== 'none') {
    if (x === undefined) throw new Error(`decoding an SAE with input normalisation "${sae.inputNorm}" needs the encoded inputs x`);
    checkLength('x', x, n, dIn);
  }
  const out = new Float32Array(n * dIn);
  const y = new Float64Array(dIn);
  for (let t = 0; t < n; t++) {
    decodeToken(sae, acts, t, y);
    const norm = x === undefined ? IDENTITY : tokenNorm(sae, x.subarray(t * dIn, (t + 1) * dIn));
    for (let i = 0; i < dIn; i++) out[t * dIn + i] = (y[i] / sae.inputScale) * norm.restoreScale + norm.restoreShift;
  }
  return out;
}

/** y [dIn] = b_dec + acts[t] · W_dec, in double precision. */
function decodeToken(sae: CanonicalSae, acts: Float32Array, t: number, y: Float64Array): void {
  const { dIn, dSae, wDec, bDec } = sae;
  y.set(bDec);
  for (let j = 0; j < dSae; j++) {
    const a = acts[t * dSae + j];
    if (a !== 0) for (let i = 0; i < dIn; i++) y[i] += a * wDec[j * dIn + i];
  }
}

/** A transcoder's prediction of its output hook: f · W_dec + b_dec (+ x · W_skip), no input normalisation undone. */
function transcoderOutputReference(sae: CanonicalSae, acts: Float32Array, n: number, x?: Float32Array): Float32Array {
  const { dIn, wSkip } = sae;
  if (wSkip !== undefined) {
    if (x === undefined) throw new Error('decoding a skip transcoder needs the encoded inputs x');
    checkLength('x', x, n, dIn);
  }
  const out = new Float32Array(n * dIn);
  const y = new Float64Array(dIn);
  for (let t = 0; t < n; t++) {
    decodeToken(sae, acts, t, y);
    if (wSkip !== undefined && x !== undefined) {
      for (let r = 0; r < dIn; r++) {
        const xr = x[t * dIn + r];
        if (xr !== 0) for (let i = 0; i < dIn; i++) y[i] += xr * wSkip[r * dIn + i];
      }
    }
    out.set(y, t * dIn);
  }
  return out;
}

interface TokenNorm {
  shift: number;
  divide: number;
  restoreScale: number;
  restoreShift: number;
}

const IDENTITY: TokenNorm = { shift: 0, divide: 1, restoreScale: 1, restoreShift: 0 };
const LAYER_NORM_EPS = 1e-5;

/** The per-token statistics of canonical.ts's SaeInputNorm. */
function tokenNorm(sae: CanonicalSae, x: Float32Array): TokenNorm {
  if (sae.inputNorm === 'none') return IDENTITY;
  const d = x.length;
  if (sae.inputNorm === 'constant-norm-rescale') {
    let sq = 0;
    for (let i = 0; i < d; i++) sq += x[i] * x[i];
    const factor = Math.sqrt(d) / Math.sqrt(sq);
    return { shift: 0, divide: 1 / factor, restoreScale: 1 / factor, restoreShift: 0 };
  }
  let mean = 0;
  for (let i = 0; i < d; i++) mean += x[i];
  mean /= d;
  let sq = 0;
  for (let i = 0; i < d; i++) sq += (x[i] - mean) ** 2;
  const std = Math.sqrt(sq / (d - 1)); // torch.std: Bessel's correction
  return { shift: mean, divide: std + LAYER_NORM_EPS, restoreScale: std, restoreShift: mean };
}

/** One token's encoder input: normalised, scaled, then centred on b_dec if the SAE says so. */
function prepareInput(sae: CanonicalSae, x: Float32Array): Float64Array {
  const norm = tokenNorm(sae, x);
  const v = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    v[i] = ((x[i] - norm.shift) / norm.divide) * sae.inputScale - (sae.subtractDecoderBias ? sae.bDec[i] : 0);
  }
  return v;
}

function activate(act: SaeActivation, pre: Float64Array, out: Float32Array): void {
  if (act.kind === 'relu') {
    for (let j = 0; j < pre.length; j++) out[j] = Math.max(pre[j], 0);
  } else if (act.kind === 'jumprelu') {
    for (let j = 0; j < pre.length; j++) out[j] = pre[j] > act.threshold[j] ? Math.max(pre[j], 0) : 0;
  } else {
    const order = Array.from(pre.keys()).sort((a, b) => pre[b] - pre[a] || a - b);
    for (const j of order.slice(0, act.k)) out[j] = Math.max(pre[j], 0);
  }
}

function checkLength(name: string, data: Float32Array, n: number, width: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || data.length !== n * width) {
    throw new Error(`${name} has ${data.length} values, expected [n, ${width}] with n = ${n} (${n * width} values)`);
  }
}
