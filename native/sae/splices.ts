import type { Splice } from '../models/forward-graph.js';
import type { GraphBuilder, ValueRef } from '../onnx/graph.js';
import type { Feed } from '../onnx/ort.js';
import type { CanonicalSae } from './canonical.js';
import { isTranscoder, refuseTranscoder } from './canonical.js';
import { encodeDecode, saeWeights } from './sae-ops.js';
import type { SaeActs } from './sae-ops.js';

/**
 * SAE edits of a model's activation at a hook, for `ForwardSpec.splices`. The feature, the clamp
 * value and the steering coefficient are graph inputs (fed through `extraFeeds`, see the *Feeds
 * helpers), so scrubbing through features reuses one session instead of building a graph per feature.
 */

/** Graph input names the splices add. */
export const SPLICE_INPUTS = {
  feature: 'splice_feature',
  coefficient: 'splice_coefficient',
} as const;

/**
 * Replaces the activation by the SAE's reconstruction x̂ (the SAE's error term x − x̂ is dropped). A
 * transcoder's splice goes at its output hook and reads its input hook, which the forward pass must
 * also output (ForwardSpec.hooks): see reconstructionSpliceSpec.
 */
export function reconstructionSplice(sae: CanonicalSae): Splice {
  if (isTranscoder(sae)) {
    const input = sae.hookName as string;
    return (g, value) => {
      const x = g.op('Reshape', [g.value(input), g.constInt64([-1, sae.dIn])]);
      const out = encodeDecode(g, sae, saeWeights(g, sae, weightPrefix(x)), x).reconstruction;
      return g.op('Reshape', [out, g.op('Shape', [value])]);
    };
  }
  return flatSplice(sae.dIn, (g, x) => encodeDecode(g, sae, saeWeights(g, sae, weightPrefix(x)), x).reconstruction);
}

/**
 * Where a reconstruction splice goes and which hooks the forward pass must output for it: an SAE's
 * at the hook it reads; a transcoder's at its output hook, with its input hook as an output.
 */
export function reconstructionSpliceSpec(sae: CanonicalSae, hook: string): { at: string; hooks: string[] } {
  if (!isTranscoder(sae)) return { at: hook, hooks: [] };
  return { at: sae.outputHookName as string, hooks: [hook] };
}

export interface FeatureEditOptions {
  /**
   * Edit x itself, keeping the SAE's error term x − x̂ (default), so only the edited feature changes
   * what downstream sees; false edits the reconstruction x̂ instead.
   */
  keepError?: boolean;
}

/** Removes feature F: subtracts its activation times its decoder row, in the input's scale. Feeds: ablateFeeds. */
export function ablateFeatureSplice(sae: CanonicalSae, opts: FeatureEditOptions = {}): Splice {
  return featureEdit(sae, opts, (g) => g.constFloat(0));
}

/** Adds coefficient × vector [width] at every position. Feeds: steeringFeeds. */
export function steeringSplice(vector: Float32Array): Splice {
  return flatSplice(vector.length, (g, x) => {
    const coefficient = g.input(SPLICE_INPUTS.coefficient, 'float32', [1]);
    const direction = g.constFloat([...vector]);
    return g.op('Add', [x, g.op('Mul', [direction, coefficient])]);
  });
}

/** Graph input of maskedSplice: float32 [batch, seq], 1 where the splice applies. */
export const SPLICE_MASK_INPUT = 'splice_mask';

/**
 * `inner` at the positions where the mask (input SPLICE_MASK_INPUT, [batch, seq]) is 1, the clean
 * activation where it is 0: x + m · (inner(x) − x). Evaluations splice at document tokens only,
 * never at the BOS or padding.
 */
export function maskedSplice(inner: Splice): Splice {
  return (g, value) => {
    const mask = g.op('Unsqueeze', [g.input(SPLICE_MASK_INPUT, 'float32', ['batch', 'seq']), g.constInt64([-1])]);
    return g.op('Add', [value, g.op('Mul', [mask, g.op('Sub', [inner(g, value), value])])]);
  };
}

/** Replaces the activation by zeros (the "zero-ablated" baseline of loss-recovered). */
export function zeroSplice(): Splice {
  return (g, value) => g.op('Mul', [value, g.constFloat(0)]);
}

export function ablateFeeds(sae: CanonicalSae, feature: number): Record<string, Feed> {
  return { [SPLICE_INPUTS.feature]: featureFeed(sae, feature) };
}

export function steeringFeeds(coefficient: number): Record<string, Feed> {
  return { [SPLICE_INPUTS.coefficient]: { type: 'float32', dims: [1], data: Float32Array.of(coefficient) } };
}

function featureFeed(sae: CanonicalSae, feature: number): Feed {
  if (!Number.isSafeInteger(feature) || feature < 0 || feature >= sae.dSae) {
    throw new Error(`feature index ${feature} is out of range: ${sae.source.path} has features 0..${sae.dSae - 1}`);
  }
  return { type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(feature)) };
}

/**
 * Names the SAE's initializers after the value they edit: unique within the graph, so SAEs can be
 * spliced at several hooks of one forward pass, and the same for every build of the same graph, so
 * the session cache still recognises it.
 */
function weightPrefix(x: ValueRef): string {
  return `sae@${x.name}`;
}

/** A splice written on [n, width] rows: the hook's [batch, seq, width] value is flattened and restored. */
function flatSplice(width: number, edit: (g: GraphBuilder, x: ValueRef) => ValueRef): Splice {
  return (g, value) => {
    const rows = g.op('Reshape', [value, g.constInt64([-1, width])]);
    return g.op('Reshape', [edit(g, rows), g.op('Shape', [value])]);
  };
}

/**
 * base + restore((target − f_F) · W_dec[F]) − restore(0), base = x or x̂: moves feature F to `target`
 * along its decoder row, in the input's own scale (restore is affine, so the difference is its linear part).
 */
function featureEdit(sae: CanonicalSae, opts: FeatureEditOptions, target: (g: GraphBuilder) => ValueRef): Splice {
  refuseTranscoder(sae, 'ablating or clamping one feature');
  return flatSplice(sae.dIn, (g, x) => {
    const w = saeWeights(g, sae, weightPrefix(x));
    const feature = g.input(SPLICE_INPUTS.feature, 'int64', [1]);
    const { acts, input, reconstruction } = encodeDecode(g, sae, w, x);
    const base = opts.keepError === false ? reconstruction : x;
    const current = featureActivation(g, acts, feature); // [n, 1]
    const row = g.op('Gather', [w.wDec, feature]); // [1, dIn]
    const delta = g.op('Mul', [g.op('Sub', [target(g), current]), row]); // [n, dIn]
    const zero = g.op('Mul', [delta, g.constFloat(0)]);
    return g.op('Add', [base, g.op('Sub', [input.restore(delta), input.restore(zero)])]);
  });
}

/** f_F per token, [n, 1]: a column of dense acts, or the matching entry of the kept TopK latents (0 if absent). */
function featureActivation(g: GraphBuilder, acts: SaeActs, feature: ValueRef): ValueRef {
  if (acts.kind === 'dense') return g.op('Gather', [acts.acts, feature], { axis: 1 });
  const match = g.op('Cast', [g.op('Equal', [acts.indices, feature])], { to: 1 });
  return g.op('ReduceSum', [g.op('Mul', [acts.values, match]), g.constInt64([1])], { keepdims: 1 });
}
