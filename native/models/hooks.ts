import type { TransformerConfig } from './config.js';

// The points and the name builder live in the contract floor, so SAE-format readers (native/formats)
// spell hook names with the same builder; this module adds what needs a model config.
import { LAYER_POINTS, MODEL_POINTS, hookName } from '../api/hook-names.js';
import type { HookRef, LayerPoint, ModelPoint } from '../api/hook-names.js';

export { LAYER_POINTS, MODEL_POINTS, hookName };
export type { HookRef, LayerPoint, ModelPoint };

/**
 * Whether a point exists in this model: LN hooks need a norm, MLP hooks an MLP, hook_mid is SoLU's,
 * hook_pre_linear a gated MLP's; rotary models have no hook_pos_embed, parallel blocks no hook_resid_mid.
 */
function hasPoint(config: TransformerConfig, point: LayerPoint | ModelPoint): boolean {
  if (point.includes('hook_normalized') && config.normalization === null) return false;
  if (
    config.attnOnly &&
    (point.startsWith('mlp.') || point === 'hook_mlp_out' || point === 'ln2.hook_normalized' || point === 'hook_resid_mid')
  )
    return false;
  if (point === 'mlp.hook_mid') return config.actFn === 'solu_ln';
  if (point === 'mlp.hook_pre_linear') return config.gatedMlp === true;
  if (point === 'hook_pos_embed') return config.rotary === undefined;
  if (point === 'hook_resid_mid') return config.parallelAttnMlp !== true;
  return true;
}

/**
 * A hook's dimensions after [batch, seq]: attention's per-head points are [heads, dHead] (keys and
 * values have nKvHeads heads), the MLP's hidden points dMlp, the rest dModel. hook_pattern is not per
 * token: it is [batch, head, query, key], so it has no entry here.
 */
export function hookDims(config: TransformerConfig, point: LayerPoint | ModelPoint): number[] {
  if (point === 'attn.hook_q' || point === 'attn.hook_z') return [config.nHeads, config.dHead];
  if (point === 'attn.hook_k' || point === 'attn.hook_v') return [config.nKvHeads ?? config.nHeads, config.dHead];
  if (point === 'mlp.hook_pre' || point === 'mlp.hook_pre_linear' || point === 'mlp.hook_mid' || point === 'mlp.hook_post')
    return [config.dMlp];
  return [config.dModel];
}

/** Values per token at a hook, as an SAE reading it sees them (per-head points flattened, as SAELens does). */
export function hookWidth(config: TransformerConfig, hook: string): number {
  const [ref] = resolveHooks(config, [hook]);
  if (ref.point === 'attn.hook_pattern') throw new UnknownHookError(hook, 'a per-token hook: hook_pattern is [batch, head, query, key]');
  return hookDims(config, ref.point).reduce((a, b) => a * b, 1);
}

/** Every hook of the model, in forward order. */
export function modelHooks(config: TransformerConfig): HookRef[] {
  const refs: HookRef[] = (['hook_embed', 'hook_pos_embed'] as const)
    .filter((point) => hasPoint(config, point))
    .map((point) => ({ point }));
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

/**
 * The inverse of hookName, for names read from files without a model at hand (an SAE's hook_name):
 * the block and point a TransformerLens name spells, or null when it spells none.
 */
export function parseHookName(name: string): HookRef | null {
  const global = MODEL_POINTS.find((p) => p === name);
  if (global !== undefined) return { point: global };
  const m = /^blocks\.(0|[1-9]\d*)\.(.+)$/.exec(name);
  const point = m ? LAYER_POINTS.find((p) => p === m[2]) : undefined;
  return m && point !== undefined ? { layer: Number(m[1]), point } : null;
}

/**
 * The block a TransformerLens hook name belongs to, for any such name, not only those Loupe builds
 * (blocks.3.attn.hook_attn_scores, blocks.3.attn.hook_rot_q): a leading `blocks.N.` is the layer. Null for a
 * model-wide point (hook_embed); a name that spells neither is refused, since a guessed layer written
 * into a file (SAELens's hook_layer) is a silent wrong answer.
 */
export function hookLayer(name: string): number | null {
  const known = parseHookName(name);
  if (known) return known.layer ?? null;
  const m = /^blocks\.(0|[1-9]\d{0,8})\./.exec(name);
  if (!m)
    throw new Error(
      `hook "${name}" names no layer: expected a TransformerLens name starting blocks.N. (blocks.6.hook_resid_post, blocks.6.attn.hook_attn_scores) or one of ${MODEL_POINTS.join(', ')}`,
    );
  return Number(m[1]);
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
