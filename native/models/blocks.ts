import { float } from '../onnx/attributes.js';
import type { GraphBuilder, ValueRef } from '../onnx/graph.js';
import type { TransformerConfig } from './config.js';
import { hookName } from './hooks.js';
import type { Linear, MlpWeights, NormWeights, Tensor32, TransformerWeights } from './weights.js';

/**
 * What each block builder needs: the graph, the model's shape, its weights as graph values (one per
 * array, so tied weights stay one value), and `tap`, which reports a hook and applies its splice.
 * Inside the graph activations are [batch·seq, width], so every projection is one Gemm with its
 * bias fused in; `tap` shows hooks and splices the [batch, seq, ...dims] view (a free Reshape).
 */
export interface BlockContext {
  g: GraphBuilder;
  config: TransformerConfig;
  weight(name: string, t: Tensor32): ValueRef;
  /** `value` is [batch·seq, width]; returns the value downstream code uses, in the same layout */
  tap(name: string, value: ValueRef, width: number, dims?: readonly number[]): ValueRef;
  /** a hook whose value is not per token (hook_pattern), shown and spliced as it is */
  tapWhole(name: string, value: ValueRef, dims: readonly (number | string)[]): ValueRef;
  /** whether a hook is asked for or spliced */
  wants(name: string): boolean;
  /** the shape [batch, seq, ...dims], for a Reshape back to three or more dimensions */
  batched(...dims: number[]): ValueRef;
  /** int64 [batch, seq]: 0..seq-1 in every row */
  positions(): ValueRef;
  /** int64 [seq]: 0..seq-1 */
  range(): ValueRef;
  /** a value built once per graph and shared by every layer (a mask, a rope's cos and sin) */
  shared(key: string, build: () => ValueRef): ValueRef;
}

/** hook_embed (+ hook_pos_embed for learned positions), as [batch·seq, dModel]. */
export function embed(ctx: BlockContext, model: TransformerWeights, ids: ValueRef): ValueRef {
  const { g, config } = ctx;
  const d = config.dModel;
  const flat = (v: ValueRef) => g.op('Reshape', [v, g.constInt64([-1, d])]);
  let tokens = flat(g.op('Gather', [ctx.weight('embed.W_E', model.wE), ids]));
  // Gemma scales the embedding by √dModel (TransformerLens folds it into W_E; the tied unembedding is not scaled).
  if (config.embedScale !== undefined) tokens = g.op('Mul', [tokens, g.constFloat(config.embedScale)]);
  tokens = ctx.tap('hook_embed', tokens, d);
  if (!model.wPos) return tokens;
  const pos = ctx.tap('hook_pos_embed', flat(g.op('Gather', [ctx.weight('pos_embed.W_pos', model.wPos), ctx.positions()])), d);
  return g.op('Add', [tokens, pos]);
}

/** The model's norm over the last axis: LayerNorm (LNPre has no learned scale and shift) or RMSNorm. */
export function norm(ctx: BlockContext, x: ValueRef, name: string, weights: NormWeights | undefined, size: number): ValueRef {
  const { g } = ctx;
  const w = weights ? ctx.weight(`${name}.w`, weights.w) : g.constFloat(new Array<number>(size).fill(1));
  const epsilon = float(ctx.config.lnEps);
  if (ctx.config.normalization === 'RMS') return g.op('RMSNormalization', [x, w], { axis: -1, epsilon });
  const b = weights?.b ? ctx.weight(`${name}.b`, weights.b) : g.constFloat(new Array<number>(size).fill(0));
  return g.op('LayerNormalization', [x, w, b], { axis: -1, epsilon });
}

/** x·W + b for x [rows, in]: W [in, out], or W [out, in] read transposed in place. */
export function linear(ctx: BlockContext, x: ValueRef, name: string, l: Linear): ValueRef {
  const inputs = [x, ctx.weight(`${name}.W`, l.w), ...(l.b ? [ctx.weight(`${name}.b`, l.b)] : [])];
  return ctx.g.op('Gemm', inputs, l.layout === 'outIn' ? { transB: 1 } : {});
}

/**
 * The MLP from its input (after ln2) to its output, tapping hook_pre, hook_pre_linear (gated:
 * act(hook_pre) · hook_pre_linear, as TransformerLens names them), hook_mid (SoLU) and hook_post.
 */
export function mlp(ctx: BlockContext, x: ValueRef, layer: number, w: MlpWeights): ValueRef {
  const { g, config } = ctx;
  const at = (point: 'mlp.hook_pre' | 'mlp.hook_pre_linear' | 'mlp.hook_mid' | 'mlp.hook_post') => hookName({ layer, point });
  const d = config.dMlp;
  const block = `blocks.${layer}.mlp`;
  const pre = ctx.tap(at('mlp.hook_pre'), linear(ctx, x, w.gate ? `${block}.gate` : `${block}.in`, w.gate ?? w.in), d);
  let post: ValueRef;
  if (config.actFn === 'solu_ln') {
    const mid = ctx.tap(at('mlp.hook_mid'), g.op('Mul', [pre, g.op('Softmax', [pre], { axis: -1 })]), d);
    post = norm(ctx, mid, `${block}.ln`, w.ln, config.dMlp);
  } else {
    post = activation(g, config, pre);
  }
  if (w.gate) post = g.op('Mul', [post, ctx.tap(at('mlp.hook_pre_linear'), linear(ctx, x, `${block}.in`, w.in), d)]);
  return linear(ctx, ctx.tap(at('mlp.hook_post'), post, d), `${block}.out`, w.out);
}

function activation(g: GraphBuilder, config: TransformerConfig, x: ValueRef): ValueRef {
  if (config.actFn === 'relu') return g.op('Relu', [x]);
  if (config.actFn === 'silu') return g.op('Mul', [x, g.op('Sigmoid', [x])]);
  return g.op('Gelu', [x], { approximate: config.actFn === 'gelu_new' ? 'tanh' : 'none' });
}

/** c·tanh(x / c): Gemma 2's soft-capping of attention scores and logits. */
export function softcap(g: GraphBuilder, x: ValueRef, cap: number): ValueRef {
  return g.op('Mul', [g.op('Tanh', [g.op('Div', [x, g.constFloat(cap)])]), g.constFloat(cap)]);
}

/** [batch·seq, dModel] -> logits [batch·seq, dVocab]. */
export function unembed(ctx: BlockContext, model: TransformerWeights, x: ValueRef): ValueRef {
  const { w, b, layout } = model.unembed;
  let logits: ValueRef;
  if (layout === 'dModelByVocab') logits = linear(ctx, x, 'unembed', { w, b, layout: 'inOut' });
  // [dVocab, dModel], tied to the embedding (the same array, so `weight` hands back W_E's value) or an
  // lm_head: Gemm's transB reads it in place instead of a transposed copy.
  else logits = ctx.g.op('Gemm', [x, ctx.weight('unembed.W_U_T', w), ...(b ? [ctx.weight('unembed.b', b)] : [])], { transB: 1 });
  return ctx.config.finalSoftcap === undefined ? logits : softcap(ctx.g, logits, ctx.config.finalSoftcap);
}
