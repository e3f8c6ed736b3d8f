import { buildForwardGraph } from '../models/forward-graph.js';
import type { TransformerWeights } from '../models/weights.js';
import type { ValueRef } from '../onnx/graph.js';
import type { SessionOptions } from '../onnx/ort.js';
import { sessionCache } from '../onnx/session-cache.js';
import { reconstructedHook } from './canonical.js';
import type { CanonicalSae } from './canonical.js';
import { encodeDecode, saeWeights } from './sae-ops.js';
import { fromDense, fromTopK } from './sparse-acts.js';
import type { SparseActs } from './sparse-acts.js';

/** Per token, how far the SAE's reconstruction x̂ is from the hook's activation x (in x's own space, after any input normalisation is undone). */
export interface ReconstructionError {
  /** [nTokens] ‖x − x̂‖² */ errorSq: Float32Array;
  /** [nTokens] ‖x‖² */ inputSq: Float32Array;
}

/** The active latents, and with `reconstructionError` asked for, each token's reconstruction error. */
export type PassActs = SparseActs & { reconstruction?: ReconstructionError };

export interface PassOutputs {
  /** also output ‖x − x̂‖² and ‖x‖² per token (the Prompt view's reconstruction row); off for indexing */
  reconstructionError?: boolean;
}

/** One run per batch of windows: the model to the SAE's hook and the SAE's encoder, as one graph. */
export interface IndexPass {
  run(ids: Int32Array, nWindows: number, contextLength: number): Promise<PassActs>;
  provider: string;
  fallbackMessage?: string;
}

/** One run per batch of windows: every SAE's active latents on the same tokens. */
export interface EncodePass {
  run(ids: Int32Array, nWindows: number, contextLength: number): Promise<PassActs[]>;
  provider: string;
  fallbackMessage?: string;
}

/** prepareEncodePass for one SAE. */
export async function prepareIndexPass(
  model: TransformerWeights,
  sae: CanonicalSae,
  hook: string,
  options: SessionOptions = {},
  outputs: PassOutputs = {},
): Promise<IndexPass> {
  const pass = await prepareEncodePass(model, [sae], hook, options, outputs);
  return { ...pass, run: async (ids, nWindows, contextLength) => (await pass.run(ids, nWindows, contextLength))[0] };
}

/**
 * The model forward to `hook` once and each SAE's encoder on its output, as one ONNX graph, so
 * activations never travel to JavaScript and back and the model never runs twice. A TopK SAE
 * returns its k latents per token (indices as int32); other activations return the dense
 * [n, dSae] array, made sparse here.
 */
export async function prepareEncodePass(
  model: TransformerWeights,
  saes: readonly CanonicalSae[],
  hook: string,
  options: SessionOptions = {},
  outputs: PassOutputs = {},
): Promise<EncodePass> {
  const dIn = saes[0].dIn;
  if (saes.some((s) => s.dIn !== dIn)) throw new RangeError(`SAEs of widths ${saes.map((s) => s.dIn).join(', ')} cannot read one hook`);
  // A transcoder's output is measured against the hook it predicts, not the one it reads.
  const targets = outputs.reconstructionError ? saes.map((sae) => reconstructedHook(sae, hook)) : [];
  const g = buildForwardGraph(model, { hooks: [hook, ...targets] });
  const flat = (name: string) => g.op('Reshape', [g.value(name), g.constInt64([-1, dIn])]);
  const x = flat(hook);
  const lastAxis = g.constInt64([-1]);
  const sumSq = (v: ValueRef) => g.op('ReduceSum', [g.op('Mul', [v, v]), lastAxis], { keepdims: 0 });
  saes.forEach((sae, i) => {
    const { acts, reconstruction } = encodeDecode(g, sae, saeWeights(g, sae, `sae${i}`), x);
    if (outputs.reconstructionError) {
      const target = targets[i] === hook ? x : flat(targets[i]);
      g.output(sumSq(target), `target_sq_${i}`, 'float32');
      g.output(sumSq(g.op('Sub', [target, reconstruction])), `error_sq_${i}`, 'float32');
    }
    if (acts.kind === 'topk') {
      g.output(g.op('Cast', [acts.indices], { to: 6 }), `latent_indices_${i}`, 'int32');
      g.output(acts.values, `latent_values_${i}`, 'float32');
    } else {
      g.output(acts.acts, `latent_acts_${i}`, 'float32');
    }
  });
  const session = await sessionCache.get(g, options);
  return {
    provider: session.provider,
    ...(session.fallbackMessage ? { fallbackMessage: session.fallbackMessage } : {}),
    async run(ids, nWindows, contextLength) {
      const data = BigInt64Array.from(ids, (v) => BigInt(v));
      const out = await session.run({ input_ids: { type: 'int64', dims: [nWindows, contextLength], data } });
      const n = nWindows * contextLength;
      const acts = saes.map((sae, i): PassActs => {
        const sparse =
          sae.activation.kind === 'topk'
            ? fromTopK(out[`latent_indices_${i}`].data as Int32Array, out[`latent_values_${i}`].float32(), n, sae.activation.k)
            : fromDense(out[`latent_acts_${i}`].float32(), n, sae.dSae);
        if (!outputs.reconstructionError) return sparse;
        return {
          ...sparse,
          reconstruction: { errorSq: out[`error_sq_${i}`].float32().slice(), inputSq: out[`target_sq_${i}`].float32().slice() },
        };
      });
      for (const t of Object.values(out)) t.dispose();
      return acts;
    },
  };
}
