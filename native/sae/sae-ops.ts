import { float32Tensor } from '../onnx/tensor-proto.js';
import type { GraphBuilder, ValueRef } from '../onnx/graph.js';
import type { CanonicalSae } from './canonical.js';
import { assertInputScaleKnown, isTranscoder } from './canonical.js';

/**
 * The canonical SAE (canonical.ts) as graph pieces, shared by the encode graph, the model splices
 * and the evaluations, so the formula is written once. Activations here are [n, dIn] or [n, dSae].
 */

/** The SAE's tensors as initializers of `g`. */
export interface SaeWeights {
  /** [dIn, dSae] */ wEnc: ValueRef;
  /** [dSae] */ bEnc: ValueRef;
  /** [dSae, dIn] */ wDec: ValueRef;
  /** [dIn] */ bDec: ValueRef;
  /** [dSae], JumpReLU only */ threshold?: ValueRef;
  /** [dIn, dIn], skip transcoders only */ wSkip?: ValueRef;
}

/** The output of an activation: dense [n, dSae], or for TopK the k kept latents per token. */
export type SaeActs =
  { kind: 'dense'; acts: ValueRef } | { kind: 'topk'; /** [n, k] int64 */ indices: ValueRef; /** [n, k], ReLU applied */ values: ValueRef };

export function saeWeights(g: GraphBuilder, sae: CanonicalSae, prefix = 'sae'): SaeWeights {
  const { dIn, dSae } = sae;
  const weights: SaeWeights = {
    wEnc: g.initializer(`${prefix}.W_enc`, float32Tensor([dIn, dSae], sae.wEnc)),
    bEnc: g.initializer(`${prefix}.b_enc`, float32Tensor([dSae], sae.bEnc)),
    wDec: g.initializer(`${prefix}.W_dec`, float32Tensor([dSae, dIn], sae.wDec)),
    bDec: g.initializer(`${prefix}.b_dec`, float32Tensor([dIn], sae.bDec)),
  };
  if (sae.activation.kind === 'jumprelu')
    weights.threshold = g.initializer(`${prefix}.threshold`, float32Tensor([dSae], sae.activation.threshold));
  if (sae.wSkip !== undefined) weights.wSkip = g.initializer(`${prefix}.W_skip`, float32Tensor([dIn, dIn], sae.wSkip));
  return weights;
}

/** The SAE's view of x [n, dIn], and how to map a reconstruction back to x's scale. */
export interface NormalizedInput {
  /** inputNorm(x) · inputScale, [n, dIn] */
  x: ValueRef;
  /** y [n, dIn] in the normalised space -> the input's space */
  restore(y: ValueRef): ValueRef;
}

const LAYER_NORM_EPS = 1e-5;

export function normalizeInput(g: GraphBuilder, sae: CanonicalSae, x: ValueRef): NormalizedInput {
  assertInputScaleKnown(sae);
  const lastAxis = g.constInt64([-1]);
  let normed = x;
  let restore = (y: ValueRef) => y;
  if (sae.inputNorm === 'layer-norm') {
    const mean = g.op('ReduceMean', [x, lastAxis], { keepdims: 1 });
    const centred = g.op('Sub', [x, mean]);
    // torch.std: Bessel's correction
    const variance = g.op('Div', [
      g.op('ReduceSum', [g.op('Mul', [centred, centred]), lastAxis], { keepdims: 1 }),
      g.constFloat(sae.dIn - 1),
    ]);
    const std = g.op('Sqrt', [variance]);
    normed = g.op('Div', [centred, g.op('Add', [std, g.constFloat(LAYER_NORM_EPS)])]);
    restore = (y) => g.op('Add', [g.op('Mul', [y, std]), mean]);
  } else if (sae.inputNorm === 'constant-norm-rescale') {
    const norm = g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [x, x]), lastAxis], { keepdims: 1 })]);
    const factor = g.op('Div', [g.constFloat(Math.sqrt(sae.dIn)), norm]);
    normed = g.op('Mul', [x, factor]);
    restore = (y) => g.op('Div', [y, factor]);
  }
  if (sae.inputScale !== 1) {
    const scale = g.constFloat(sae.inputScale);
    const inner = restore;
    normed = g.op('Mul', [normed, scale]);
    restore = (y) => inner(g.op('Div', [y, scale]));
  }
  return { x: normed, restore };
}

