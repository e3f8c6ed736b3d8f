import { openCorpus } from '../corpus/index.js';
import { tokenWindows } from '../corpus/windows.js';
import type { WindowTokenizer } from '../corpus/windows.js';
import { prepareForward } from '../models/forward.js';
import type { TransformerWeights } from '../models/weights.js';
import type { SessionOptions } from '../onnx/ort.js';
import type { CanonicalSae } from './canonical.js';

/**
 * SAELens's expected_average_only_in scales inputs by √d_in / mean ‖x‖ (ActivationScaler). When the
 * file does not give that factor it is estimated here, always over the same corpus sample, so that
 * indexing, Prompt and eval of one SAE on one model use the same factor whatever corpus they read.
 */
export const SCALE_ESTIMATE = { corpus: 'brown', tokens: 4096, contextLength: 128, batchWindows: 8 } as const;

/** The SAE with its input scale estimated from the model's activations at `hook`, if it was pending; otherwise the SAE itself. */
export async function resolveInputScale(
  sae: CanonicalSae,
  model: TransformerWeights,
  tokenizer: WindowTokenizer,
  hook: string,
  options: SessionOptions = {},
): Promise<CanonicalSae> {
  if (sae.inputScaleFrom?.kind !== 'pending') return sae;
  const contextLength = Math.min(SCALE_ESTIMATE.contextLength, model.config.nCtx);
  const { mean, tokens } = await meanNorm(model, tokenizer, hook, contextLength, options);
  if (!(mean > 0))
    throw new Error(`${sae.source.path}: the mean norm of ${hook} over ${tokens} tokens is ${mean}; cannot estimate the input scale`);
  const scale = Math.sqrt(sae.dIn) / mean;
  const detail = `expected_average_only_in: × ${scale} = √${sae.dIn} / mean ‖x‖ (${mean}) over the first ${tokens} tokens of ${SCALE_ESTIMATE.corpus} at ${hook}, estimated because the files give no factor`;
  return { ...sae, inputScale: scale, inputScaleFrom: { kind: 'estimated', detail } };
}

/** Mean Euclidean norm of the hook's activations over the counted tokens of the estimate's windows. */
export async function meanNorm(
  model: TransformerWeights,
  tokenizer: WindowTokenizer,
  hook: string,
  contextLength: number,
  options: SessionOptions = {},
): Promise<{ mean: number; tokens: number }> {
  const forward = await prepareForward(model, { hooks: [hook] }, options);
  let sum = 0;
  let tokens = 0;
  let batch: { ids: Int32Array; counted: Uint8Array }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const data = new BigInt64Array(batch.length * contextLength);
    batch.forEach((w, b) => w.ids.forEach((id, t) => (data[b * contextLength + t] = BigInt(id))));
    const x = (await forward.run({ dims: [batch.length, contextLength], data })).outputs.get(hook)!;
    const width = x.data.length / (batch.length * contextLength);
    batch.forEach((w, b) => {
      for (let t = 0; t < contextLength; t++) {
        if (!w.counted[t]) continue;
        let sq = 0;
        const row = (b * contextLength + t) * width;
        for (let i = 0; i < width; i++) sq += x.data[row + i] ** 2;
        sum += Math.sqrt(sq);
        tokens++;
      }
    });
    batch = [];
  };
  for await (const w of tokenWindows(openCorpus(SCALE_ESTIMATE.corpus), tokenizer, { contextLength, maxTokens: SCALE_ESTIMATE.tokens })) {
    batch.push(w);
    if (batch.length === SCALE_ESTIMATE.batchWindows) await flush();
  }
  await flush();
  return { mean: sum / tokens, tokens };
}
