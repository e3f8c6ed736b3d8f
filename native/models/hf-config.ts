import { FormatError } from '../formats/tensor.js';
import type { ActFn, LayerType, ModelFamily, TransformerConfig } from './config.js';
import { isJsonObject } from '../formats/strict-json.js';
import { optionalBool, optionalPositiveInt, optionalPositiveNumber, optionalTokenId, positiveInt, positiveNumber } from './config-keys.js';
import type { Json } from './config-keys.js';
import { parseRopeSpec, ropeTheta } from './rope.js';
import type { RopeSpec, RotaryConfig } from './rope.js';

/** Hugging Face model_type values read here (gpt2 has its own reader). */
export const HF_FAMILIES: readonly string[] = ['llama', 'mistral', 'qwen2', 'qwen3', 'gemma2', 'gemma3_text', 'gemma3', 'gpt_neox'];

const HF_ACT: Record<string, ActFn> = {
  silu: 'silu',
  swish: 'silu',
  gelu_pytorch_tanh: 'gelu_new',
  gelu_new: 'gelu_new',
  gelu_fast: 'gelu_new',
  gelu: 'gelu',
  relu: 'relu',
};
const LAYER_TYPES: Record<string, LayerType> = { full_attention: 'full', sliding_attention: 'sliding' };

/**
 * A Hugging Face config.json of Llama, Mistral, Qwen 2/3, Gemma 2/3 or GPT-NeoX, in the transformers
 * 4.x spelling (rope_theta, rope_scaling, rotary_pct, rope_local_base_freq, torch_dtype) or the 5.x one
 * (rope_parameters, per layer type for Gemma 3; dtype). Multimodal Gemma 3 configs are read through
 * their text_config. Keys that would change the arithmetic in ways these graphs do not implement are
 * refused by name.
 */
export function parseHfFamilyConfig(outer: Json, source: string): TransformerConfig {
  const cfg =
    outer.model_type === 'gemma3' && isJsonObject(outer.text_config) ? { ...outer.text_config, model_type: 'gemma3_text' } : outer;
  const type = String(cfg.model_type);
  const family: ModelFamily = type === 'gemma3_text' || type === 'gemma3' ? 'gemma3' : (type as ModelFamily);
  refuseUnsupported(cfg, outer, source);
  const dModel = positiveInt(cfg, 'hidden_size', source);
  const nHeads = positiveInt(cfg, 'num_attention_heads', source);
  const nKvHeads = optionalPositiveInt(cfg, 'num_key_value_heads', source) ?? nHeads;
  if (nHeads % nKvHeads !== 0)
    throw new FormatError(source, `num_attention_heads ${nHeads} is not a multiple of num_key_value_heads ${nKvHeads}`);
  const dHead = optionalPositiveInt(cfg, 'head_dim', source) ?? dModel / nHeads;
  if (!Number.isInteger(dHead))
    throw new FormatError(source, `hidden_size ${dModel} is not a multiple of num_attention_heads ${nHeads}, and head_dim is not given`);
  const nLayers = positiveInt(cfg, 'num_hidden_layers', source);
  const gemma = family === 'gemma2' || family === 'gemma3';
  const neox = family === 'gpt_neox';
  const config: TransformerConfig = {
    family,
    nLayers,
    dModel,
    nHeads,
    dHead,
    dMlp: positiveInt(cfg, 'intermediate_size', source),
    dVocab: positiveInt(cfg, 'vocab_size', source),
    nCtx: positiveInt(cfg, 'max_position_embeddings', source),
    actFn: activation(cfg, source, gemma),
    normalization: neox ? 'LN' : 'RMS',
    lnEps: positiveNumber(cfg, neox ? 'layer_norm_eps' : 'rms_norm_eps', source, neox ? 1e-5 : 1e-6),
    attnOnly: false,
    nKvHeads,
    rotary: rotary(cfg, source, family, dHead),
    gatedMlp: !neox,
    ...(neox && optionalBool(cfg, 'use_parallel_residual', source, true) ? { parallelAttnMlp: true } : {}),
    ...(family === 'qwen3' || family === 'gemma3' ? { qkNorm: true } : {}),
    ...(gemma ? { postNorms: true, embedScale: Math.fround(Math.sqrt(dModel)) } : {}),
    ...slidingWindow(cfg, source, family, nLayers),
    // transformers' default is true; GPT-NeoX's own default is false.
    tiedEmbeddings: optionalBool(
      cfg,
      'tie_word_embeddings',
      source,
      optionalBool(outer, 'tie_word_embeddings', source, family !== 'gpt_neox'),
    ),
  };
  if (gemma) {
    const scalar = optionalPositiveNumber(cfg, 'query_pre_attn_scalar', source) ?? dHead;
    config.attnScale = 1 / Math.sqrt(scalar);
    const attnCap = optionalPositiveNumber(cfg, 'attn_logit_softcapping', source);
    const finalCap = optionalPositiveNumber(cfg, 'final_logit_softcapping', source);
    if (attnCap !== undefined) config.attnSoftcap = attnCap;
    if (finalCap !== undefined) config.finalSoftcap = finalCap;
  }
  const dtype = cfg.torch_dtype ?? cfg.dtype ?? outer.torch_dtype ?? outer.dtype;
  if (typeof dtype === 'string') config.dtype = dtype;
  const bos = optionalTokenId(cfg, 'bos_token_id') ?? optionalTokenId(outer, 'bos_token_id');
  const eos = optionalTokenId(cfg, 'eos_token_id') ?? optionalTokenId(outer, 'eos_token_id');
  if (bos !== undefined) config.bosTokenId = bos;
  if (eos !== undefined) config.eosTokenId = eos;
  return config;
}

