import { FormatError } from '../formats/tensor.js';

export type ModelFamily = 'gpt2' | 'transformerlens';
export type ActFn = 'gelu' | 'gelu_new' | 'relu' | 'solu_ln';
/** 'LN' has learned w and b; 'LNPre' is LN with them folded into the next weights; null is no LN. */
export type Normalization = 'LN' | 'LNPre' | null;

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
}

const ACT_FNS: readonly ActFn[] = ['gelu', 'gelu_new', 'relu', 'solu_ln'];
// Hugging Face names the tanh approximation three ways; all are the same function.
const HF_ACT: Record<string, ActFn> = { gelu_new: 'gelu_new', gelu_pytorch_tanh: 'gelu_new', gelu_fast: 'gelu_new', gelu: 'gelu', relu: 'relu' };

type Json = Record<string, unknown>;

/** Reads a config.json in either naming: Hugging Face GPT-2 (`n_layer`, `n_embd`) or TransformerLens (`n_layers`, `d_model`). */
export function parseModelConfig(json: unknown, source: string): TransformerConfig {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new FormatError(source, 'expected a JSON object');
  const cfg = json as Json;
  if (cfg.n_layers !== undefined && cfg.d_model !== undefined) return parseTransformerLens(cfg, source);
  if (cfg.model_type === 'gpt2' || cfg.n_layer !== undefined) return parseGpt2(cfg, source);
  const type = typeof cfg.model_type === 'string' ? ` (model_type "${cfg.model_type}")` : '';
  throw new FormatError(source, `not a GPT-2 or TransformerLens config${type}: expected n_layer/n_embd or n_layers/d_model`);
}

function parseGpt2(cfg: Json, source: string): TransformerConfig {
  if (cfg.model_type !== undefined && cfg.model_type !== 'gpt2') {
    throw new FormatError(source, `model_type "${String(cfg.model_type)}" is not supported: expected gpt2`);
  }
  if (cfg.scale_attn_weights === false || cfg.scale_attn_by_inverse_layer_idx === true || cfg.reorder_and_upcast_attn === true) {
    throw new FormatError(source, 'non-standard attention scaling (scale_attn_weights, scale_attn_by_inverse_layer_idx, reorder_and_upcast_attn) is not supported');
  }
  const dModel = positiveInt(cfg, 'n_embd', source);
  const nHeads = positiveInt(cfg, 'n_head', source);
  if (dModel % nHeads !== 0) throw new FormatError(source, `n_embd ${dModel} is not a multiple of n_head ${nHeads}`);
  const act = String(cfg.activation_function ?? 'gelu_new');
  const actFn = HF_ACT[act];
  if (!actFn) throw new FormatError(source, `activation_function "${act}" is not supported: expected one of ${Object.keys(HF_ACT).join(', ')}`);
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
  const flags = ['parallel_attn_mlp', 'gated_mlp', 'final_rms', 'use_local_attn', 'post_embedding_ln', 'use_normalization_before_and_after', 'scale_attn_by_inverse_layer_idx'];
  for (const key of flags) {
    if (cfg[key] === true) throw new FormatError(source, `${key}: true is not supported`);
  }
  if (cfg.use_attn_scale === false) throw new FormatError(source, 'use_attn_scale: false is not supported');
  for (const key of ['num_experts', 'attn_scores_soft_cap', 'output_logits_soft_cap']) {
    if (typeof cfg[key] === 'number' && (cfg[key] as number) > 0) throw new FormatError(source, `${key}: ${String(cfg[key])} is not supported`);
  }
  const out = cfg.d_vocab_out;
  if (typeof out === 'number' && out > 0 && out !== cfg.d_vocab) throw new FormatError(source, `d_vocab_out ${out} differing from d_vocab is not supported`);
  if (cfg.n_key_value_heads != null && cfg.n_key_value_heads !== cfg.n_heads) {
    throw new FormatError(source, 'grouped-query attention (n_key_value_heads) is not supported');
  }
}

function positiveInt(cfg: Json, key: string, source: string): number {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new FormatError(source, `${key} must be a positive integer, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  }
  return v;
}

function positiveNumber(cfg: Json, key: string, source: string, fallback: number): number {
  const v = cfg[key];
  if (v == null) return fallback;
  if (typeof v !== 'number' || !(v > 0)) throw new FormatError(source, `${key} must be a positive number, got ${JSON.stringify(v)}`);
  return v;
}
