import { float } from '../onnx/attributes.js';
import type { ValueRef } from '../onnx/graph.js';
import { linear, softcap } from './blocks.js';
import type { BlockContext } from './blocks.js';
import { hookName } from './hooks.js';
import type { LayerPoint } from './hooks.js';
import { inverseFrequencies } from './rope.js';
import type { RopeSpec } from './rope.js';
import type { AttentionWeights, NormWeights } from './weights.js';

/**
 * Causal self-attention, [batch·seq, dModel] -> the output projection's [batch·seq, dModel]. One
 * Gemm makes q, k and v for all heads (hook_q/k/v, before any QK-norm and rotary embedding, as
 * TransformerLens taps them); hook_z is the heads' weighted values [batch, seq, head, dHead].
 * ONNX's Attention (opset 23) does grouped-query attention, the scale and the causal or
 * sliding-window mask in one kernel; when hook_pattern is asked for or spliced, or scores are
 * soft-capped (which Attention applies after the mask, where Gemma 2 applies it before), the same
 * arithmetic is built from plain ops.
 */
export function attention(ctx: BlockContext, x: ValueRef, layer: number, w: AttentionWeights): ValueRef {
  const { q, k, v, sliding } = queryKeyValue(ctx, x, layer, w);
  const plain = ctx.wants(hookName({ layer, point: 'attn.hook_pattern' })) || ctx.config.attnSoftcap !== undefined;
  const z = plain ? plainAttention(ctx, layer, q, k, v, sliding) : fusedAttention(ctx, q, k, v, sliding);
  return attentionOutput(ctx, layer, z, w);
}

/** q [batch, seq, heads·dHead], k and v [batch, seq, kvHeads·dHead], after QK-norm and rotary; `sliding` for local layers. */
export interface QueryKeyValue {
  q: ValueRef;
  k: ValueRef;
  v: ValueRef;
  sliding: boolean;
}

/** The projections, taps, QK-norm and rotary embedding of attention, shared by the forward and the decode graph. */
export function queryKeyValue(ctx: BlockContext, x: ValueRef, layer: number, w: AttentionWeights): QueryKeyValue {
  const { g, config } = ctx;
  const { nHeads, dHead } = config;
  const nKv = config.nKvHeads ?? nHeads;
  const block = `blocks.${layer}.attn`;
  const at = (point: LayerPoint) => hookName({ layer, point });
  const qkv = linear(ctx, x, `${block}.QKV`, w.qkv);
  const widths = [nHeads * dHead, nKv * dHead, nKv * dHead];
  const split = g.opMulti('Split', [qkv, g.constInt64(widths)], 3, { axis: -1 });
  let q = ctx.tap(at('attn.hook_q'), split[0], widths[0], [nHeads, dHead]);
  let k = ctx.tap(at('attn.hook_k'), split[1], widths[1], [nKv, dHead]);
  const v = ctx.tap(at('attn.hook_v'), split[2], widths[2], [nKv, dHead]);
  if (w.qNorm && w.kNorm) {
    q = headNorm(ctx, q, `${block}.q_norm`, w.qNorm);
    k = headNorm(ctx, k, `${block}.k_norm`, w.kNorm);
  }
  const sliding = config.layerTypes?.[layer] === 'sliding';
  const [q3, k3, v3] = [q, k, v].map((t, i) => g.op('Reshape', [t, ctx.batched(widths[i])]));
  let [rq, rk] = [q3, k3];
  if (config.rotary) {
    const rope = sliding && config.rotary.local ? config.rotary.local : config.rotary.global;
    rq = rotate(ctx, q3, nHeads, rope);
    rk = rotate(ctx, k3, nKv, rope);
  }
  return { q: rq, k: rk, v: v3, sliding };
}

/** z [batch, seq, heads, dHead] -> hook_z -> the output projection's [batch·seq, dModel]. */
export function attentionOutput(ctx: BlockContext, layer: number, z: ValueRef, w: AttentionWeights): ValueRef {
  const width = ctx.config.nHeads * ctx.config.dHead;
  const zFlat = ctx.tap(hookName({ layer, point: 'attn.hook_z' }), ctx.g.op('Reshape', [z, ctx.g.constInt64([-1, width])]), width, [
    ctx.config.nHeads,
    ctx.config.dHead,
  ]);
  return linear(ctx, zFlat, `blocks.${layer}.attn.O`, w.o);
}

/** RMSNorm over each head's dHead values (QK-norm). `x` is [batch·seq, heads·dHead]. */
function headNorm(ctx: BlockContext, x: ValueRef, name: string, w: NormWeights): ValueRef {
  const { g, config } = ctx;
  const rows = g.op('Reshape', [x, g.constInt64([-1, config.dHead])]);
  const normed = g.op('RMSNormalization', [rows, ctx.weight(`${name}.w`, w.w)], { axis: -1, epsilon: float(config.lnEps) });
  return g.op('Reshape', [normed, g.op('Shape', [x])]);
}

