import type { TransformerWeights } from '../models/weights.js';
import { GraphBuilder } from '../onnx/graph.js';
import { createSession } from '../onnx/ort.js';
import type { SessionOptions } from '../onnx/ort.js';
import { float32Tensor } from '../onnx/tensor-proto.js';

const BLOCK_ROWS = 512;

/** Per feature: the k most boosted and most suppressed output tokens of its decoder direction. */
export interface LogitEffects {
  /** [dSae, k] */ boostedIds: Int32Array;
  /** [dSae, k] */ boostedValues: Float32Array;
  /** [dSae, k] */ suppressedIds: Int32Array;
  /** [dSae, k] most negative first */ suppressedValues: Float32Array;
}

/**
 * The direct logit effect W_dec[f] · W_U of every feature (no final LayerNorm, as Neuronpedia and
 * sae_vis show it), reduced to its top and bottom k tokens inside ONNX Runtime, a block of features
 * at a time: the [dSae, dVocab] matrix never exists.
 */
export async function logitEffects(wDec: Float32Array, dSae: number, model: TransformerWeights, k: number, options: SessionOptions = {}): Promise<LogitEffects> {
  const { dModel, dVocab } = model.config;
  const g = new GraphBuilder('logit-effects');
  const rows = g.input('rows', 'float32', ['b', dModel]);
  // An unembedding bias moves every feature's logits alike, so a direction's effect leaves it out.
  const { w, layout } = model.unembed;
  const wU = g.initializer('W_U', float32Tensor(w.shape, w.data));
  const logits = layout === 'dModelByVocab' ? g.op('MatMul', [rows, wU]) : g.op('Gemm', [rows, wU], { transB: 1 });
  const kk = g.constInt64([Math.min(k, dVocab)]);
  const [topV, topI] = g.opMulti('TopK', [logits, kk], 2, { axis: -1, largest: 1, sorted: 1 });
  const [lowV, lowI] = g.opMulti('TopK', [logits, kk], 2, { axis: -1, largest: 0, sorted: 1 });
  g.output(topV, 'top_values');
  g.output(g.op('Cast', [topI], { to: 6 }), 'top_ids', 'int32');
  g.output(lowV, 'low_values');
  g.output(g.op('Cast', [lowI], { to: 6 }), 'low_ids', 'int32');
  const kOut = Math.min(k, dVocab);
  const out: LogitEffects = {
    boostedIds: new Int32Array(dSae * kOut),
    boostedValues: new Float32Array(dSae * kOut),
    suppressedIds: new Int32Array(dSae * kOut),
    suppressedValues: new Float32Array(dSae * kOut),
  };
  const session = await createSession(g.toBytes(), options);
  try {
    for (let start = 0; start < dSae; start += BLOCK_ROWS) {
      const n = Math.min(BLOCK_ROWS, dSae - start);
      const r = await session.run({ rows: { type: 'float32', dims: [n, dModel], data: wDec.subarray(start * dModel, (start + n) * dModel) } });
      out.boostedValues.set(r.top_values.float32(), start * kOut);
      out.boostedIds.set(r.top_ids.data as Int32Array, start * kOut);
      out.suppressedValues.set(r.low_values.float32(), start * kOut);
      out.suppressedIds.set(r.low_ids.data as Int32Array, start * kOut);
    }
  } finally {
    await session.release();
  }
  return out;
}

/**
 * For each row of `a` [nA, d], the k rows of `b` [nB, d] with the highest cosine (excluding the
 * same index when `a` and `b` are the same matrix), by a blocked Gemm + TopK in ONNX Runtime.
 * Returns indices [nA, k] (−1 where b has fewer rows) and cosines [nA, k], best first.
 */
export async function nearestByCosine(a: Float32Array, nA: number, b: Float32Array, nB: number, d: number, k: number, same: boolean, options: SessionOptions = {}): Promise<{ indices: Int32Array; cosines: Float32Array }> {
  const take = Math.min(nB, k + (same ? 1 : 0));
  const g = new GraphBuilder('nearest-by-cosine');
  const rows = g.input('rows', 'float32', ['n', d]);
  const all = g.initializer('all', float32Tensor([nB, d], unitRows(b, nB, d)));
  const sims = g.op('Gemm', [rows, all], { transB: 1 });
  const [values, idx] = g.opMulti('TopK', [sims, g.constInt64([take])], 2, { axis: -1, largest: 1, sorted: 1 });
  g.output(values, 'values');
  g.output(g.op('Cast', [idx], { to: 6 }), 'indices', 'int32');
  const indices = new Int32Array(nA * k).fill(-1);
  const cosines = new Float32Array(nA * k);
  const unitA = unitRows(a, nA, d);
  const session = await createSession(g.toBytes(), options);
  try {
    for (let start = 0; start < nA; start += BLOCK_ROWS) {
      const n = Math.min(BLOCK_ROWS, nA - start);
      const r = await session.run({ rows: { type: 'float32', dims: [n, d], data: unitA.subarray(start * d, (start + n) * d) } });
      const vals = r.values.float32();
      const ids = r.indices.data as Int32Array;
      for (let i = 0; i < n; i++) {
        let w = 0;
        for (let j = 0; j < take && w < k; j++) {
          const other = ids[i * take + j];
          if (same && other === start + i) continue;
          indices[(start + i) * k + w] = other;
          cosines[(start + i) * k + w] = vals[i * take + j];
          w++;
        }
      }
    }
  } finally {
    await session.release();
  }
  return { indices, cosines };
}

/** Rows scaled to unit L2 norm (a zero row stays zero). */
export function unitRows(m: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += m[i * d + j] ** 2;
    const s = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let j = 0; j < d; j++) out[i * d + j] = m[i * d + j] * s;
  }
  return out;
}
