import { cosineTopK } from '../onnx/cosine-neighbours.js';
import type { Provider } from '../onnx/index.js';

/** Each row's k nearest other rows, nearest first. */
export interface Knn {
  n: number;
  k: number;
  /** [n, k], row-major: indices of the neighbours, never the row itself */
  indices: Int32Array;
  /** [n, k], row-major: 1 − cos(row, neighbour), ascending along each row, ≥ 0 */
  distances: Float32Array;
}

export interface KnnOptions {
  /** Rows per ONNX Runtime run; the run holds a [blockRows, n] float32 matrix. Default: about 32 MB of it. */
  blockRows?: number;
  provider?: Provider;
  intraOpNumThreads?: number;
  /** fraction of the rows done, after each block */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Exact cosine kNN of the rows of `rows` ([n, d], row-major, any norms): cosineTopK of the rows
 * against themselves, each row's own index left out.
 *
 * Distance is 1 − cos, not the angle: it is what umap-learn's and umap-js's `cosine` metric computes,
 * so a map from this kNN is the map UMAP(metric='cosine') would draw; and arccos near cos = 1 would
 * blow float32 rounding (~6e-8) up to ~3e-4, so near-duplicate directions would no longer sit near 0.
 */
export async function cosineKnn(rows: Float32Array, n: number, d: number, k: number, options: KnnOptions = {}): Promise<Knn> {
  checkKnnArgs(rows, n, d, k);
  const { indices, cosines } = await cosineTopK({ ...options, queries: rows, nQueries: n, keys: rows, nKeys: n, d, k, excludeSelf: true });
  // cos can round a hair above 1 (or below −1); a distance is never negative.
  const distances = cosines.map((c) => Math.max(0, 1 - c));
  return { n, k, indices, distances };
}

function checkKnnArgs(rows: Float32Array, n: number, d: number, k: number): void {
  for (const [name, v] of [
    ['n', n],
    ['d', d],
    ['k', k],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`cosineKnn: ${name} must be a positive integer, got ${v}`);
  }
  if (rows.length !== n * d) throw new RangeError(`cosineKnn: rows [${n}, ${d}] need ${n * d} values, got ${rows.length}`);
  if (k > n - 1) throw new RangeError(`cosineKnn: k = ${k} neighbours need at least ${k + 1} rows, got ${n}`);
}