/**
 * Rotary embedding of [batch, seq, heads·dHead] (rotate-half layout, the first `dim` values of each
 * head), with cos and sin of positions × frequencies computed in the graph in float32 as
 * transformers does, rather than read from a table as long as the context.
 */
function rotate(ctx: BlockContext, x: ValueRef, heads: number, rope: RopeSpec): ValueRef {
  const { g, config } = ctx;
  const dim = config.rotary!.dim;
  const key = `rope.${rope.theta}.${JSON.stringify(rope.scaling ?? null)}`;
  const angles = () =>
    ctx.shared(`${key}.angles`, () => {
      const inv = g.constFloat([...inverseFrequencies(dim, rope)]);
      const positions = g.op('Unsqueeze', [g.op('Cast', [ctx.range()], { to: 1 }), g.constInt64([1])]); // [seq, 1]
      return g.op('Mul', [positions, inv]); // [seq, dim/2], the float32 product transformers takes
    });
  const cos = ctx.shared(`${key}.cos`, () => g.op('Cos', [angles()]));
  const sin = ctx.shared(`${key}.sin`, () => g.op('Sin', [angles()]));
  const attrs = { num_heads: heads, interleaved: 0, ...(dim < config.dHead ? { rotary_embedding_dim: dim } : {}) };
  return g.op('RotaryEmbedding', [x, cos, sin, ctx.positions()], attrs);
}

/** bool [seq, seq]: key j is visible from query i (causal, and within the window on sliding layers). */
function visibility(ctx: BlockContext, window: number | undefined): ValueRef {
  return ctx.shared(`visible.${window ?? 'causal'}`, () => buildVisibility(ctx, window));
}

function buildVisibility(ctx: BlockContext, window: number | undefined): ValueRef {
  const { g } = ctx;
  const r = ctx.range();
  const i = g.op('Unsqueeze', [r, g.constInt64([1])]);
  const j = g.op('Unsqueeze', [r, g.constInt64([0])]);
  const causal = g.op('LessOrEqual', [j, i]);
  if (window === undefined) return causal;
  return g.op('And', [causal, g.op('Less', [g.op('Sub', [i, j]), g.constInt64(window)])]);
}

function fusedAttention(ctx: BlockContext, q: ValueRef, k: ValueRef, v: ValueRef, sliding: boolean): ValueRef {
  const { g, config } = ctx;
  const attrs = {
    q_num_heads: config.nHeads,
    kv_num_heads: config.nKvHeads ?? config.nHeads,
    ...(config.attnScale !== undefined ? { scale: float(config.attnScale) } : {}),
  };
  if (sliding) return g.op('Attention', [q, k, v, visibility(ctx, config.slidingWindow)], attrs);
  return g.op('Attention', [q, k, v], { ...attrs, is_causal: 1 });
}

/**
 * Attention from MatMul and Softmax, tapping hook_pattern [batch, head, query, key]. Grouped-query
 * heads need no copies of the keys: the g query heads sharing a key/value head are stacked into one
 * [g·seq] axis of queries against it.
 */
function plainAttention(ctx: BlockContext, layer: number, q: ValueRef, k: ValueRef, v: ValueRef, sliding: boolean): ValueRef {
  const { g, config } = ctx;
  const { nHeads, dHead } = config;
  const nKv = config.nKvHeads ?? nHeads;
  const heads = (x: ValueRef, n: number) => g.op('Transpose', [g.op('Reshape', [x, ctx.batched(n, dHead)])], { perm: [0, 2, 1, 3] }); // [b, n, seq, dHead]
  const grouped = (x: ValueRef) => g.op('Reshape', [x, g.constInt64([0, nKv, -1, 0])]); // [b, nKv, g·seq, ·]
  const qh = grouped(heads(q, nHeads));
  const kT = g.op('Transpose', [g.op('Reshape', [k, ctx.batched(nKv, dHead)])], { perm: [0, 2, 3, 1] }); // [b, nKv, dHead, seq]
  const scale = config.attnScale ?? 1 / Math.sqrt(dHead);
  let scores = g.op('Reshape', [g.op('Mul', [g.op('MatMul', [qh, kT]), g.constFloat(scale)]), g.constInt64([0, nHeads, -1, 0])]); // [b, h, seq, seq]
  if (config.attnSoftcap !== undefined) scores = softcap(g, scores, config.attnSoftcap);
  const visible = visibility(ctx, sliding ? config.slidingWindow : undefined);
  const masked = g.op('Where', [visible, scores, g.constFloat(-Infinity)]);
  const pattern = ctx.tapWhole(hookName({ layer, point: 'attn.hook_pattern' }), g.op('Softmax', [masked], { axis: -1 }), [
    'batch',
    nHeads,
    'seq',
    'seq',
  ]);
  const z = g.op('MatMul', [grouped(pattern), heads(v, nKv)]); // [b, nKv, g·seq, dHead]
  return g.op('Transpose', [g.op('Reshape', [z, g.constInt64([0, nHeads, -1, dHead])])], { perm: [0, 2, 1, 3] }); // [b, seq, h, dHead]
}