function activation(cfg: Json, source: string, gemma: boolean): ActFn {
  // Gemma 2 and 3 name it hidden_activation; their hidden_act, where present, is a leftover.
  const key = gemma && cfg.hidden_activation != null ? 'hidden_activation' : 'hidden_act';
  const name = String(cfg[key] ?? (gemma ? 'gelu_pytorch_tanh' : 'silu'));
  const act = HF_ACT[name];
  if (!act) throw new FormatError(source, `${key} "${name}" is not supported: expected one of ${Object.keys(HF_ACT).join(', ')}`);
  return act;
}

function refuseUnsupported(cfg: Json, outer: Json, source: string): void {
  if (outer.quantization_config != null || cfg.quantization_config != null) {
    throw new FormatError(source, 'quantization_config: quantized checkpoints are not supported (use the float weights)');
  }
  if (cfg.use_bidirectional_attention === true)
    throw new FormatError(source, 'use_bidirectional_attention: true is not supported (causal language models only)');
  for (const key of ['num_local_experts', 'num_experts', 'moe_intermediate_size']) {
    if (cfg[key] != null && cfg[key] !== 0) throw new FormatError(source, `${key}: mixture-of-experts models are not supported`);
  }
}

/**
 * The rotary embedding: 4.x spells the base rope_theta (rotary_emb_base for GPT-NeoX) and its
 * scaling rope_scaling, Gemma 3's local base rope_local_base_freq; 5.x puts them in rope_parameters,
 * per layer type for Gemma 3. GPT-NeoX rotates only rotary_pct (partial_rotary_factor) of each head.
 */
