import { GraphBuilder, createSession, float32Tensor } from '../onnx/index.js';
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

/** Cosine matrix elements per block: 32 MB of float32, enough that the ~35 µs cost of a run vanishes. */
const blockElements = 1 << 23;

/**
 * Exact cosine kNN of the rows of `rows` ([n, d], row-major, any norms), as blocked MatMul + TopK in
 * ONNX Runtime: each run multiplies a block of unit rows [b, d] by all unit rows (an initializer, so
 * ONNX Runtime prepacks it once) and keeps the top k + 1 of each [b, n] row inside the graph. Nothing
 * n × n ever reaches JavaScript.
 *
 * Distance is 1 − cos, not the angle: it is what umap-learn's and umap-js's `cosine` metric computes,
 * so a map from this kNN is the map UMAP(metric='cosine') would draw; and arccos near cos = 1 would
 * blow float32 rounding (~6e-8) up to ~3e-4, so near-duplicate directions would no longer sit near 0.
 *
 * TopK keeps k + 1 because the row itself is normally first: it is dropped wherever it appears (a
 * duplicate row can tie with it and come first); if it is not among the k + 1 at all (more than k
 * duplicates, or a zero row), the last is dropped instead.
 */
export async function cosineKnn(rows: Float32Array, n: number, d: number, k: number, options: KnnOptions = {}): Promise<Knn> {
  checkKnnArgs(rows, n, d, k);
  const unit = unitRows(rows, n, d);
  const graph = knnGraph(unit, n, d, k + 1);
  const session = await createSession(graph.toBytes(), { provider: options.provider, intraOpNumThreads: options.intraOpNumThreads });
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const block = Math.max(1, Math.min(n, options.blockRows ?? Math.floor(blockElements / n)));
  try {
    for (let from = 0; from < n; from += block) {
      options.signal?.throwIfAborted();
      const b = Math.min(block, n - from);
      const out = await session.run({ block: { type: 'float32', dims: [b, d], data: unit.subarray(from * d, (from + b) * d) } });
      const cosines = out.cosines.float32();
      const found = out.indices.data as Int32Array;
      for (let r = 0; r < b; r++) dropSelf(from + r, k, found, cosines, r * (k + 1), indices, distances);
      for (const t of Object.values(out)) t.dispose();
      options.onProgress?.((from + b) / n);
    }
  } finally {
    await session.release();
  }
  return { n, k, indices, distances };
}

function checkKnnArgs(rows: Float32Array, n: number, d: number, k: number): void {
  for (const [name, v] of [['n', n], ['d', d], ['k', k]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`cosineKnn: ${name} must be a positive integer, got ${v}`);
  }
  if (rows.length !== n * d) throw new RangeError(`cosineKnn: rows [${n}, ${d}] need ${n * d} values, got ${rows.length}`);
  if (k > n - 1) throw new RangeError(`cosineKnn: k = ${k} neighbours need at least ${k + 1} rows, got ${n}`);
}

/** [n, d] copies of the rows scaled to unit length (norms summed in float64); zero rows stay zero. */
export function unitRows(rows: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = i * d; j < (i + 1) * d; j++) sum += rows[j] * rows[j];
    if (!Number.isFinite(sum)) throw new RangeError(`cosineKnn: row ${i} has a non-finite value`);
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let j = i * d; j < (i + 1) * d; j++) out[j] = rows[j] * scale;
  }
  return out;
}

/** block [b, d] · unitᵀ → [b, n] cosines → TopK(kPlus1) → cosines [b, kPlus1], indices int32 [b, kPlus1] */
function knnGraph(unit: Float32Array, n: number, d: number, kPlus1: number): GraphBuilder {
  const g = new GraphBuilder('cosine-knn');
  const block = g.input('block', 'float32', ['b', d]);
  // Gemm with transB reads the [n, d] rows as they are: no transposed copy in JS.
  const all = g.initializer('unit_rows', float32Tensor([n, d], unit));
  const cos = g.op('Gemm', [block, all], { transB: 1 });
  const [values, found] = g.opMulti('TopK', [cos, g.constInt64([kPlus1])], 2, { axis: -1, largest: 1, sorted: 1 });
  g.output(values, 'cosines', 'float32', ['b', kPlus1]);
  g.output(g.op('Cast', [found], { to: 6 /* INT32 */ }), 'indices', 'int32', ['b', kPlus1]);
  return g;
}

/** Writes row `row`'s k neighbours from its k + 1 TopK candidates at `at`, without the row itself. */
function dropSelf(row: number, k: number, found: Int32Array, cosines: Float32Array, at: number, indices: Int32Array, distances: Float32Array): void {
  let w = row * k;
  const end = row * k + k;
  for (let c = at; c < at + k + 1 && w < end; c++) {
    if (found[c] === row) continue;
    indices[w] = found[c];
    // cos can round a hair above 1 (or below −1); a distance is never negative.
    distances[w++] = Math.max(0, 1 - cosines[c]);
  }
}
