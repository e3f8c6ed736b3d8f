import { buildForwardGraph } from '../../models/forward-graph.js';
import type { Splice } from '../../models/forward-graph.js';
import type { TransformerWeights } from '../../models/weights.js';
import type { GraphBuilder } from '../../onnx/graph.js';
import type { CanonicalSae } from '../canonical.js';
import { encodeDecode, saeWeights } from '../sae-ops.js';
import { ablateFeatureSplice } from '../splices.js';

/** Graph inputs and outputs of the ablation-sparsity graphs (ablation-sparsity.ts explains the metric). */
export const ABLATION_IO = {
  /** bool [2b, 1, 1]: which rows of the doubled batch get the ablation */ ablatedRows: 'ablated_rows',
  /** float32 [b·seq, 1]: 1 at the positions whose logit change counts */ mask: 'ablation_mask',
  /** float32 [b·seq]: Σ_v |Δlogit| at each position, 0 where the mask is 0 */ l1: 'ablation_l1',
  /** float32 [b·seq]: Σ_v Δlogit² at each position, 0 where the mask is 0 */ l2sq: 'ablation_l2sq',
  /** int64 [b, dSae]: first position where each latent fires (0 when it never does; see `fires`) */ first: 'first_active',
  /** float32 [b, dSae]: 1 when the latent fires somewhere in the window */ fires: 'fires',
} as const;

/**
 * Forward to the hook, SAE encode, and per window and latent: does it fire, and where first. Dense
 * [b·seq, dSae] activations exist only inside the graph, for the few windows ablation sparsity uses.
 */
export function firstActiveGraph(model: TransformerWeights, sae: CanonicalSae, hook: string): GraphBuilder {
  const g = buildForwardGraph(model, { hooks: [hook] });
  const value = g.value(hook); // the hook's output, [b, seq, dIn]
  const x = g.op('Reshape', [value, g.constInt64([-1, sae.dIn])]);
  const { acts } = encodeDecode(g, sae, saeWeights(g, sae, 'eval_sae'), x, true);
  if (acts.kind !== 'dense') throw new Error('encodeDecode(dense = true) returned sparse activations');
  const active = g.op('Cast', [g.op('Greater', [acts.acts, g.constFloat(0)])], { to: 1 });
  const shape = g.op('Concat', [g.op('Shape', [value], { start: 0, end: 2 }), g.constInt64([sae.dSae])], { axis: 0 });
  const perWindow = g.op('Reshape', [active, shape]); // [b, seq, dSae]
  // ArgMax returns the first index of the maximum: the first position with f > 0.
  g.output(g.op('ArgMax', [perWindow], { axis: 1, keepdims: 0, select_last_index: 0 }), ABLATION_IO.first, 'int64', ['batch', sae.dSae]);
  g.output(g.op('ReduceMax', [perWindow, g.constInt64([1])], { keepdims: 0 }), ABLATION_IO.fires, 'float32', ['batch', sae.dSae]);
  return g;
}

/**
 * One forward pass over [windows; windows] (batch 2b). The second half has the latent fed as
 * `splice_feature` ablated at the hook (ablateFeatureSplice, keeping the SAE's error term); the first
 * half is the unablated model. The logit differences between the halves are reduced to their L1 norm
 * and squared L2 norm over the masked positions, so the [2b, seq, dVocab] logits never leave the graph.
 */
export function ablationGraph(model: TransformerWeights, sae: CanonicalSae, hook: string): GraphBuilder {
  const ablate = ablateFeatureSplice(sae, { keepError: true });
  const splice: Splice = (g, value) => {
    const rows = g.input(ABLATION_IO.ablatedRows, 'bool', ['batch', 1, 1]);
    return g.op('Where', [rows, ablate(g, value), value]);
  };
  const g = buildForwardGraph(model, { hooks: [], logits: true, splices: new Map([[hook, splice]]) });
  const halves = g.op('Reshape', [g.value('logits'), g.constInt64([2, -1, model.config.dVocab])]); // [2, b·seq, dVocab]
  const clean = g.op('Gather', [halves, g.constInt64(0, [])], { axis: 0 });
  const ablated = g.op('Gather', [halves, g.constInt64(1, [])], { axis: 0 });
  const diff = g.op('Sub', [ablated, clean]);
  const mask = g.input(ABLATION_IO.mask, 'float32', ['rows', 1]);
  // Per position (summed over the vocabulary); the host sums positions in double precision.
  const vocabSum = (v: typeof diff) => g.op('ReduceSum', [g.op('Mul', [v, mask]), g.constInt64([1])], { keepdims: 0 });
  g.output(vocabSum(g.op('Abs', [diff])), ABLATION_IO.l1, 'float32', ['rows']);
  g.output(vocabSum(g.op('Mul', [diff, diff])), ABLATION_IO.l2sq, 'float32', ['rows']);
  return g;
}
