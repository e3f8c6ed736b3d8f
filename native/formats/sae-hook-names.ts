/**
 * Each SAE library names the activation it reads in its own way; these translate them to
 * TransformerLens hook names, in one place. Each returns undefined for a name it does not know,
 * rather than guess.
 */

import { hookName } from '../api/hook-names.js';
import type { LayerPoint } from '../api/hook-names.js';

function block(layer: string, point: LayerPoint): string {
  return hookName({ layer: Number(layer), point });
}

/** A library's names for points, looked up by a string it wrote: a name not in the table is undefined. */
function points(table: Record<string, LayerPoint>): Readonly<Record<string, LayerPoint | undefined>> {
  return table;
}

/**
 * EleutherAI sparsify names a Hugging Face module ("layers.6", "gpt_neox.layers.6.mlp", "h.3.attn")
 * and reads its output: a layer's output is the residual stream after it.
 */
export function sparsifyHookName(hookpoint: string): string | undefined {
  const m = /^(?:[\w.]*\.)?(?:layers|h)\.(\d+)(?:\.(mlp|attn|self_attn|attention))?$/.exec(hookpoint);
  if (!m) return undefined;
  if (m[2] === undefined) return block(m[1], 'hook_resid_post');
  return block(m[1], m[2] === 'mlp' ? 'hook_mlp_out' : 'hook_attn_out');
}

/**
 * A sparsify transcoder (transcode: true) reads a module's input and predicts its output: for an MLP
 * ("layers.6.mlp") that is the normalised residual the MLP reads and the MLP's output.
 */
export function sparsifyTranscoderHooks(hookpoint: string): { input: string; output: string } | undefined {
  const m = /^(?:[\w.]*\.)?(?:layers|h)\.(\d+)\.mlp$/.exec(hookpoint);
  if (!m) return undefined;
  return { input: block(m[1], 'ln2.hook_normalized'), output: block(m[1], 'hook_mlp_out') };
}

/** dictionary_learning names a submodule: "resid_post_layer_3", "resid_out_layer3", "mlp_out_layer_3", "attn_out_layer_3", "embed". */
export function dictionaryLearningHookName(submodule: string): string | undefined {
  if (submodule === 'embed') return hookName({ point: 'hook_embed' });
  const m = /(resid_post|resid_out|mlp_out|attn_out)_layer_?(\d+)/.exec(submodule);
  if (!m) return undefined;
  const hook = points({ resid_post: 'hook_resid_post', resid_out: 'hook_resid_post', mlp_out: 'hook_mlp_out', attn_out: 'hook_attn_out' })[
    m[1]
  ];
  return hook === undefined ? undefined : block(m[2], hook);
}

/**
 * openai/sparse_autoencoder publishes GPT-2 SAEs per "location" and layer, e.g. resid_post_mlp_v5_32k/6.pt:
 * resid_post_mlp is the residual stream after block 6, resid_delta_mlp the MLP's output.
 */
export function openaiHookName(path: string): string | undefined {
  const location = /(resid_post_mlp|resid_post_attn|resid_delta_mlp|resid_delta_attn)/.exec(path)?.[1];
  const layer = /(?:^|\/)(?:layer_?)?(\d+)\.pth?$/.exec(path)?.[1];
  if (location === undefined || layer === undefined) return undefined;
  const hook = points({
    resid_post_mlp: 'hook_resid_post',
    resid_post_attn: 'hook_resid_mid',
    resid_delta_mlp: 'hook_mlp_out',
    resid_delta_attn: 'hook_attn_out',
  })[location];
  return hook === undefined ? undefined : block(layer, hook);
}

/**
 * Gemma Scope repos end in the site (gemma-scope-2b-pt-res, -mlp, -att, -transcoders) and hold
 * layer_N/width_W/average_l0_M/params.npz. Transcoders read the MLP's input and predict its output.
 */
export function gemmaScopeHooks(path: string): { input: string; output?: string } | undefined {
  const site = /gemma-scope-[\w.-]*?-(res|mlp|att|transcoders)(?:-canonical)?(?:\/|$)/.exec(path)?.[1];
  const layer = /(?:^|\/)layer_(\d+)(?:\/|$)/.exec(path)?.[1];
  if (site === undefined || layer === undefined) return undefined;
  if (site === 'transcoders') return { input: block(layer, 'ln2.hook_normalized'), output: block(layer, 'hook_mlp_out') };
  const hook = points({ res: 'hook_resid_post', mlp: 'hook_mlp_out', att: 'attn.hook_z' })[site];
  return hook === undefined ? undefined : { input: block(layer, hook) };
}
