import { mulberry32 } from '../../api/random.js';
import type { CosineSummary, DecoderCosineReport } from '../../api/eval-report.js';
import { cosineTopK, unitRows } from '../../onnx/cosine-neighbours.js';
import type { SessionOptions } from '../../onnx/ort.js';

/**
 * Each decoder row's largest cosine similarity to any other row, next to the same for random unit
 * directions (the baseline a dictionary of unrelated directions gives in the same dimension). Signed
 * cosine, as Gao et al. 2024 plot it: a near-duplicate latent shows as a value near +1, and an
 * opposite pair is not counted as a duplicate. The [dSae, dSae] similarity matrix is never built:
 * it is the nearest other row of onnx/cosine-neighbours' blocked top-k.
 */

export interface CosineOptions extends SessionOptions {
  /** Rows per MatMul (default: as many as fit a 32 MB block of cosines). */
  blockRows?: number;
}

/** [n] each row of rows [n, d] (row-major): max over j ≠ i of cos(row_i, row_j). */
export async function maxCosineSimilarities(rows: Float32Array, n: number, d: number, options: CosineOptions = {}): Promise<Float32Array> {
  if (n < 2) throw new RangeError(`max cosine to another row needs at least 2 rows, got ${n}`);
  const { blockRows, provider, intraOpNumThreads } = options;
  if (blockRows !== undefined && (!Number.isInteger(blockRows) || blockRows < 1))
    throw new RangeError(`blockRows must be a positive integer, got ${blockRows}`);
  // k = 1 with excludeSelf: the one cosine per row is the nearest other row's.
  const { cosines } = await cosineTopK({
    queries: rows,
    nQueries: n,
    keys: rows,
    nKeys: n,
    d,
    k: 1,
    excludeSelf: true,
    blockRows,
    provider,
    intraOpNumThreads,
  });
  return cosines;
}

/** [n, d] directions uniform on the unit sphere (normalised Gaussians, Box–Muller), reproducible from `seed`. */
export function randomUnitRows(n: number, d: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
  return unitRows(out, n, d);
}

export interface Histogram {
  /** lower edge of the first bin */ min: number;
  /** upper edge of the last bin (a value equal to it falls in the last bin) */ max: number;
  /** [bins] values per bin of width (max − min) / bins; values outside [min, max] go to the end bins */
  counts: number[];
}

export function histogram(values: ArrayLike<number>, min: number, max: number, bins: number): Histogram {
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const bin = Math.floor((values[i] - min) / width);
    counts[Math.min(bins - 1, Math.max(0, bin))]++;
  }
  return { min, max, counts };
}

export function summarizeCosines(values: Float32Array): CosineSummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  let above = 0;
  for (const v of sorted) {
    sum += v;
    if (v > 0.9) above++;
  }
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { mean: sum / n, median, above09: above / n };
}

/** The decoder rows W_dec [dSae, dIn] against dSae random unit directions in R^dIn, histogrammed over [-1, 1]. */
export async function decoderCosineReport(
  wDec: Float32Array,
  dSae: number,
  dIn: number,
  options: CosineOptions & { seed?: number; bins?: number } = {},
): Promise<DecoderCosineReport> {
  const { seed = 0, bins = 40, ...rest } = options;
  const decoder = await maxCosineSimilarities(wDec, dSae, dIn, rest);
  const random = await maxCosineSimilarities(randomUnitRows(dSae, dIn, seed), dSae, dIn, rest);
  return {
    measure: 'max cosine similarity to any other row (signed)',
    dSae,
    dIn,
    seed,
    histogram: { min: -1, max: 1, bins, decoder: histogram(decoder, -1, 1, bins).counts, random: histogram(random, -1, 1, bins).counts },
    decoder: summarizeCosines(decoder),
    random: summarizeCosines(random),
  };
}
