import { FormatError } from '../formats/tensor.js';
import type { TransformerConfig } from './config.js';
import { take, takeStacked } from './weights.js';
import type {
  AttentionWeights,
  Linear,
  LayerWeights,
  MlpWeights,
  NormWeights,
  StateDict,
  TransformerWeights,
  UnembedWeights,
} from './weights.js';

/** Where the decoder's tensors live: causal-LM checkpoints, bare models, Gemma 3's multimodal layouts. */
const PREFIXES = ['model.', '', 'model.language_model.', 'language_model.model.'];

/**
 * A Hugging Face Llama, Mistral, Qwen 2/3 or Gemma 2/3 state dict (model.layers.N.self_attn.q_proj …).
 * Linear weights stay [out, in] as torch stores them (the graph reads them transposed in place);
 * q, k and v are stacked into one projection, decoded straight into place. Gemma's RMSNorms scale
 * by 1 + w: the 1 is added here, so every RMSNorm in the graph is the same op.
 */
export function loadHfDecoderWeights(dict: StateDict, config: TransformerConfig, tied: boolean): TransformerWeights {
  const prefix = PREFIXES.find((p) => dict.has(`${p}embed_tokens.weight`));
  if (prefix === undefined) throw new FormatError(dict.source, `not a ${config.family} state dict: no "model.embed_tokens.weight"`);
  const { dModel, dVocab, nLayers, dMlp } = config;
  const gemma = config.family === 'gemma2' || config.family === 'gemma3';
  const normOf = (name: string, d = dModel): NormWeights => {
    const w = take(dict, name, [d]);
    if (gemma) for (let i = 0; i < d; i++) w.data[i] = Math.fround(1 + w.data[i]);
    return { w };
  };
  const layers: LayerWeights[] = [];
  for (let l = 0; l < nLayers; l++) {
    const p = `${prefix}layers.${l}`;
    layers.push({
      ln1: normOf(`${p}.input_layernorm.weight`),
      attn: attentionWeights(dict, `${p}.self_attn`, config, normOf),
      ...(gemma
        ? {
            ln1Post: normOf(`${p}.post_attention_layernorm.weight`),
            ln2: normOf(`${p}.pre_feedforward_layernorm.weight`),
            ln2Post: normOf(`${p}.post_feedforward_layernorm.weight`),
          }
        : { ln2: normOf(`${p}.post_attention_layernorm.weight`) }),
      mlp: gatedMlp(dict, `${p}.mlp`, dModel, dMlp),
    });
  }
  const wE = take(dict, `${prefix}embed_tokens.weight`, [dVocab, dModel]);
  return { config, wE, layers, lnFinal: normOf(`${prefix}norm.weight`), unembed: unembedding(dict, wE, tied, config, ['lm_head.weight']) };
}

function attentionWeights(
  dict: StateDict,
  p: string,
  config: TransformerConfig,
  normOf: (name: string, d?: number) => NormWeights,
): AttentionWeights {
  const { dModel, nHeads, dHead } = config;
  const nKv = config.nKvHeads ?? nHeads;
  const rows = [nHeads * dHead, nKv * dHead, nKv * dHead];
  const names = ['q_proj', 'k_proj', 'v_proj'];
  const w = takeStacked(
    dict,
    names.map((n, i) => ({ name: `${p}.${n}.weight`, shape: [rows[i], dModel] })),
  );
  const hasBias = names.map((n) => dict.has(`${p}.${n}.bias`));
  if (hasBias.some((b) => b !== hasBias[0]))
    throw new FormatError(dict.source, `${p}: q, k and v projections must all have biases or none`);
  const b = hasBias[0]
    ? takeStacked(
        dict,
        names.map((n, i) => ({ name: `${p}.${n}.bias`, shape: [rows[i]] })),
      )
    : undefined;
  const o: Linear = {
    w: take(dict, `${p}.o_proj.weight`, [dModel, nHeads * dHead]),
    layout: 'outIn',
    ...optionalBias(dict, `${p}.o_proj.bias`, dModel),
  };
  const attn: AttentionWeights = { qkv: { w, layout: 'outIn', ...(b ? { b } : {}) }, o };
  if (config.qkNorm) {
    attn.qNorm = normOf(`${p}.q_norm.weight`, dHead);
    attn.kNorm = normOf(`${p}.k_norm.weight`, dHead);
  }
  return attn;
}

function gatedMlp(dict: StateDict, p: string, dModel: number, dMlp: number): MlpWeights {
  const proj = (name: string, shape: [number, number]): Linear => ({
    w: take(dict, `${p}.${name}.weight`, shape),
    layout: 'outIn',
    ...optionalBias(dict, `${p}.${name}.bias`, shape[0]),
  });
  return { gate: proj('gate_proj', [dMlp, dModel]), in: proj('up_proj', [dMlp, dModel]), out: proj('down_proj', [dModel, dMlp]) };
}

export function optionalBias(dict: StateDict, name: string, size: number): { b?: ReturnType<typeof take> } {
  return dict.has(name) ? { b: take(dict, name, [size]) } : {};
}

/** Tied: the embedding itself. Untied: the checkpoint's output matrix [dVocab, dModel], under the first name it holds. */
export function unembedding(
  dict: StateDict,
  wE: TransformerWeights['wE'],
  tied: boolean,
  config: TransformerConfig,
  names: readonly string[],
): UnembedWeights {
  if (tied) return { w: wE, layout: 'vocabByDModel' };
  const name = names.find((n) => dict.has(n));
  if (!name)
    throw new FormatError(dict.source, `missing tensor "${names[0]}": tie_word_embeddings is false, so the unembedding must be stored`);
  return { w: take(dict, name, [config.dVocab, config.dModel]), layout: 'vocabByDModel' };
}
