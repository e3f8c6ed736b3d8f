import { FormatError } from '../formats/tensor.js';
import { positiveInt, positiveNumber } from './config-keys.js';
import type { Json } from './config-keys.js';
import { HF_FAMILIES, parseHfFamilyConfig } from './hf-config.js';
import type { RotaryConfig } from './rope.js';

export type ModelFamily = 'gpt2' | 'transformerlens' | 'llama' | 'mistral' | 'qwen2' | 'qwen3' | 'gemma2' | 'gemma3' | 'gpt_neox';
export type ActFn = 'gelu' | 'gelu_new' | 'relu' | 'solu_ln' | 'silu';
/** 'LN' has learned w and b; 'LNPre' is LN with them folded into the next weights; 'RMS' is RMSNorm; null is no norm. */
export type Normalization = 'LN' | 'LNPre' | 'RMS' | null;
/** Hugging Face's layer_types: 'sliding' layers attend to the last `slidingWindow` positions only. */
export type LayerType = 'full' | 'sliding';

/** One transformer's shape, whichever naming its config.json uses. */
export interface TransformerConfig {
  family: ModelFamily;
  nLayers: number;
  dModel: number;
  nHeads: number;
  dHead: number;
  /** 0 for attention-only models */
  dMlp: number;
  dVocab: number;
  nCtx: number;
  actFn: ActFn;
  normalization: Normalization;
  lnEps: number;
  attnOnly: boolean;
  // What the families beyond GPT-2 add; absent means GPT-2's behaviour.
  /** grouped-query attention: key/value heads, each shared by nHeads / nKvHeads query heads */
  nKvHeads?: number;
  /** rotary position embeddings (then there is no learned position table) */
  rotary?: RotaryConfig;
  /** per layer; absent: every layer attends to all earlier positions */
  layerTypes?: LayerType[];
  slidingWindow?: number;
  /** out(act(gate(x)) · in(x)) (SwiGLU, GeGLU) */
  gatedMlp?: boolean;
  /** attention and MLP both read the block's input (GPT-NeoX / Pythia): there is no hook_resid_mid */
  parallelAttnMlp?: boolean;
  /** RMSNorm of each head's queries and keys before the rotary embedding (Qwen 3, Gemma 3) */
  qkNorm?: boolean;
  /** Gemma's sandwich norms: attention and MLP outputs are normalised before they join the residual stream */
  postNorms?: boolean;
  /** the embedding is multiplied by this (Gemma: √dModel) */
  embedScale?: number;
  /** the factor on q·k (default 1/√dHead; Gemma: query_pre_attn_scalar^-½) */
  attnScale?: number;
  /** attention scores become c·tanh(s / c) (Gemma 2) */
  attnSoftcap?: number;
  /** logits become c·tanh(l / c) (Gemma 2) */
  finalSoftcap?: number;
  /** the unembedding is the embedding matrix (tie_word_embeddings) */
  tiedEmbeddings?: boolean;
  /** the weights' storage dtype on disk, for display */
  dtype?: string;
  /** ids config.json names, for tokenizers that do not say */
  bosTokenId?: number;
  eosTokenId?: number;
}

const ACT_FNS: readonly ActFn[] = ['gelu', 'gelu_new', 'relu', 'solu_ln'];
// Hugging Face names the tanh approximation three ways; all are the same function.
const HF_ACT: Record<string, ActFn> = {
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new',
  gelu_fast: 'gelu_new',
  gelu: 'gelu',
  relu: 'relu',
};

/** Reads a config.json in either naming: Hugging Face GPT-2 (`n_layer`, `n_embd`) or TransformerLens (`n_layers`, `d_model`). */
export function parseModelConfig(json: unknown, source: string): TransformerConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new FormatError(source, 'expected a JSON object');
  const cfg = json as Json;
  if (cfg.n_layers !== undefined && cfg.d_model !== undefined) return parseTransformerLens(cfg, source);
  if (cfg.model_type === 'gpt2' || (cfg.model_type === undefined && cfg.n_layer !== undefined)) return parseGpt2(cfg, source);
  if (typeof cfg.model_type === 'string' && HF_FAMILIES.includes(cfg.model_type)) return parseHfFamilyConfig(cfg, source);
  const type =
    typeof cfg.model_type === 'string'
      ? `model_type "${cfg.model_type}"${architectures(cfg)} is not supported`
      : 'no model_type, and not a GPT-2 or TransformerLens config';
  throw new FormatError(source, `${type}: expected one of gpt2, ${HF_FAMILIES.join(', ')}, or a TransformerLens config (n_layers/d_model)`);
}

function architectures(cfg: Json): string {
  return Array.isArray(cfg.architectures) && cfg.architectures.length > 0 ? ` (${cfg.architectures.map(String).join(', ')})` : '';
}

