/**
 * Active latents per token in CSR form: token t's latents are features[rowStart[t] … rowStart[t+1]),
 * with their values. TopK and dense (ReLU, JumpReLU) SAEs both end up here, zeros dropped.
 */
export interface SparseActs {
  nTokens: number;
  /** [nTokens + 1] */ rowStart: Int32Array;
  /** [nnz] */ features: Int32Array;
  /** [nnz], all > 0 */ values: Float32Array;
}

/** From TopK output: indices and values [n, k] (values after ReLU, so some may be 0). */
export function fromTopK(indices: Int32Array, values: Float32Array, nTokens: number, k: number): SparseActs {
  const rowStart = new Int32Array(nTokens + 1);
  const features = new Int32Array(nTokens * k);
  const out = new Float32Array(nTokens * k);
  let nnz = 0;
  for (let t = 0; t < nTokens; t++) {
    rowStart[t] = nnz;
    for (let j = t * k; j < (t + 1) * k; j++) {
      if (values[j] > 0) {
        features[nnz] = indices[j];
        out[nnz++] = values[j];
      }
    }
  }
  rowStart[nTokens] = nnz;
  return { nTokens, rowStart, features: features.subarray(0, nnz), values: out.subarray(0, nnz) };
}

/** From dense activations [n, dSae]. */
export function fromDense(acts: Float32Array, nTokens: number, dSae: number): SparseActs {
  let nnz = 0;
  for (let i = 0; i < acts.length; i++) if (acts[i] > 0) nnz++;
  const rowStart = new Int32Array(nTokens + 1);
  const features = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let at = 0;
  for (let t = 0; t < nTokens; t++) {
    rowStart[t] = at;
    const base = t * dSae;
    for (let f = 0; f < dSae; f++) {
      const v = acts[base + f];
      if (v > 0) {
        features[at] = f;
        values[at++] = v;
      }
    }
  }
  rowStart[nTokens] = at;
  return { nTokens, rowStart, features, values };
}

/** The rows where `keep` [nTokens] is non-zero, in order (a window batch's counted tokens). */
export function keepRows(acts: SparseActs, keep: Uint8Array): SparseActs {
  if (keep.length !== acts.nTokens) throw new RangeError(`${keep.length} row flags for ${acts.nTokens} rows`);
  let nTokens = 0;
  let nnz = 0;
  for (let t = 0; t < acts.nTokens; t++) {
    if (!keep[t]) continue;
    nTokens++;
    nnz += acts.rowStart[t + 1] - acts.rowStart[t];
  }
  const rowStart = new Int32Array(nTokens + 1);
  const features = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let row = 0;
  let at = 0;
  for (let t = 0; t < acts.nTokens; t++) {
    if (!keep[t]) continue;
    rowStart[row++] = at;
    for (let i = acts.rowStart[t]; i < acts.rowStart[t + 1]; i++) {
      features[at] = acts.features[i];
      values[at++] = acts.values[i];
    }
  }
  rowStart[row] = at;
  return { nTokens, rowStart, features, values };
}
