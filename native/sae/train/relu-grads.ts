import type { GraphBuilder, ValueRef } from '../../onnx/graph.js';
import type { LossTerms, ParamRefs } from './step-types.js';
import { blockLatents, tokenCount } from './topk-grads.js';

/**
 * Loss and hand-derived gradients of a standard ReLU SAE with SAELens's L1 penalty weighted by
 * decoder row norms (its "standard" architecture), for x [n, dIn]:
 *
 *   xc = x − b_dec;  pre = xc W_encᵀ + b_enc;  f = relu(pre);  x̂ = f W_dec + b_dec;  e = x̂ − x
 *   mse = Σ_n ‖e_n‖² · mseScale / n;  l1 = λ / n · Σ_n Σ_j f_nj ‖W_dec[j]‖
 *
 * Every latent can be active, so the backward pass is dense: four more [n, dSae]×[dSae, dIn] products.
 */
export function reluGrads(
  g: GraphBuilder,
  p: ParamRefs,
  x: ValueRef,
  l1Coefficient: number,
  mseScale: ValueRef,
  blocked?: ValueRef,
): LossTerms {
  const n = tokenCount(g, x);
  const axis = (i: number) => g.constInt64([i]);
  const xc = g.op('Sub', [x, p.bDec]);
  const pre = blockLatents(g, g.op('Gemm', [xc, p.wEncT, p.bEnc], { transB: 1 }), blocked);
  const f = g.op('Relu', [pre]);
  const e = g.op('Sub', [g.op('Gemm', [f, p.wDec, p.bDec]), x]);
  const mse = g.op('Div', [g.op('Mul', [g.op('ReduceSum', [g.op('Mul', [e, e])], { keepdims: 0 }), mseScale]), n]);
  const norms = g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [p.wDec, p.wDec]), axis(1)], { keepdims: 0 })]); // [dSae]
  const lambdaOverN = g.op('Div', [g.constFloat(l1Coefficient), n]);
  const fSum = g.op('ReduceSum', [f, axis(0)], { keepdims: 0 }); // [dSae]
  const l1 = g.op('Mul', [g.op('ReduceSum', [g.op('Mul', [fSum, norms])], { keepdims: 0 }), lambdaOverN]);

  const dxhat = g.op('Mul', [e, g.op('Div', [g.op('Mul', [mseScale, g.constFloat(2)]), n])]);
  const unitRows = g.op('Div', [p.wDec, g.op('Unsqueeze', [g.op('Add', [norms, g.constFloat(1e-12)]), axis(1)])]);
  const wDecFromNorms = g.op('Mul', [g.op('Unsqueeze', [g.op('Mul', [fSum, lambdaOverN]), axis(1)]), unitRows]);
  const gwDec = g.op('Add', [g.op('Gemm', [f, dxhat], { transA: 1 }), wDecFromNorms]);
  const df = g.op('Add', [g.op('Gemm', [dxhat, p.wDec], { transB: 1 }), g.op('Mul', [norms, lambdaOverN])]);
  const active = g.op('Cast', [g.op('Greater', [pre, g.constFloat(0)])], { to: 1 });
  const dpre = g.op('Mul', [df, active]);
  const dxc = g.op('MatMul', [dpre, p.wEncT]);
  return {
    loss: g.op('Add', [mse, l1]),
    mse,
    auxLoss: l1,
    l0: g.op('Div', [g.op('ReduceSum', [active], { keepdims: 0 }), n]),
    fired: g.op('ReduceSum', [active, axis(0)], { keepdims: 0 }),
    grads: {
      wEncT: g.op('Gemm', [dpre, xc], { transA: 1 }),
      bEnc: g.op('ReduceSum', [dpre, axis(0)], { keepdims: 0 }),
      wDec: gwDec,
      bDec: g.op('ReduceSum', [g.op('Sub', [dxhat, dxc]), axis(0)], { keepdims: 0 }),
    },
  };
}
