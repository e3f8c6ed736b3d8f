/**
 * Exact rewrites that turn library-specific encoders into the canonical one. Each returns new arrays:
 * tensors from one checkpoint may share storage, so nothing read is modified in place.
 */

export interface EncoderParts {
  /** [dIn, dSae], row-major */
  wEnc: Float32Array;
  /** [dSae] */
  bEnc: Float32Array;
  /** [dSae, dIn], row-major */
  wDec: Float32Array;
  /** [dSae], when the activation is JumpReLU */
  threshold?: Float32Array;
}

/**
 * For SAEs whose activations are multiplied by each decoder row's norm n after encoding and divided
 * by it before decoding (SAELens topk rescale_acts_by_decoder_norm, dictionary_learning JumpReLU and
 * gated): scaling latent j's encoder column, bias and threshold by n_j and its decoder row by 1/n_j
 * gives the same activations and reconstructions. ReLU, TopK and JumpReLU commute with n_j > 0.
 * A latent whose decoder row is zero contributes nothing and its activation is 0·x: it becomes all
 * zeros (pre-activation 0, which no activation passes).
 */
export function foldDecoderNorms(parts: EncoderParts, dIn: number, dSae: number): EncoderParts {
  const norms = decoderNorms(parts.wDec, dIn, dSae);
  const wEnc = new Float32Array(parts.wEnc.length);
  for (let i = 0; i < dIn; i++) {
    const row = i * dSae;
    for (let j = 0; j < dSae; j++) wEnc[row + j] = parts.wEnc[row + j] * norms[j];
  }
  const bEnc = parts.bEnc.map((b, j) => b * norms[j]);
  const wDec = new Float32Array(parts.wDec.length);
  for (let j = 0; j < dSae; j++) {
    if (norms[j] === 0) continue;
    for (let i = 0; i < dIn; i++) wDec[j * dIn + i] = parts.wDec[j * dIn + i] / norms[j];
  }
  const threshold = parts.threshold?.map((t, j) => t * norms[j]);
  return { wEnc, bEnc, wDec, threshold };
}

/** [dSae] Euclidean norm of each decoder row, accumulated in float64. */
export function decoderNorms(wDec: Float32Array, dIn: number, dSae: number): Float64Array {
  const norms = new Float64Array(dSae);
  for (let j = 0; j < dSae; j++) {
    let s = 0;
    for (let i = 0; i < dIn; i++) s += wDec[j * dIn + i] ** 2;
    norms[j] = Math.sqrt(s);
  }
  return norms;
}

export interface GatedParts {
  /** [dIn, dSae], row-major, shared by the gate and magnitude paths */
  wEnc: Float32Array;
  /** [dSae] */
  bGate: Float32Array;
  /** [dSae] log of the magnitude path's per-latent weight scale */
  rMag: Float32Array;
  /** [dSae] */
  bMag: Float32Array;
}

/**
 * A gated SAE (Rajamanoharan et al. 2024) is a JumpReLU SAE. With z = x·W_enc, e = exp(r_mag) and the
 * magnitude pre-activation m = e·z + b_mag, the gate z + b_gate > 0 is m > b_mag − e·b_gate, so
 * f = [z + b_gate > 0]·ReLU(m) = ReLU(m)·[m > θ] with θ = b_mag − e·b_gate, and a negative θ gates
 * exactly like θ = 0 because ReLU already zeroes m ≤ 0.
 */
export function gatedToJumpRelu(
  g: GatedParts,
  dIn: number,
  dSae: number,
): { wEnc: Float32Array; bEnc: Float32Array; threshold: Float32Array } {
  const scale = g.rMag.map(Math.exp);
  const wEnc = new Float32Array(g.wEnc.length);
  for (let i = 0; i < dIn; i++) {
    const row = i * dSae;
    for (let j = 0; j < dSae; j++) wEnc[row + j] = g.wEnc[row + j] * scale[j];
  }
  const threshold = g.bMag.map((b, j) => Math.max(0, b - scale[j] * g.bGate[j]));
  return { wEnc, bEnc: g.bMag.slice(), threshold };
}

/** Libraries that compute ReLU(pre)·[pre > θ] treat θ < 0 as 0; the canonical form keeps θ ≥ 0. */
export function clampThreshold(threshold: Float32Array): Float32Array {
  return threshold.map((t) => (t < 0 ? 0 : t));
}

/** Multiplies decoder row j by scale[j]: a per-latent factor applied to activations before decoding. */
export function scaleDecoderRows(wDec: Float32Array, scale: Float32Array, dIn: number): Float32Array {
  return wDec.map((w, idx) => w * scale[Math.floor(idx / dIn)]);
}
