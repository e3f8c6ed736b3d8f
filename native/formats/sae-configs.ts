import { isJsonObject } from './strict-json.js';

/**
 * Where each SAE library's config keeps each setting, read in one place for both sides: discovery
 * (lenient: a bad value is left undefined and the item shows what it could read) and the loaders in
 * sae/formats (strict: a bad value is an error naming the file and the key). The `readInt` argument
 * is the mode: the loader passes a reader that throws, discovery one that returns undefined.
 */

type Config = Record<string, unknown>;

/** Reads a positive integer from a config value: undefined when absent (and, leniently, when bad). */
export type ReadInt = (key: string, value: unknown) => number | undefined;

/** Discovery's reader: a positive safe integer, else undefined. */
export const lenientInt: ReadInt = (_key, v) => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined);

/** A value and the key the file used for it, so an error names that key. */
export interface KeyedValue {
  key: string;
  value: unknown;
}

/** SAELens cfg.json settings as raw values, across its layouts. */
export interface SaeLensKeys {
  dIn: unknown;
  dSae: unknown;
  /** hook_name, or hook_point (before SAELens 1.0) */
  hookName: unknown;
  hookNameOut: unknown;
  modelName: unknown;
  /** hook_head_index or hook_point_head_index */
  headIndex: unknown;
  architecture: unknown;
  /** activation_fn_str, or activation_fn */
  activationFn: KeyedValue;
  /** k (v6), or activation_fn_kwargs.k (before) */
  k: KeyedValue | undefined;
  normalizeActivations: unknown;
}

/** SAELens cfg.json: flat before v6, v6 moves hook_name and model_name under "metadata"; older files say hook_point. */
export function saeLensKeys(cfg: Config): SaeLensKeys {
  const meta = isJsonObject(cfg.metadata) ? cfg.metadata : {};
  const pick = (...keys: string[]) => keys.map((k) => cfg[k] ?? meta[k]).find((v) => v !== undefined && v !== null);
  const fnKey = cfg.activation_fn_str !== undefined ? 'activation_fn_str' : 'activation_fn';
  const kwargs = isJsonObject(cfg.activation_fn_kwargs) ? cfg.activation_fn_kwargs : {};
  const k =
    cfg.k !== undefined && cfg.k !== null
      ? { key: 'k', value: cfg.k }
      : kwargs.k !== undefined
        ? { key: 'activation_fn_kwargs.k', value: kwargs.k }
        : undefined;
  return {
    dIn: cfg.d_in,
    dSae: cfg.d_sae,
    hookName: pick('hook_name', 'hook_point'),
    hookNameOut: pick('hook_name_out'),
    modelName: pick('model_name'),
    headIndex: pick('hook_head_index', 'hook_point_head_index'),
    architecture: cfg.architecture,
    activationFn: { key: fnKey, value: cfg[fnKey] },
    k,
    normalizeActivations: cfg.normalize_activations,
  };
}

/** SAELens before v6 wrote TopK SAEs as architecture "standard" with activation_fn_str "topk". */
export function saeLensArchitecture(architecture: string, activationFn: string): string {
  return architecture === 'standard' && activationFn === 'topk' ? 'topk' : architecture;
}

/** normalize_activations: booleans are the pre-v3 spelling (true = expected_average_only_in); absent is none. */
export function saeLensNormalization(raw: unknown): unknown {
  return raw === true ? 'expected_average_only_in' : raw === false || raw === null || raw === undefined ? 'none' : raw;
}

/** sparsify's defaults (sparsify/config.py SparseCoderConfig). */
export const SPARSIFY_DEFAULTS = { k: 32, expansionFactor: 32, activation: 'topk' } as const;

/** sparsify num_latents: 0 (the default) means d_in × expansion_factor. */
export function sparsifyLatents(cfg: Config, dIn: number, readInt: ReadInt): number {
  if (cfg.num_latents !== undefined && cfg.num_latents !== 0) {
    const n = readInt('num_latents', cfg.num_latents);
    if (n !== undefined) return n;
  }
  return dIn * (readInt('expansion_factor', cfg.expansion_factor) ?? SPARSIFY_DEFAULTS.expansionFactor);
}

/** sparsify k, with its default. */
export function sparsifyK(cfg: Config, readInt: ReadInt): number {
  return readInt('k', cfg.k) ?? SPARSIFY_DEFAULTS.k;
}

/** Llama Scope hyperparams.json defaults (lm_saes). */
export const LLAMA_SCOPE_DEFAULTS = { normActivation: 'dataset-wise', actFn: 'jumprelu' } as const;

/** Llama Scope dataset_average_activation_norm: keyed "in" / "out", or by hook name in newer files. */
export function llamaScopeAverageNorm(norms: Config, side: 'in' | 'out', hook: string | undefined): unknown {
  return norms[side] ?? (hook === undefined ? undefined : norms[hook]);
}
