import { GraphBuilder } from '../onnx/graph.js';
import type { ValueRef } from '../onnx/graph.js';
import { attention, embed, layerNorm, mlp, unembed } from './blocks.js';
import type { BlockContext } from './blocks.js';
import { hookName, resolveHooks } from './hooks.js';
import type { HookRef, LayerPoint } from './hooks.js';
import type { Tensor32, TransformerWeights } from './weights.js';

/**
 * Replaces the activation at a hook by a function of it, as a graph edit (an SAE reconstruction, an
 * ablated or clamped feature, a steering vector). The hook's own output still reports the value
 * before the splice; everything downstream sees the spliced value.
 */
export type Splice = (g: GraphBuilder, value: ValueRef) => ValueRef;

export interface ForwardSpec {
  /** TransformerLens hook names to output, each [batch, seq, width] float32 */
  hooks: readonly string[];
  /** also output `logits` [batch, seq, dVocab] */
  logits?: boolean;
  splices?: ReadonlyMap<string, Splice>;
}

/**
 * The forward pass from `input_ids` (int64 [batch, seq]) to the requested hooks and logits. Blocks
 * after the deepest requested hook are not built (and the graph drops any node no output needs).
 */
export function buildForwardGraph(model: TransformerWeights, spec: ForwardSpec): GraphBuilder {
  const { config } = model;
  const hooks = [...new Set(spec.hooks)];
  const refs = resolveHooks(config, hooks);
  const splices = spec.splices ?? new Map<string, never>();
  resolveHooks(config, [...splices.keys()]);
  if (refs.length === 0 && !spec.logits) throw new Error('nothing to compute: ask for at least one hook or the logits');

  const g = new GraphBuilder(`${config.family}-forward`);
  const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
  const ctx = blockContext(g, model, ids, new Set(hooks), splices);
  let resid = embed(ctx, model, ids);
  const depth = spec.logits ? config.nLayers : Math.max(...refs.map((r) => layersNeeded(r, config.nLayers)));
  if (depth > model.layers.length) throw new Error(`the forward pass needs ${depth} blocks, the weights hold ${model.layers.length}`);
  for (let layer = 0; layer < depth; layer++) resid = block(ctx, model, layer, resid);
  // The next block's input, when the deepest hook is where that block would begin.
  if (depth < config.nLayers) ctx.tap(hookName({ layer: depth, point: 'hook_resid_pre' }), resid, config.dModel);
  if (depth === config.nLayers && (spec.logits || hooks.includes('ln_final.hook_normalized'))) {
    const normalized = () => ctx.tap('ln_final.hook_normalized', layerNorm(ctx, resid, 'ln_final', model.lnFinal, config.dModel), config.dModel);
    const final = config.normalization === null ? resid : normalized();
    if (spec.logits) {
      const logits = g.op('Reshape', [unembed(ctx, model, final), ctx.batched(config.dVocab)]);
      g.output(logits, 'logits', 'float32', ['batch', 'seq', config.dVocab]);
    }
  }
  return g;
}

/** Blocks to build for a hook: those before it, and its own (whatever follows the hook inside it is pruned). */
function layersNeeded(ref: HookRef, nLayers: number): number {
  if (ref.point === 'hook_resid_pre') return ref.layer;
  if (ref.layer !== undefined) return ref.layer + 1;
  return ref.point === 'ln_final.hook_normalized' ? nLayers : 0;
}

function blockContext(
  g: GraphBuilder,
  model: TransformerWeights,
  ids: ValueRef,
  wanted: ReadonlySet<string>,
  splices: ReadonlyMap<string, Splice>,
): BlockContext {
  const initializers = new Map<Float32Array, ValueRef>();
  const shapes = new Map<number, ValueRef>();
  const batchSeq = g.op('Shape', [ids]);
  const batched = (width: number): ValueRef => {
    let shape = shapes.get(width);
    if (!shape) shapes.set(width, (shape = g.op('Concat', [batchSeq, g.constInt64([width])], { axis: 0 })));
    return shape;
  };
  return {
    g,
    config: model.config,
    batched,
    weight(name: string, t: Tensor32): ValueRef {
      let ref = initializers.get(t.data);
      if (!ref) initializers.set(t.data, (ref = g.initializer(name, { type: 'float32', dims: t.shape, data: t.data })));
      return ref;
    },
    tap(name: string, value: ValueRef, width: number): ValueRef {
      const splice = splices.get(name);
      if (!wanted.has(name) && !splice) return value;
      const view = g.op('Reshape', [value, batched(width)]);
      if (wanted.has(name)) g.output(view, name, 'float32', ['batch', 'seq', width]);
      return splice ? g.op('Reshape', [splice(g, view), g.constInt64([-1, width])]) : value;
    },
  };
}

/** One transformer block, hook_resid_pre -> hook_resid_post (pre-LN, as GPT-2 and TransformerLens). */
function block(ctx: BlockContext, model: TransformerWeights, layer: number, x: ValueRef): ValueRef {
  const { g, config } = ctx;
  const w = model.layers[layer];
  const tap = (point: LayerPoint, value: ValueRef) => ctx.tap(hookName({ layer, point }), value, config.dModel);
  const norm = (name: 'ln1' | 'ln2', v: ValueRef) =>
    config.normalization === null ? v : tap(`${name}.hook_normalized`, layerNorm(ctx, v, `blocks.${layer}.${name}`, w[name], config.dModel));
  const residPre = tap('hook_resid_pre', x);
  const attnOut = tap('hook_attn_out', attention(ctx, norm('ln1', residPre), layer, w));
  if (!w.mlp) return tap('hook_resid_post', g.op('Add', [residPre, attnOut]));
  const residMid = tap('hook_resid_mid', g.op('Add', [residPre, attnOut]));
  const mlpOut = tap('hook_mlp_out', mlp(ctx, norm('ln2', residMid), layer, w.mlp));
  return tap('hook_resid_post', g.op('Add', [residMid, mlpOut]));
}
