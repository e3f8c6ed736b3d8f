import type { GraphBuilder, ValueRef } from '../../onnx/graph.js';
import type { LossTerms, ParamRefs } from './step-types.js';

/**
 * Loss and hand-derived gradients of a TopK SAE (Gao et al. 2024) for a batch x [n, dIn]:
 *
 *   xc = x − b_dec;  pre = xc W_encᵀ + b_enc;  (top, idx) = topk(pre, k);  a = relu(top)
 *   x̂ = Σ_j a_j W_dec[idx_j] + b_dec;  e = x̂ − x;  mse = Σ_n ‖e_n‖² · mseScale / n
 *
 * The encoder is held transposed, W_encᵀ [dSae, dIn], so that its gradient, like the decoder's, is a
 * scatter-add of rows: only the k active latents of each token are touched, and no [n, dSae]
 * gradient is ever formed. b_dec gets gradient from both its uses (the decoder and the centring).
 */
export function topkGrads(
  g: GraphBuilder,
  p: ParamRefs,
  x: ValueRef,
  k: number,
  mseScale: ValueRef,
  blocked?: ValueRef,
  aux?: AuxKInputs,
): LossTerms {
  const n = tokenCount(g, x);
  const xc = g.op('Sub', [x, p.bDec]);
  const pre = blockLatents(g, g.op('Add', [g.op('MatMul', [xc, g.op('Transpose', [p.wEncT], { perm: [1, 0] })]), p.bEnc]), blocked);
  const [top, idx] = g.opMulti('TopK', [pre, g.constInt64([k])], 2, { axis: -1, largest: 1, sorted: 0 });
  const main = sparseLatents(g, p, top, idx);
  const e = g.op('Sub', [g.op('Add', [main.decoded, p.bDec]), x]);
  const mse = g.op('Div', [g.op('Mul', [g.op('ReduceSum', [g.op('Mul', [e, e])], { keepdims: 0 }), mseScale]), n]);
  const dxhat = g.op('Mul', [e, g.op('Div', [g.op('Mul', [mseScale, g.constFloat(2)]), n])]); // [n, dIn]

  const acc = new SparseGradAccumulator(g, p, xc);
  acc.add(main, dxhat);
  let loss = mse;
  let auxLoss: ValueRef | undefined;
  if (aux) {
    const auxTerms = auxKTerms(g, p, pre, e, n, aux);
    acc.add(auxTerms.latents, auxTerms.dDecoded);
    auxLoss = auxTerms.loss;
    loss = g.op('Add', [mse, auxLoss]);
  }
  const fired = g.op('ScatterND', [zerosLike(g, p.bEnc), g.op('Unsqueeze', [idx, g.constInt64([2])]), main.active], { reduction: 'add' });
  return {
    loss,
    mse,
    auxLoss,
    l0: g.op('Div', [g.op('ReduceSum', [main.active], { keepdims: 0 }), n]),
    fired,
    grads: { wEncT: acc.wEncT, bEnc: acc.bEnc, wDec: acc.wDec, bDec: decoderBiasGrad(g, p, dxhat, acc.bEnc) },
  };
}

/**
 * b_dec's gradient: Σ_n dx̂_n from the decoder, minus what reaches xc through the encoder,
 * Σ_n Σ_j dpre_nj W_encᵀ[idx_nj] = (Σ of dpre per latent) · W_encᵀ = grad_b_enc · W_encᵀ: one
 * [1, dSae]×[dSae, dIn] product instead of gathering k encoder rows per token.
 */
function decoderBiasGrad(g: GraphBuilder, p: ParamRefs, dxhat: ValueRef, gradBEnc: ValueRef): ValueRef {
  const fromDecoder = g.op('ReduceSum', [dxhat, g.constInt64([0])], { keepdims: 0 });
  const throughEncoder = g.op('Squeeze', [g.op('MatMul', [g.op('Unsqueeze', [gradBEnc, g.constInt64([0])]), p.wEncT]), g.constInt64([0])]);
  return g.op('Sub', [fromDecoder, throughEncoder]);
}

/** The AuxK loss's extra graph inputs: which latents are dead, and how many of them to use per token. */
export interface AuxKInputs {
  /** bool [dSae] */ dead: ValueRef;
  /** int64 [1]: min(kAux, number of dead latents), so the TopK below never picks a live latent on purpose */
  kAux: ValueRef;
  coefficient: number;
}

/** Some latents of each token, gathered: what the forward and backward passes need of them. */
interface SparseLatents {
  /** int64 [n, j] */ idx: ValueRef;
  /** [n, j] relu(top) */ a: ValueRef;
  /** [n, j] 1 where the latent is active (gradient flows), else 0 */ active: ValueRef;
  /** [n, j, dIn] W_dec rows */ rows: ValueRef;
  /** [n, dIn] Σ_j a_j W_dec[idx_j] */ decoded: ValueRef;
}

