import { GraphBuilder } from '../onnx/graph.js';
import type { ValueRef } from '../onnx/graph.js';
import { embed, norm, unembed } from './blocks.js';
import { cacheNames, cachedAttention } from './cached-attention.js';
import type { DecodePositions } from './cached-attention.js';
import { block, blockContext } from './forward-graph.js';
import type { Splice } from './forward-graph.js';
import { resolveHooks } from './hooks.js';
import type { TransformerWeights } from './weights.js';

export interface DecodeSpec {
  /** edits at hooks, as in the forward pass; they apply to the new positions only (earlier ones are cached) */
  splices?: ReadonlyMap<string, Splice>;
}

/**
 * One generation step: `input_ids` int64 [batch, seq] are the new tokens, `past.{l}.key|value`
 * float32 [batch, kvHeads, past, dHead] the cache of the positions before them (past = 0 for the
 * prompt). Outputs `logits` float32 [batch, dVocab] at the last new token and `present.{l}.key|value`
 * [batch, kvHeads, past + seq, dHead]. Positions (learned or rotary) start at `past`, which the graph
 * reads from the cache's shape, so a cache and its offset cannot disagree.
 */
export function buildDecodeGraph(model: TransformerWeights, spec: DecodeSpec = {}): GraphBuilder {
  const { config } = model;
  const splices = spec.splices ?? new Map<string, never>();
  resolveHooks(config, [...splices.keys()]);
  if (model.layers.length < config.nLayers)
    throw new Error(`generation needs all ${config.nLayers} blocks, the weights hold ${model.layers.length}`);
  const nKv = config.nKvHeads ?? config.nHeads;
  const g = new GraphBuilder(`${config.family}-decode`);
  const ids = g.input('input_ids', 'int64', ['batch', 'seq']);
  const caches = Array.from({ length: config.nLayers }, (_, layer) => {
    const names = cacheNames(layer);
    return {
      key: g.input(names.pastKey, 'float32', ['batch', nKv, 'past', config.dHead]),
      value: g.input(names.pastValue, 'float32', ['batch', nKv, 'past', config.dHead]),
    };
  });
  const scalar = (v: ValueRef) => g.op('Squeeze', [v, g.constInt64([0])]);
  const past = scalar(g.op('Shape', [caches[0].key], { start: 2, end: 3 }));
  const seq = scalar(g.op('Shape', [ids], { start: 1, end: 2 }));
  const newRange = g.op('Range', [g.constInt64(0), seq, g.constInt64(1)]);
  const at: DecodePositions = { past, newRange, pastOf: (layer) => caches[layer] };
  const base = blockContext(g, model, ids, new Set(), splices);
  const total = base.shared('decode.total', () => g.op('Range', [g.constInt64(0), g.op('Add', [past, seq]), g.constInt64(1)]));
  const ctx = {
    ...base,
    // Rotary tables cover every position the keys hold; the new tokens index them from `past` on.
    range: () => total,
    positions: () =>
      base.shared('decode.positions', () =>
        g.op('Expand', [g.op('Unsqueeze', [g.op('Add', [newRange, past]), g.constInt64([0])]), g.op('Shape', [ids])]),
      ),
  };
  const attend = cachedAttention(at);
  let resid = embed(ctx, model, ids);
  for (let layer = 0; layer < config.nLayers; layer++) resid = block(ctx, model, layer, resid, attend);
  // Only the last new token's next-token distribution is needed: [batch·seq, d] -> [batch, d].
  const last = g.op('Gather', [g.op('Reshape', [resid, ctx.batched(config.dModel)]), g.op('Sub', [seq, g.constInt64(1)])], { axis: 1 });
  const final = config.normalization === null ? last : norm(ctx, last, 'ln_final', model.lnFinal, config.dModel);
  g.output(unembed(ctx, model, final), 'logits', 'float32', ['batch', config.dVocab]);
  return g;
}
