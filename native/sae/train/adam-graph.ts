import type { GraphBuilder, ValueRef } from '../../onnx/graph.js';

/** Adam's constants (Kingma & Ba), baked into the step graph. */
export interface AdamConfig {
  beta1: number;
  beta2: number;
  eps: number;
}

export const DEFAULT_ADAM: AdamConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/**
 * Per-step scalars, graph inputs [1]: `lr_bc1` = lr / (1 − β1ᵗ) and `inv_sqrt_bc2` = 1 / sqrt(1 − β2ᵗ),
 * so the learning-rate schedule and bias correction change without rebuilding the graph.
 */
export interface AdamScalars {
  lrBc1: ValueRef;
  invSqrtBc2: ValueRef;
}

/**
 * One Adam update exactly as torch.optim.Adam writes it (eps added after the bias-corrected square
 * root): m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²; p ← p − lr/(1−β1ᵗ) · m / (sqrt(v)/sqrt(1−β2ᵗ) + eps).
 */
export function adamUpdate(
  g: GraphBuilder,
  cfg: AdamConfig,
  s: AdamScalars,
  param: ValueRef,
  grad: ValueRef,
  m: ValueRef,
  v: ValueRef,
): { param: ValueRef; m: ValueRef; v: ValueRef } {
  const mixed = (state: ValueRef, beta: number, value: ValueRef) =>
    g.op('Add', [g.op('Mul', [state, g.constFloat(beta)]), g.op('Mul', [value, g.constFloat(1 - beta)])]);
  const mNew = mixed(m, cfg.beta1, grad);
  const vNew = mixed(v, cfg.beta2, g.op('Mul', [grad, grad]));
  const denom = g.op('Add', [g.op('Mul', [g.op('Sqrt', [vNew]), s.invSqrtBc2]), g.constFloat(cfg.eps)]);
  const step = g.op('Mul', [g.op('Div', [mNew, denom]), s.lrBc1]);
  return { param: g.op('Sub', [param, step]), m: mNew, v: vNew };
}

/** The bias-corrected scalars for step t (1-based) at learning rate lr. */
export function adamScalars(cfg: AdamConfig, lr: number, t: number): { lrBc1: number; invSqrtBc2: number } {
  return { lrBc1: lr / (1 - cfg.beta1 ** t), invSqrtBc2: 1 / Math.sqrt(1 - cfg.beta2 ** t) };
}