/** Pre-activations [n, dSae] of the normalised input. */
export function preActivations(g: GraphBuilder, sae: CanonicalSae, w: SaeWeights, xNormed: ValueRef): ValueRef {
  const centred = sae.subtractDecoderBias ? g.op('Sub', [xNormed, w.bDec]) : xNormed;
  return g.op('Gemm', [centred, w.wEnc, w.bEnc]);
}

/** The SAE's activation. TopK never builds a dense [n, dSae] result; `dense` forces one for any kind. */
export function activate(g: GraphBuilder, sae: CanonicalSae, w: SaeWeights, pre: ValueRef, dense = false): SaeActs {
  const act = sae.activation;
  if (act.kind === 'relu') return { kind: 'dense', acts: g.op('Relu', [pre]) };
  if (act.kind === 'jumprelu') {
    if (!w.threshold) throw new Error('a JumpReLU SAE needs its threshold initializer');
    return { kind: 'dense', acts: g.op('Where', [g.op('Greater', [pre, w.threshold]), pre, g.constFloat(0)]) };
  }
  const [top, indices] = g.opMulti('TopK', [pre, g.constInt64([act.k])], 2, { axis: -1, largest: 1, sorted: 1 });
  const values = g.op('Relu', [top]);
  if (!dense) return { kind: 'topk', indices, values };
  return { kind: 'dense', acts: scatterDense(g, pre, indices, values) };
}

/** Zeros shaped like `like` [n, dSae] with `values` [n, k] written at `indices` [n, k]. */
export function scatterDense(g: GraphBuilder, like: ValueRef, indices: ValueRef, values: ValueRef): ValueRef {
  // Not like · 0: that leaves −0 where like < 0 and NaN where it is infinite.
  const zeros = g.op('ConstantOfShape', [g.op('Shape', [like])]);
  return g.op('ScatterElements', [zeros, indices, values], { axis: 1 });
}

/** f · W_dec + b_dec in the normalised space, [n, dIn]. Sparse acts gather only their k decoder rows. */
export function decode(g: GraphBuilder, w: SaeWeights, acts: SaeActs): ValueRef {
  if (acts.kind === 'dense') return g.op('Gemm', [acts.acts, w.wDec, w.bDec]);
  const rows = g.op('Gather', [w.wDec, acts.indices]); // [n, k, dIn]
  const weighted = g.op('MatMul', [g.op('Unsqueeze', [acts.values, g.constInt64([1])]), rows]); // [n, 1, dIn]
  return g.op('Add', [g.op('Squeeze', [weighted, g.constInt64([1])]), w.bDec]);
}

/**
 * The SAE's output for input x [n, dIn] and its activations: an SAE's reconstruction in x's scale; a
 * transcoder's prediction of its output hook, f · W_dec + b_dec (+ x · W_skip on the raw input), which
 * SAELens never maps back through the input normalisation.
 */
export function saeOutput(g: GraphBuilder, sae: CanonicalSae, w: SaeWeights, x: ValueRef, input: NormalizedInput, acts: SaeActs): ValueRef {
  const decoded = decode(g, w, acts);
  if (!isTranscoder(sae)) return input.restore(decoded);
  return w.wSkip ? g.op('Add', [decoded, g.op('MatMul', [x, w.wSkip])]) : decoded;
}

/** Everything the encode graph and the splices need from one pass: x [n, dIn] -> acts and reconstruction (see saeOutput). */
export function encodeDecode(
  g: GraphBuilder,
  sae: CanonicalSae,
  w: SaeWeights,
  x: ValueRef,
  dense = false,
): { acts: SaeActs; reconstruction: ValueRef; input: NormalizedInput } {
  const input = normalizeInput(g, sae, x);
  const acts = activate(g, sae, w, preActivations(g, sae, w, input.x), dense);
  return { acts, reconstruction: saeOutput(g, sae, w, x, input, acts), input };
}
