import type { ValueRef } from '../onnx/graph.js';
import { attentionOutput, queryKeyValue } from './attention.js';
import { softcap } from './blocks.js';
import type { BlockContext } from './blocks.js';
import type { Attend } from './forward-graph.js';

/** Graph input and output names of a layer's KV cache, each float32 [batch, kvHeads, positions, dHead]. */
export function cacheNames(layer: number): { pastKey: string; pastValue: string; presentKey: string; presentValue: string } {
  return {
    pastKey: `past.${layer}.key`,
    pastValue: `past.${layer}.value`,
    presentKey: `present.${layer}.key`,
    presentValue: `present.${layer}.value`,
  };
}

/** Where the new tokens sit: int64 scalars shared by every layer. */
export interface DecodePositions {
  /** positions already in the cache (the first new token's position) */
  past: ValueRef;
  /** int64 [seq]: 0..seq-1 over the new tokens */
  newRange: ValueRef;
  /** the layer's cache inputs, [batch, kvHeads, past, dHead] */
  pastOf(layer: number): { key: ValueRef; value: ValueRef };
}

/**
 * Attention that reads the keys and values of earlier positions from graph inputs and writes the
 * extended cache as outputs, so a new token costs one position of work. The keys are cached after
 * rotary (as transformers does), so each is rotated once, at its own position. The mask is explicit:
 * query i (at position past + i) sees key j when j ≤ past + i and, on sliding layers, past + i − j < window.
 */
export function cachedAttention(at: DecodePositions): Attend {
  return (ctx, x, layer, w) => {
    const { g, config } = ctx;
    const { nHeads, dHead } = config;
    const nKv = config.nKvHeads ?? nHeads;
    const names = cacheNames(layer);
    const { q, k, v, sliding } = queryKeyValue(ctx, x, layer, w);
    const heads = (t: ValueRef, n: number) => g.op('Transpose', [g.op('Reshape', [t, ctx.batched(n, dHead)])], { perm: [0, 2, 1, 3] }); // [b, n, seq, dHead]
    const past = at.pastOf(layer);
    const cached = (before: ValueRef, present: string, value: ValueRef) => {
      const all = g.op('Concat', [before, heads(value, nKv)], { axis: 2 });
      g.output(all, present, 'float32', ['batch', nKv, 'total', dHead]);
      return all; // [b, nKv, total, dHead]
    };
    const keys = cached(past.key, names.presentKey, k);
    const values = cached(past.value, names.presentValue, v);
    const grouped = (t: ValueRef) => g.op('Reshape', [t, g.constInt64([0, nKv, -1, 0])]); // [b, nKv, g·seq, ·]
    const kT = g.op('Transpose', [keys], { perm: [0, 1, 3, 2] }); // [b, nKv, dHead, total]
    const scale = config.attnScale ?? 1 / Math.sqrt(dHead);
    let scores = g.op('Reshape', [
      g.op('Mul', [g.op('MatMul', [grouped(heads(q, nHeads)), kT]), g.constFloat(scale)]),
      g.constInt64([0, nHeads, -1, 0]),
    ]); // [b, h, seq, total]
    if (config.attnSoftcap !== undefined) scores = softcap(g, scores, config.attnSoftcap);
    const visible = cachedVisibility(ctx, at, sliding ? config.slidingWindow : undefined);
    const pattern = g.op('Softmax', [g.op('Where', [visible, scores, g.constFloat(-Infinity)])], { axis: -1 });
    const z = g.op('MatMul', [grouped(pattern), values]); // [b, nKv, g·seq, dHead]
    const zHeads = g.op('Transpose', [g.op('Reshape', [z, g.constInt64([0, nHeads, -1, dHead])])], { perm: [0, 2, 1, 3] }); // [b, seq, h, dHead]
    return attentionOutput(ctx, layer, zHeads, w);
  };
}

/** bool [seq, total]: key j is visible from new token i. */
function cachedVisibility(ctx: BlockContext, at: DecodePositions, window: number | undefined): ValueRef {
  return ctx.shared(`cached-visible.${window ?? 'causal'}`, () => {
    const { g } = ctx;
    const query = g.op('Unsqueeze', [g.op('Add', [at.newRange, at.past]), g.constInt64([1])]); // [seq, 1]
    const key = g.op('Unsqueeze', [ctx.range(), g.constInt64([0])]); // [1, total]
    const causal = g.op('LessOrEqual', [key, query]);
    if (window === undefined) return causal;
    return g.op('And', [causal, g.op('Less', [g.op('Sub', [query, key]), g.constInt64(window)])]);
  });
}
