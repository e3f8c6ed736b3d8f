import { float } from '../onnx/attributes.js';
import type { GraphBuilder, ValueRef } from '../onnx/graph.js';
import type { TransformerConfig } from './config.js';
import { hookName } from './hooks.js';
import type { LayerNormWeights, LayerWeights, Tensor32, TransformerWeights } from './weights.js';

/**
 * What each block builder needs: the graph, the model's shape, its weights as initializers (one per
 * array, so tied weights stay one initializer), and `tap`, which reports a hook and applies its splice.
 * Inside the graph activations are [batch·seq, width], so every projection is one Gemm with its
 * bias fused in; `tap` shows hooks and splices the [batch, seq, width] view (a free Reshape).
 */
export interface BlockContext {
  g: GraphBuilder;
  config: TransformerConfig;
  weight(name: string, t: Tensor32): ValueRef;
  /** `value` is [batch·seq, width]; returns the value downstream code uses, in the same layout */
  tap(name: string, value: ValueRef, width: number): ValueRef;
  /** the shape [batch, seq, width], for a Reshape back to three dimensions */
  batched(width: number): ValueRef;
}

/** hook_embed + hook_pos_embed, as [batch·seq, dModel]. */
export function embed(ctx: BlockContext, model: TransformerWeights, ids: ValueRef): ValueRef {
  const { g } = ctx;
  const d = ctx.config.dModel;
  const flat = (v: ValueRef) => g.op('Reshape', [v, g.constInt64([-1, d])]);
  const tokens = ctx.tap('hook_embed', flat(g.op('Gather', [ctx.weight('embed.W_E', model.wE), ids])), d);
  // positions 0..seq-1, broadcast over the batch: [batch, seq]
  const seq = g.op('Squeeze', [g.op('Shape', [ids], { start: 1, end: 2 }), g.constInt64([0])]);
  const range = g.op('Range', [g.constInt64(0), seq, g.constInt64(1)]);
  const positions = g.op('Expand', [g.op('Unsqueeze', [range, g.constInt64([0])]), g.op('Shape', [ids])]);
  const pos = ctx.tap('hook_pos_embed', flat(g.op('Gather', [ctx.weight('pos_embed.W_pos', model.wPos), positions])), d);
  return g.op('Add', [tokens, pos]);
}

/** LayerNorm over the last axis; LNPre has no learned scale and shift. */
export function layerNorm(ctx: BlockContext, x: ValueRef, name: string, weights: LayerNormWeights | undefined, size: number): ValueRef {
  const { g } = ctx;
  const w = weights ? ctx.weight(`${name}.w`, weights.w) : g.constFloat(new Array<number>(size).fill(1));
  const b = weights ? ctx.weight(`${name}.b`, weights.b) : g.constFloat(new Array<number>(size).fill(0));
  return g.op('LayerNormalization', [x, w, b], { axis: -1, epsilon: float(ctx.config.lnEps) });
}

/** x @ w + b for x [rows, in], w [in, out]. */
export function linear(ctx: BlockContext, x: ValueRef, name: string, w: Tensor32, b: Tensor32 | undefined): ValueRef {
  const inputs = [x, ctx.weight(`${name}.W`, w), ...(b ? [ctx.weight(`${name}.b`, b)] : [])];
  return ctx.g.op('Gemm', inputs);
}

/**
 * Causal multi-head self-attention, [batch·seq, dModel] -> hook_attn_out. One Gemm makes q, k and v
 * for all heads; ONNX's Attention (opset 23) takes them as [batch, seq, nHeads·dHead] and applies
 * the 1/sqrt(dHead) scale and the causal mask, so no transposes are needed around it.
 */
export function attention(ctx: BlockContext, x: ValueRef, layer: number, w: LayerWeights): ValueRef {
  const { g, config } = ctx;
  const width = config.nHeads * config.dHead;
  const block = `blocks.${layer}.attn`;
  const qkv = linear(ctx, x, `${block}.QKV`, w.wQkv, w.bQkv);
  const split = g.opMulti('Split', [qkv, g.constInt64([width, width, width])], 3, { axis: -1 });
  const [q, k, v] = split.map((part) => g.op('Reshape', [part, ctx.batched(width)]));
  const z = g.op('Attention', [q, k, v], { is_causal: 1, q_num_heads: config.nHeads, kv_num_heads: config.nHeads });
  return linear(ctx, g.op('Reshape', [z, g.constInt64([-1, width])]), `${block}.O`, w.wO, w.bO);
}

/** The MLP from its input (after ln2) to hook_mlp_out, tapping hook_pre, hook_mid (SoLU) and hook_post. */
export function mlp(ctx: BlockContext, x: ValueRef, layer: number, w: NonNullable<LayerWeights['mlp']>): ValueRef {
  const { g, config } = ctx;
  const at = (point: 'mlp.hook_pre' | 'mlp.hook_mid' | 'mlp.hook_post') => hookName({ layer, point });
  const d = config.dMlp;
  const pre = ctx.tap(at('mlp.hook_pre'), linear(ctx, x, `blocks.${layer}.mlp.in`, w.wIn, w.bIn), d);
  let post: ValueRef;
  if (config.actFn === 'solu_ln') {
    const mid = ctx.tap(at('mlp.hook_mid'), g.op('Mul', [pre, g.op('Softmax', [pre], { axis: -1 })]), d);
    post = layerNorm(ctx, mid, `blocks.${layer}.mlp.ln`, w.ln, config.dMlp);
  } else if (config.actFn === 'relu') {
    post = g.op('Relu', [pre]);
  } else {
    post = g.op('Gelu', [pre], { approximate: config.actFn === 'gelu_new' ? 'tanh' : 'none' });
  }
  return linear(ctx, ctx.tap(at('mlp.hook_post'), post, d), `blocks.${layer}.mlp.out`, w.wOut, w.bOut);
}

/** [batch·seq, dModel] -> logits [batch·seq, dVocab]. */
export function unembed(ctx: BlockContext, model: TransformerWeights, x: ValueRef): ValueRef {
  const { w, b, layout } = model.unembed;
  if (layout === 'dModelByVocab') return linear(ctx, x, 'unembed', w, b);
  // Tied to the [dVocab, dModel] embedding (the same array, so `weight` hands back W_E's initializer):
  // Gemm's transB reads it in place instead of a transposed copy.
  const inputs = [x, ctx.weight('unembed.W_U_T', w), ...(b ? [ctx.weight('unembed.b', b)] : [])];
  return ctx.g.op('Gemm', inputs, { transB: 1 });
}