function parseGpt2(cfg: Json, source: string): TransformerConfig {
  if (cfg.model_type !== undefined && cfg.model_type !== 'gpt2') {
    throw new FormatError(source, `model_type "${String(cfg.model_type)}" is not supported: expected gpt2`);
  }
  if (cfg.scale_attn_weights === false || cfg.scale_attn_by_inverse_layer_idx === true || cfg.reorder_and_upcast_attn === true) {
    throw new FormatError(
      source,
      'non-standard attention scaling (scale_attn_weights, scale_attn_by_inverse_layer_idx, reorder_and_upcast_attn) is not supported',
    );
  }
  const dModel = positiveInt(cfg, 'n_embd', source);
  const nHeads = positiveInt(cfg, 'n_head', source);
  if (dModel % nHeads !== 0) throw new FormatError(source, `n_embd ${dModel} is not a multiple of n_head ${nHeads}`);
  const act = String(cfg.activation_function ?? 'gelu_new');
  const actFn = HF_ACT[act];
  if (!actFn)
    throw new FormatError(source, `activation_function "${act}" is not supported: expected one of ${Object.keys(HF_ACT).join(', ')}`);
  return {
    family: 'gpt2',
    nLayers: positiveInt(cfg, 'n_layer', source),
    dModel,
    nHeads,
    dHead: dModel / nHeads,
    dMlp: cfg.n_inner == null ? 4 * dModel : positiveInt(cfg, 'n_inner', source),
    dVocab: positiveInt(cfg, 'vocab_size', source),
    nCtx: positiveInt(cfg, cfg.n_positions !== undefined ? 'n_positions' : 'n_ctx', source),
    actFn,
    normalization: 'LN',
    lnEps: positiveNumber(cfg, 'layer_norm_epsilon', source, 1e-5),
    attnOnly: false,
  };
}

function parseTransformerLens(cfg: Json, source: string): TransformerConfig {
  refuseUnsupported(cfg, source);
  const dModel = positiveInt(cfg, 'd_model', source);
  const nHeads = positiveInt(cfg, 'n_heads', source);
  const attnOnly = cfg.attn_only === true;
  const act = String(cfg.act_fn ?? 'gelu');
  if (!attnOnly && !(ACT_FNS as readonly string[]).includes(act)) {
    throw new FormatError(source, `act_fn "${act}" is not supported: expected one of ${ACT_FNS.join(', ')}`);
  }
  const norm = cfg.normalization_type === undefined ? 'LN' : cfg.normalization_type;
  if (norm !== 'LN' && norm !== 'LNPre' && norm !== null) {
    throw new FormatError(source, `normalization_type ${JSON.stringify(norm)} is not supported: expected "LN", "LNPre" or null`);
  }
  return {
    family: 'transformerlens',
    nLayers: positiveInt(cfg, 'n_layers', source),
    dModel,
    nHeads,
    dHead: cfg.d_head == null ? dModel / nHeads : positiveInt(cfg, 'd_head', source),
    dMlp: attnOnly ? 0 : cfg.d_mlp == null ? 4 * dModel : positiveInt(cfg, 'd_mlp', source),
    dVocab: positiveInt(cfg, 'd_vocab', source),
    nCtx: positiveInt(cfg, 'n_ctx', source),
    actFn: attnOnly ? 'relu' : (act as ActFn),
    normalization: norm,
    lnEps: positiveNumber(cfg, 'eps', source, 1e-5),
    attnOnly,
  };
}

/** TransformerLens options that change the arithmetic in ways these graphs do not implement. */
function refuseUnsupported(cfg: Json, source: string): void {
  const pos = cfg.positional_embedding_type ?? 'standard';
  if (pos !== 'standard') throw new FormatError(source, `positional_embedding_type "${String(pos)}" is not supported: expected "standard"`);
  const flags = [
    'parallel_attn_mlp',
    'gated_mlp',
    'final_rms',
    'use_local_attn',
    'post_embedding_ln',
    'use_normalization_before_and_after',
    'scale_attn_by_inverse_layer_idx',
  ];
  for (const key of flags) {
    if (cfg[key] === true) throw new FormatError(source, `${key}: true is not supported`);
  }
  if (cfg.use_attn_scale === false) throw new FormatError(source, 'use_attn_scale: false is not supported');
  for (const key of ['num_experts', 'attn_scores_soft_cap', 'output_logits_soft_cap']) {
    if (typeof cfg[key] === 'number' && (cfg[key] as number) > 0)
      throw new FormatError(source, `${key}: ${String(cfg[key])} is not supported`);
  }
  const out = cfg.d_vocab_out;
  if (typeof out === 'number' && out > 0 && out !== cfg.d_vocab)
    throw new FormatError(source, `d_vocab_out ${out} differing from d_vocab is not supported`);
  if (cfg.n_key_value_heads != null && cfg.n_key_value_heads !== cfg.n_heads) {
    throw new FormatError(source, 'grouped-query attention (n_key_value_heads) is not supported');
  }
}
