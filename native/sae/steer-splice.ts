import type { Splice } from '../models/forward-graph.js';
import type { GraphBuilder, ValueRef } from '../onnx/graph.js';
import type { Feed } from '../onnx/ort.js';
import type { CanonicalSae } from './canonical.js';
import { encodeDecode, saeWeights } from './sae-ops.js';
import type { SaeActs } from './sae-ops.js';

/**
 * Several features of one SAE edited at once. Each feature F moves along its decoder row by
 * (offset_F + gain_F · f_F) · W_dec[F], in the input's own scale:
 *   clamp to v: offset v, gain −1 (f_F becomes v);  ablate: offset 0, gain −1;  add α: offset α, gain 0.
 * The features and their offsets and gains are graph inputs (`steerFeeds`), so one session serves
 * every choice of features and values on the same SAE.
 */
export type SteerMode = { kind: 'clamp'; value: number } | { kind: 'add'; coefficient: number } | { kind: 'ablate' };

export interface SteerEdit {
  feature: number;
  mode: SteerMode;
}

/** The graph input names of the `tag`-th steered SAE (unique per SAE in one graph). */
export function steerInputNames(tag: number): { features: string; offset: string; gain: string } {
  return { features: `steer${tag}_features`, offset: `steer${tag}_offset`, gain: `steer${tag}_gain` };
}

/**
 * `keepError` (default true) edits x itself, so the SAE's error term x − x̂ stays and only the edited
 * features change what downstream sees; false starts from the reconstruction x̂ (the error is dropped).
 */
export function steerSplice(sae: CanonicalSae, tag: number, keepError = true): Splice {
  const names = steerInputNames(tag);
  return (g, value) => {
    const rows = g.op('Reshape', [value, g.constInt64([-1, sae.dIn])]);
    const w = saeWeights(g, sae, `steer${tag}@${value.name}`);
    const features = g.input(names.features, 'int64', ['nEdits']);
    const offset = g.input(names.offset, 'float32', ['nEdits']);
    const gain = g.input(names.gain, 'float32', ['nEdits']);
    const { acts, input, reconstruction } = encodeDecode(g, sae, w, rows);
    const current = selectedActs(g, acts, features); // [n, nEdits]
    const coefficient = g.op('Add', [offset, g.op('Mul', [gain, current])]);
    const delta = g.op('MatMul', [coefficient, g.op('Gather', [w.wDec, features])]); // [n, dIn]
    const zero = g.op('Mul', [delta, g.constFloat(0)]);
    const base = keepError ? rows : reconstruction;
    const edited = g.op('Add', [base, g.op('Sub', [input.restore(delta), input.restore(zero)])]);
    return g.op('Reshape', [edited, g.op('Shape', [value])]);
  };
}

/** f_F of each edited feature per token, [n, nEdits]. */
function selectedActs(g: GraphBuilder, acts: SaeActs, features: ValueRef): ValueRef {
  if (acts.kind === 'dense') return g.op('Gather', [acts.acts, features], { axis: 1 });
  const match = g.op('Cast', [g.op('Equal', [g.op('Unsqueeze', [acts.indices, g.constInt64([-1])]), features])], { to: 1 }); // [n, k, nEdits]
  const values = g.op('Unsqueeze', [acts.values, g.constInt64([-1])]); // [n, k, 1]
  return g.op('ReduceSum', [g.op('Mul', [values, match]), g.constInt64([1])], { keepdims: 0 });
}

/** Feeds for `steerSplice(sae, tag)`; every feature index is checked against the SAE. */
export function steerFeeds(sae: CanonicalSae, tag: number, edits: readonly SteerEdit[]): Record<string, Feed> {
  const names = steerInputNames(tag);
  const n = edits.length;
  const features = new BigInt64Array(n);
  const offset = new Float32Array(n);
  const gain = new Float32Array(n);
  edits.forEach(({ feature, mode }, i) => {
    if (!Number.isSafeInteger(feature) || feature < 0 || feature >= sae.dSae) {
      throw new RangeError(`feature index ${feature} is out of range: ${sae.source.path} has features 0..${sae.dSae - 1}`);
    }
    const amount = mode.kind === 'clamp' ? mode.value : mode.kind === 'add' ? mode.coefficient : 0;
    if (!Number.isFinite(amount))
      throw new RangeError(`the ${mode.kind} value for feature ${feature} must be a finite number, got ${amount}`);
    features[i] = BigInt(feature);
    offset[i] = amount;
    gain[i] = mode.kind === 'add' ? 0 : -1;
  });
  return {
    [names.features]: { type: 'int64', dims: [n], data: features },
    [names.offset]: { type: 'float32', dims: [n], data: offset },
    [names.gain]: { type: 'float32', dims: [n], data: gain },
  };
}
