// TransformerLens hook names, plain TypeScript: models/ builds graphs with them, formats/ translates
// SAE libraries' own names into them, and the renderer may show them.

/** Points inside block `l`, in the order the forward pass reaches them (TransformerLens names). */
export const LAYER_POINTS = [
  'hook_resid_pre',
  'ln1.hook_normalized',
  'attn.hook_q',
  'attn.hook_k',
  'attn.hook_v',
  'attn.hook_pattern',
  'attn.hook_z',
  'hook_attn_out',
  'hook_resid_mid',
  'ln2.hook_normalized',
  'mlp.hook_pre',
  'mlp.hook_pre_linear',
  'mlp.hook_mid',
  'mlp.hook_post',
  'hook_mlp_out',
  'hook_resid_post',
] as const;
export type LayerPoint = (typeof LAYER_POINTS)[number];

export const MODEL_POINTS = ['hook_embed', 'hook_pos_embed', 'ln_final.hook_normalized'] as const;
export type ModelPoint = (typeof MODEL_POINTS)[number];

export type HookRef = { layer: number; point: LayerPoint } | { layer?: undefined; point: ModelPoint };

/** The one place hook names are spelled: `hookName({ layer: 3, point: 'hook_resid_post' })` is `blocks.3.hook_resid_post`. */
export function hookName(ref: HookRef): string {
  return ref.layer === undefined ? ref.point : `blocks.${ref.layer}.${ref.point}`;
}
