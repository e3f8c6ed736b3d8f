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
export async function logitEffects(
  wDec: Float32Array,
  dSae: number,
  model: TransformerWeights,
  k: number,
  options: SessionOptions = {},
): Promise<LogitEffects> {
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
      const r = await session.run({
        rows: { type: 'float32', dims: [n, dModel], data: wDec.subarray(start * dModel, (start + n) * dModel) },
      });
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
