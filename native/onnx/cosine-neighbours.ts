import { GraphBuilder } from './graph.js';
import { createSession } from './ort.js';
import type { SessionOptions } from './ort.js';
import { float32Tensor } from './tensor-proto.js';

// Unit rows and cosine top-k, the one home for both: feature neighbours (index), matched pairs and kNN
// for maps (maps), decoder cosine statistics (sae/eval).

/** [n, d] copies of rows [n, d] (row-major, any norms) scaled to unit length, norms summed in float64; a zero row stays zero. */
export function unitRows(rows: Float32Array, n: number, d: number): Float32Array {
  if (rows.length !== n * d) throw new RangeError(`unitRows: rows [${n}, ${d}] need ${n * d} values, got ${rows.length}`);
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = i * d; j < (i + 1) * d; j++) sum += rows[j] * rows[j];
    if (!Number.isFinite(sum)) throw new RangeError(`unitRows: row ${i} has a non-finite value`);
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let j = i * d; j < (i + 1) * d; j++) out[j] = rows[j] * scale;
  }
  return out;
}

export interface CosineTopKOptions extends SessionOptions {
  /** [nQueries, d], row-major, any norms */
  queries: Float32Array;
  nQueries: number;
  /** [nKeys, d], row-major, any norms */
  keys: Float32Array;
  nKeys: number;
  d: number;
  /** neighbours kept per query */
  k: number;
  /** queries and keys are one matrix: query i is key i and is never its own neighbour */
  excludeSelf?: boolean;
  /** Queries per ONNX Runtime run; the run holds a [blockRows, nKeys] float32 matrix. Default: about 32 MB of it. */
  blockRows?: number;
  /** fraction of the queries done, after each block */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface CosineTopK {
  /** [nQueries, k], row-major: key indices, best first; −1 where there are fewer than k keys */
  indices: Int32Array;
  /** [nQueries, k], row-major: cos(query, key), descending along each row; 0 where indices is −1 */
  cosines: Float32Array;
}

/** Cosine matrix elements per block: 32 MB of float32, enough that the ~35 µs cost of a run vanishes. */
const blockElements = 1 << 23;

/**
 * For each query row, the k key rows with the highest cosine, as blocked Gemm + TopK in ONNX Runtime:
 * each run multiplies a block of unit query rows [b, d] by all unit key rows (an initializer, so ONNX
 * Runtime prepacks it once) and keeps the top of each [b, nKeys] row inside the graph. Nothing
 * nQueries × nKeys ever reaches JavaScript.
 *
 * With `excludeSelf`, TopK keeps k + 1 because the query itself is normally first: it is dropped
 * wherever it appears (a duplicate row can tie with it and come first); if it is not among the k + 1
 * at all (more than k duplicates, or a zero row), the last is dropped instead.
 */
export async function cosineTopK(options: CosineTopKOptions): Promise<CosineTopK> {
  const { queries, nQueries, keys, nKeys, d, k, excludeSelf = false } = options;
  const indices = new Int32Array(nQueries * k).fill(-1);
  const cosines = new Float32Array(nQueries * k);
  const take = Math.min(nKeys, k + (excludeSelf ? 1 : 0));
  if (nQueries === 0 || take === 0) return { indices, cosines };
  const unitKeys = unitRows(keys, nKeys, d);
  const unitQueries = queries === keys ? unitKeys : unitRows(queries, nQueries, d);
  const graph = topKGraph(unitKeys, nKeys, d, take);
  const session = await createSession(graph.toBytes(), { provider: options.provider, intraOpNumThreads: options.intraOpNumThreads });
  const block = Math.max(1, Math.min(nQueries, options.blockRows ?? Math.floor(blockElements / nKeys)));
  try {
    for (let from = 0; from < nQueries; from += block) {
      options.signal?.throwIfAborted();
      const b = Math.min(block, nQueries - from);
      const out = await session.run({ block: { type: 'float32', dims: [b, d], data: unitQueries.subarray(from * d, (from + b) * d) } });
      const values = out.cosines.float32();
      const found = out.indices.data as Int32Array;
      for (let r = 0; r < b; r++) {
        const row = from + r;
        let w = row * k;
        const end = w + k;
        for (let c = r * take; c < (r + 1) * take && w < end; c++) {
          if (excludeSelf && found[c] === row) continue;
          indices[w] = found[c];
          cosines[w++] = values[c];
        }
      }
      for (const t of Object.values(out)) t.dispose();
      options.onProgress?.((from + b) / nQueries);
    }
  } finally {
    await session.release();
  }
  return { indices, cosines };
}

/** block [b, d] · unitKeysᵀ → [b, nKeys] cosines → TopK(take) → cosines [b, take], indices int32 [b, take] */
function topKGraph(unitKeys: Float32Array, nKeys: number, d: number, take: number): GraphBuilder {
  const g = new GraphBuilder('cosine-top-k');
  const block = g.input('block', 'float32', ['b', d]);
  // Gemm with transB reads the [nKeys, d] rows as they are: no transposed copy in JS.
  const all = g.initializer('unit_keys', float32Tensor([nKeys, d], unitKeys));
  const cos = g.op('Gemm', [block, all], { transB: 1 });
  const [values, found] = g.opMulti('TopK', [cos, g.constInt64([take])], 2, { axis: -1, largest: 1, sorted: 1 });
  g.output(values, 'cosines', 'float32', ['b', take]);
  g.output(g.op('Cast', [found], { to: 6 /* INT32 */ }), 'indices', 'int32', ['b', take]);
  return g;
}
