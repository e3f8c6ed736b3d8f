import { GraphBuilder } from '../onnx/graph.js';
import type { ValueRef } from '../onnx/graph.js';
import { attention } from './attention.js';
import { embed, mlp, norm, unembed } from './blocks.js';
import type { BlockContext } from './blocks.js';
import { hookName, resolveHooks } from './hooks.js';
import type { HookRef, LayerPoint } from './hooks.js';
import { weightBytes } from './weights.js';
import type { Tensor32, TransformerWeights } from './weights.js';

/**
 * Models with more float32 weights than this bind their larger tensors as graph inputs (see
 * GraphBuilder.boundInput): no protobuf limit, no copy per session. Smaller models keep their weights
 * as initializers, which ONNX Runtime prepacks for its MatMuls (faster on short batches).
 */
export const INLINE_WEIGHT_BYTES = 2 ** 30;
/** Tensors smaller than this stay initializers even in a bound model (norm weights, biases). */
const BOUND_MIN_VALUES = 1 << 16;

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
    const normalized = () => ctx.tap('ln_final.hook_normalized', norm(ctx, resid, 'ln_final', model.lnFinal, config.dModel), config.dModel);
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

export function blockContext(
  g: GraphBuilder,
  model: TransformerWeights,
  ids: ValueRef,
  wanted: ReadonlySet<string>,
  splices: ReadonlyMap<string, Splice>,
): BlockContext {
  const values = new Map<Float32Array, ValueRef>();
  const memo = new Map<string, ValueRef>();
  const shared = (key: string, build: () => ValueRef): ValueRef => {
    let v = memo.get(key);
    if (!v) memo.set(key, (v = build()));
    return v;
  };
  const batchSeq = g.op('Shape', [ids]);
  const batched = (...dims: number[]): ValueRef =>
    shared(`shape.${dims.join(',')}`, () => g.op('Concat', [batchSeq, g.constInt64(dims)], { axis: 0 }));
  const range = () =>
    shared('range', () =>
      g.op('Range', [g.constInt64(0), g.op('Squeeze', [g.op('Shape', [ids], { start: 1, end: 2 }), g.constInt64([0])]), g.constInt64(1)]),
    );
  const bind = weightBytes(model) > INLINE_WEIGHT_BYTES;
  return {
    g,
    config: model.config,
    batched,
    range,
    shared,
    positions: () => shared('positions', () => g.op('Expand', [g.op('Unsqueeze', [range(), g.constInt64([0])]), batchSeq])),
    wants: (name) => wanted.has(name) || splices.has(name),
    weight(name: string, t: Tensor32): ValueRef {
      let ref = values.get(t.data);
      if (!ref) {
        const tensor = { type: 'float32' as const, dims: t.shape, data: t.data };
        values.set(t.data, (ref = bind && t.data.length >= BOUND_MIN_VALUES ? g.boundInput(name, tensor) : g.initializer(name, tensor)));
      }
      return ref;
    },
    tap(name: string, value: ValueRef, width: number, dims: readonly number[] = [width]): ValueRef {
      const splice = splices.get(name);
      if (!wanted.has(name) && !splice) return value;
      const view = g.op('Reshape', [value, batched(...dims)]);
      if (wanted.has(name)) g.output(view, name, 'float32', ['batch', 'seq', ...dims]);
      return splice ? g.op('Reshape', [splice(g, view), g.constInt64([-1, width])]) : value;
    },
    tapWhole(name: string, value: ValueRef, dims: readonly (number | string)[]): ValueRef {
      const splice = splices.get(name);
      if (wanted.has(name)) g.output(value, name, 'float32', dims);
      return splice ? splice(g, value) : value;
    },
  };
}

/** Attention from a block's normalised input to its output projection (the decode graph's reads and writes a KV cache). */
export type Attend = typeof attention;

/** One transformer block, hook_resid_pre -> hook_resid_post: pre-norm, sequential or parallel, with Gemma's post-norms. */
export function block(ctx: BlockContext, model: TransformerWeights, layer: number, x: ValueRef, attend: Attend = attention): ValueRef {
  const { g, config } = ctx;
  const w = model.layers[layer];
  const d = config.dModel;
  const tap = (point: LayerPoint, value: ValueRef) => ctx.tap(hookName({ layer, point }), value, d);
  const pre = (name: 'ln1' | 'ln2', v: ValueRef) =>
    config.normalization === null ? v : tap(`${name}.hook_normalized`, norm(ctx, v, `blocks.${layer}.${name}`, w[name], d));
  const post = (name: 'ln1Post' | 'ln2Post', v: ValueRef) => (config.postNorms ? norm(ctx, v, `blocks.${layer}.${name}`, w[name], d) : v);
  const residPre = tap('hook_resid_pre', x);
  const attnOut = tap('hook_attn_out', post('ln1Post', attend(ctx, pre('ln1', residPre), layer, w.attn)));
  if (!w.mlp) return tap('hook_resid_post', g.op('Add', [residPre, attnOut]));
  if (config.parallelAttnMlp) {
    const mlpOut = tap('hook_mlp_out', post('ln2Post', mlp(ctx, pre('ln2', residPre), layer, w.mlp)));
    return tap('hook_resid_post', g.op('Add', [g.op('Add', [mlpOut, attnOut]), residPre]));
  }
  const residMid = tap('hook_resid_mid', g.op('Add', [residPre, attnOut]));
  const mlpOut = tap('hook_mlp_out', post('ln2Post', mlp(ctx, pre('ln2', residMid), layer, w.mlp)));
  return tap('hook_resid_post', g.op('Add', [residMid, mlpOut]));
}
