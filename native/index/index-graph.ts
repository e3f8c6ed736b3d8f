import { buildForwardGraph } from '../models/forward-graph.js';
import type { TransformerWeights } from '../models/weights.js';
import type { SessionOptions } from '../onnx/ort.js';
import { sessionCache } from '../onnx/session-cache.js';
import type { CanonicalSae } from '../sae/canonical.js';
import { encodeDecode, saeWeights } from '../sae/sae-ops.js';
import { fromDense, fromTopK } from './sparse-acts.js';
import type { SparseActs } from './sparse-acts.js';

/** One run per batch of windows: the model to the SAE's hook and the SAE's encoder, as one graph. */
export interface IndexPass {
  run(ids: Int32Array, nWindows: number, contextLength: number): Promise<SparseActs>;
  provider: string;
  fallbackMessage?: string;
}

/**
 * The model forward to `hook` and the SAE encode in one ONNX graph, so activations never travel
 * to JavaScript and back. A TopK SAE returns its k latents per token (indices as int32); other
 * activations return the dense [n, dSae] array, made sparse here.
 */
export async function prepareIndexPass(model: TransformerWeights, sae: CanonicalSae, hook: string, options: SessionOptions = {}): Promise<IndexPass> {
  const g = buildForwardGraph(model, { hooks: [hook] });
  const x = g.op('Reshape', [g.value(hook), g.constInt64([-1, sae.dIn])]);
  const { acts } = encodeDecode(g, sae, saeWeights(g, sae), x);
  if (acts.kind === 'topk') {
    g.output(g.op('Cast', [acts.indices], { to: 6 }), 'latent_indices', 'int32');
    g.output(acts.values, 'latent_values', 'float32');
  } else {
    g.output(acts.acts, 'latent_acts', 'float32');
  }
  const session = await sessionCache.get(g, options);
  const k = sae.activation.kind === 'topk' ? sae.activation.k : 0;
  return {
    provider: session.provider,
    ...(session.fallbackMessage ? { fallbackMessage: session.fallbackMessage } : {}),
    async run(ids, nWindows, contextLength) {
      const data = BigInt64Array.from(ids, (v) => BigInt(v));
      const out = await session.run({ input_ids: { type: 'int64', dims: [nWindows, contextLength], data } });
      const n = nWindows * contextLength;
      if (k > 0) return fromTopK(out.latent_indices.data as Int32Array, out.latent_values.float32(), n, k);
      return fromDense(out.latent_acts.float32(), n, sae.dSae);
    },
  };
}