function rotary(cfg: Json, source: string, family: ModelFamily, dHead: number): RotaryConfig {
  const params = isJsonObject(cfg.rope_parameters) ? cfg.rope_parameters : undefined;
  const perType = params && (isJsonObject(params.full_attention) || isJsonObject(params.sliding_attention));
  const baseTheta = positiveNumber(cfg, family === 'gpt_neox' && cfg.rope_theta == null ? 'rotary_emb_base' : 'rope_theta', source, 10000);
  const spec = (dict: Json | undefined, key: string, fallbackTheta: number, legacyScaling: unknown): RopeSpec =>
    parseRopeSpec(ropeTheta(dict, fallbackTheta, source), dict ?? legacyScaling, key, source);
  let global: RopeSpec;
  let local: RopeSpec | undefined;
  if (perType) {
    const full = params.full_attention;
    const sliding = params.sliding_attention;
    global = spec(isJsonObject(full) ? full : undefined, 'rope_parameters.full_attention', baseTheta, null);
    if (isJsonObject(sliding)) local = spec(sliding, 'rope_parameters.sliding_attention', baseTheta, null);
  } else {
    global = spec(params, params ? 'rope_parameters' : 'rope_scaling', baseTheta, cfg.rope_scaling);
    if (family === 'gemma3') local = { theta: positiveNumber(cfg, 'rope_local_base_freq', source, 10000) };
  }
  const factor = partialFactor(cfg, params, source, family);
  const dim = Math.floor(dHead * factor);
  if (dim < 2 || dim % 2 !== 0)
    throw new FormatError(source, `the rotary dimension ${dim} (head_dim ${dHead} × ${factor}) must be even and at least 2`);
  return { dim, global, ...(local ? { local } : {}) };
}

function partialFactor(cfg: Json, params: Json | undefined, source: string, family: ModelFamily): number {
  const key = family === 'gpt_neox' && cfg.rotary_pct != null ? 'rotary_pct' : 'partial_rotary_factor';
  const holder = params && params.partial_rotary_factor != null ? params : cfg;
  const v = positiveNumber(holder, key, source, 1);
  if (v > 1) throw new FormatError(source, `${key} must be in (0, 1], got ${v}`);
  return v;
}

/**
 * Which layers attend through a sliding window: layer_types when the config lists them (5.x), else
 * each family's rule: Mistral slides everywhere, Qwen 2 from max_window_layers on when
 * use_sliding_window is set, Gemma 2 on even layers, Gemma 3 except every sliding_window_pattern-th.
 */
function slidingWindow(
  cfg: Json,
  source: string,
  family: ModelFamily,
  nLayers: number,
): Pick<TransformerConfig, 'layerTypes' | 'slidingWindow'> {
  const window = optionalPositiveInt(cfg, 'sliding_window', source);
  let types: LayerType[] | undefined;
  if (Array.isArray(cfg.layer_types)) {
    if (cfg.layer_types.length !== nLayers)
      throw new FormatError(source, `layer_types lists ${cfg.layer_types.length} layers, num_hidden_layers is ${nLayers}`);
    types = cfg.layer_types.map((t, i) => {
      const type = LAYER_TYPES[String(t)];
      if (!type)
        throw new FormatError(
          source,
          `layer_types[${i}] ${JSON.stringify(t)} is not supported: expected full_attention or sliding_attention`,
        );
      return type;
    });
    if (family === 'qwen2' && cfg.use_sliding_window !== true) types = types.map(() => 'full');
  } else if (window !== undefined) {
    const every = (f: (l: number) => boolean) => Array.from({ length: nLayers }, (_, l): LayerType => (f(l) ? 'sliding' : 'full'));
    if (family === 'mistral') types = every(() => true);
    else if (family === 'qwen2' && cfg.use_sliding_window === true)
      types = every((l) => l >= (optionalPositiveInt(cfg, 'max_window_layers', source) ?? 0));
    else if (family === 'gemma2') types = every((l) => l % 2 === 0);
    else if (family === 'gemma3') {
      const pattern =
        optionalPositiveInt(cfg, 'sliding_window_pattern', source) ?? optionalPositiveInt(cfg, '_sliding_window_pattern', source) ?? 6;
      types = every((l) => (l + 1) % pattern !== 0);
    }
  }
  if (!types || types.every((t) => t === 'full')) return {};
  if (window === undefined) throw new FormatError(source, 'layer_types has sliding_attention layers but sliding_window is not set');
  return { layerTypes: types, slidingWindow: window };
}