function sparseLatents(g: GraphBuilder, p: ParamRefs, top: ValueRef, idx: ValueRef): SparseLatents {
  const a = g.op('Relu', [top]);
  const rows = g.op('Gather', [p.wDec, idx]);
  const decoded = g.op('Squeeze', [g.op('MatMul', [g.op('Unsqueeze', [a, g.constInt64([1])]), rows]), g.constInt64([1])]);
  const active = g.op('Cast', [g.op('Greater', [top, g.constFloat(0)])], { to: 1 });
  return { idx, a, active, rows, decoded };
}

/**
 * Openai's AuxK: the dead latents' top kAux pre-activations reconstruct the main error, loss
 * coefficient · mean_n ‖ê_n − r_n‖² / ‖r_n‖² with r = x − x̂ held constant (no gradient through it).
 */
function auxKTerms(g: GraphBuilder, p: ParamRefs, pre: ValueRef, e: ValueRef, n: ValueRef, aux: AuxKInputs) {
  const masked = g.op('Where', [aux.dead, pre, g.constFloat(-1e30)]);
  const [top, idx] = g.opMulti('TopK', [masked, aux.kAux], 2, { axis: -1, largest: 1, sorted: 0 });
  const latents = sparseLatents(g, p, top, idx);
  const r = g.op('Neg', [e]);
  const lastAxis = g.constInt64([1]);
  const rr = g.op('Add', [g.op('ReduceSum', [g.op('Mul', [r, r]), lastAxis], { keepdims: 1 }), g.constFloat(1e-12)]); // [n, 1]
  const diff = g.op('Sub', [latents.decoded, r]);
  const perToken = g.op('Div', [g.op('ReduceSum', [g.op('Mul', [diff, diff]), lastAxis], { keepdims: 1 }), rr]);
  const loss = g.op('Mul', [g.op('ReduceMean', [perToken], { keepdims: 0 }), g.constFloat([aux.coefficient])]); // [1]
  const scale = g.op('Div', [g.constFloat(2 * aux.coefficient), n]);
  const dDecoded = g.op('Mul', [g.op('Div', [diff, rr]), scale]);
  return { latents, dDecoded, loss };
}

/**
 * Sums the gradient of every group of gathered latents into the parameters' gradients with
 * ScatterND(reduction=add): W_dec rows get a_j · dx̂, W_encᵀ rows and b_enc get dpre_j (· xc).
 */
class SparseGradAccumulator {
  wDec: ValueRef;
  wEncT: ValueRef;
  bEnc: ValueRef;
  readonly #g: GraphBuilder;
  readonly #xc: ValueRef;

  constructor(g: GraphBuilder, p: ParamRefs, xc: ValueRef) {
    this.#g = g;
    this.#xc = xc;
    this.wDec = zerosLike(g, p.wDec);
    this.wEncT = zerosLike(g, p.wEncT);
    this.bEnc = zerosLike(g, p.bEnc);
  }

  /** Adds one group's gradients, given dLoss/d(decoded) [n, dIn] of that group. */
  add(l: SparseLatents, dDecoded: ValueRef): void {
    const g = this.#g;
    const axis = (i: number) => g.constInt64([i]);
    const idx3 = g.op('Unsqueeze', [l.idx, axis(2)]); // [n, j, 1]
    const da = g.op('Squeeze', [g.op('MatMul', [l.rows, g.op('Unsqueeze', [dDecoded, axis(2)])]), axis(2)]); // [n, j]
    const dtop = g.op('Mul', [da, l.active]);
    const outer = (coef: ValueRef, vec: ValueRef) => g.op('Mul', [g.op('Unsqueeze', [coef, axis(2)]), g.op('Unsqueeze', [vec, axis(1)])]);
    const scatter = (into: ValueRef, updates: ValueRef) => g.op('ScatterND', [into, idx3, updates], { reduction: 'add' });
    this.wDec = scatter(this.wDec, outer(l.a, dDecoded));
    this.wEncT = scatter(this.wEncT, outer(dtop, this.#xc));
    this.bEnc = scatter(this.bEnc, dtop);
  }
}

/** The batch's token count as a float [1] (batches vary in size between runs). */
export function tokenCount(g: GraphBuilder, x: ValueRef): ValueRef {
  return g.op('Cast', [g.op('Shape', [x], { start: 0, end: 1 })], { to: 1 });
}

/** pre [n, dSae] with the latents marked in `blocked` (bool [dSae]) pushed far below any threshold: never active. */
export function blockLatents(g: GraphBuilder, pre: ValueRef, blocked: ValueRef | undefined): ValueRef {
  return blocked ? g.op('Where', [blocked, g.constFloat(-1e30), pre]) : pre;
}

/** Zeros of a value's shape. */
export function zerosLike(g: GraphBuilder, v: ValueRef): ValueRef {
  return g.op('ConstantOfShape', [g.op('Shape', [v])]);
}
