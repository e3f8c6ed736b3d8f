import type { TransformerConfig } from './config.js';

/** Points inside block `l`, in the order the forward pass reaches them (TransformerLens names). */
export const LAYER_POINTS = [
  'hook_resid_pre',
  'ln1.hook_normalized',
  'hook_attn_out',
  'hook_resid_mid',
  'ln2.hook_normalized',
  'mlp.hook_pre',
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

/** Whether a point exists in this model (LN hooks need LayerNorm; MLP hooks need an MLP; hook_mid is SoLU's). */
function hasPoint(config: TransformerConfig, point: LayerPoint | ModelPoint): boolean {
  if (point.includes('hook_normalized') && config.normalization === null) return false;
  if (config.attnOnly && (point.startsWith('mlp.') || point === 'hook_mlp_out' || point === 'ln2.hook_normalized' || point === 'hook_resid_mid')) return false;
  if (point === 'mlp.hook_mid') return config.actFn === 'solu_ln';
  return true;
}

/** Every hook of the model, in forward order. */
export function modelHooks(config: TransformerConfig): HookRef[] {
  const refs: HookRef[] = [{ point: 'hook_embed' }, { point: 'hook_pos_embed' }];
  for (let layer = 0; layer < config.nLayers; layer++) {
    for (const point of LAYER_POINTS) if (hasPoint(config, point)) refs.push({ layer, point });
  }
  if (hasPoint(config, 'ln_final.hook_normalized')) refs.push({ point: 'ln_final.hook_normalized' });
  return refs;
}

/** Looks hook names up among the model's hooks; an unknown name is an error that lists the valid ones. */
export function resolveHooks(config: TransformerConfig, names: readonly string[]): HookRef[] {
  const byName = new Map(modelHooks(config).map((ref) => [hookName(ref), ref]));
  return names.map((name) => {
    const ref = byName.get(name);
    if (!ref) throw new UnknownHookError(name, describeHooks(config));
    return ref;
  });
}

export class UnknownHookError extends Error {
  constructor(
    readonly hook: string,
    valid: string,
  ) {
    super(`unknown hook "${hook}" for this model: expected ${valid}`);
    this.name = 'UnknownHookError';
  }
}

/** The valid names in a form that stays short for deep models. */
export function describeHooks(config: TransformerConfig): string {
  const global = MODEL_POINTS.filter((p) => hasPoint(config, p));
  const points = LAYER_POINTS.filter((p) => hasPoint(config, p));
  const layers = config.nLayers === 1 ? '0' : `0..${config.nLayers - 1}`;
  return `one of ${global.join(', ')}, or blocks.L.P with L in ${layers} and P one of ${points.join(', ')}`;
}
