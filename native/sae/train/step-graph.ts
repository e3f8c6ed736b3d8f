import { GraphBuilder } from '../../onnx/graph.js';
import type { ValueRef } from '../../onnx/graph.js';
import { adamUpdate } from './adam-graph.js';
import type { AdamConfig } from './adam-graph.js';
import { reluGrads } from './relu-grads.js';
import { PARAM_NAMES } from './step-types.js';
import type { LossTerms, ParamName, ParamRefs } from './step-types.js';
import { topkGrads } from './topk-grads.js';

export type TrainActivation =
  | { kind: 'topk'; k: number; /** AuxK loss coefficient (openai: 1/32); 0 turns it off */ auxKCoefficient: number }
  | { kind: 'relu'; l1Coefficient: number };

export interface StepGraphSpec {
  dIn: number;
  dSae: number;
  activation: TrainActivation;
  adam: AdamConfig;
  /** Keep decoder rows unit-norm: project the gradient off each row before Adam, renormalise after. */
  unitNormDecoder: boolean;
  /** Build the AuxK variant (inputs `dead`, `k_aux`); the trainer uses it only while latents are dead. */
  auxK?: boolean;
  /** Add the input `blocked` (bool [dSae]): latents that may never activate (split-one-feature's zeroed feature). */
  blocking?: boolean;
  /**
   * Add the inputs `trainable` (float [dSae], 1 = trained) and `train_b_dec` (float [1]): latents
   * with 0 keep their encoder, bias and decoder row exactly (no gradient, no renormalisation), and
   * b_dec is held when train_b_dec is 0 (split one feature: only it and its new latents move).
   */
  freezing?: boolean;
  /** 'gradients' outputs the raw gradients (`grad.*`) and the loss without updating: for checking. */
  mode?: 'step' | 'gradients';
}

/** Graph input and output names. Parameters keep these shapes: wEncT, wDec [dSae, dIn]; bEnc [dSae]; bDec [dIn]. */
export const stepNames = {
  param: (p: ParamName) => p,
  m: (p: ParamName) => `m.${p}`,
  v: (p: ParamName) => `v.${p}`,
  newParam: (p: ParamName) => `new.${p}`,
  newM: (p: ParamName) => `new.m.${p}`,
  newV: (p: ParamName) => `new.v.${p}`,
  grad: (p: ParamName) => `grad.${p}`,
};

export function paramShape(spec: Pick<StepGraphSpec, 'dIn' | 'dSae'>, p: ParamName): number[] {
  if (p === 'bEnc') return [spec.dSae];
  if (p === 'bDec') return [spec.dIn];
  return [spec.dSae, spec.dIn];
}

/**
 * One training step as one graph: forward, hand-derived backward, Adam, decoder renormalisation.
 * Inputs: `x` [n, dIn], the parameters and Adam moments, `lr_bc1`, `inv_sqrt_bc2` (adam-graph.ts),
 * `mse_scale` [1] (1 / the data's normalisation constant). Outputs the new parameters and moments,
 * `loss`, `mse`, `aux_loss`, `l0` and `fired` [dSae] (tokens each latent fired on, for dead tracking).
 */
export function buildStepGraph(spec: StepGraphSpec): GraphBuilder {
  const g = new GraphBuilder(`sae-train-${spec.activation.kind}${spec.auxK ? '-auxk' : ''}`);
  const { dIn, dSae } = spec;
  const x = g.input('x', 'float32', ['n', dIn]);
  const input = (name: string, p: ParamName) => g.input(name, 'float32', paramShape(spec, p));
  const params = Object.fromEntries(PARAM_NAMES.map((p) => [p, input(stepNames.param(p), p)])) as unknown as ParamRefs;
  const mseScale = g.input('mse_scale', 'float32', [1]);
  const blocked = spec.blocking ? g.input('blocked', 'bool', [dSae]) : undefined;
  const terms = lossTerms(g, spec, params, x, mseScale, blocked);
  g.output(terms.loss, 'loss', 'float32', [1]);
  g.output(terms.mse, 'mse', 'float32', [1]);
  if (terms.auxLoss) g.output(terms.auxLoss, 'aux_loss', 'float32', [1]);
  g.output(terms.l0, 'l0', 'float32', [1]);
  g.output(terms.fired, 'fired', 'float32', [dSae]);
  if (spec.mode === 'gradients') {
    for (const p of PARAM_NAMES) g.output(terms.grads[p], stepNames.grad(p), 'float32', paramShape(spec, p));
    return g;
  }
  const scalars = { lrBc1: g.input('lr_bc1', 'float32', [1]), invSqrtBc2: g.input('inv_sqrt_bc2', 'float32', [1]) };
  const freeze = spec.freezing
    ? { rows: g.input('trainable', 'float32', [dSae]), bDec: g.input('train_b_dec', 'float32', [1]) }
    : undefined;
  /** The gradient with frozen latents' rows (and a held b_dec) zeroed: Adam then leaves them, and their moments, at rest. */
  const masked = (p: ParamName, grad: ValueRef): ValueRef => {
    if (!freeze) return grad;
    if (p === 'bDec') return g.op('Mul', [grad, freeze.bDec]);
    if (p === 'bEnc') return g.op('Mul', [grad, freeze.rows]);
    return g.op('Mul', [grad, g.op('Unsqueeze', [freeze.rows, g.constInt64([1])])]);
  };
  for (const p of PARAM_NAMES) {
    const grad = masked(p, p === 'wDec' && spec.unitNormDecoder ? withoutParallel(g, terms.grads.wDec, params.wDec) : terms.grads[p]);
    const updated = adamUpdate(g, spec.adam, scalars, params[p], grad, input(stepNames.m(p), p), input(stepNames.v(p), p));
    let param = p === 'wDec' && spec.unitNormDecoder ? unitRows(g, updated.param) : updated.param;
    // A frozen decoder row keeps its own norm: it is not renormalised (a copied SAE's rows need not be unit).
    if (p === 'wDec' && freeze) {
      const rows = g.op('Unsqueeze', [freeze.rows, g.constInt64([1])]);
      param = g.op('Add', [params.wDec, g.op('Mul', [rows, g.op('Sub', [param, params.wDec])])]);
    }
    g.output(param, stepNames.newParam(p), 'float32', paramShape(spec, p));
    g.output(updated.m, stepNames.newM(p), 'float32', paramShape(spec, p));
    g.output(updated.v, stepNames.newV(p), 'float32', paramShape(spec, p));
  }
  return g;
}

function lossTerms(
  g: GraphBuilder,
  spec: StepGraphSpec,
  params: ParamRefs,
  x: ValueRef,
  mseScale: ValueRef,
  blocked?: ValueRef,
): LossTerms {
  const act = spec.activation;
  if (act.kind === 'relu') {
    if (spec.auxK) throw new Error('the AuxK loss is defined for TopK SAEs only');
    return reluGrads(g, params, x, act.l1Coefficient, mseScale, blocked);
  }
  const aux = spec.auxK
    ? { dead: g.input('dead', 'bool', [spec.dSae]), kAux: g.input('k_aux', 'int64', [1]), coefficient: act.auxKCoefficient }
    : undefined;
  return topkGrads(g, params, x, act.k, mseScale, blocked, aux);
}

/** grad − (grad · w) w per row: the part of a decoder row's gradient that would only change its norm is dropped. */
function withoutParallel(g: GraphBuilder, grad: ValueRef, w: ValueRef): ValueRef {
  const dot = g.op('ReduceSum', [g.op('Mul', [grad, w]), g.constInt64([1])], { keepdims: 1 });
  return g.op('Sub', [grad, g.op('Mul', [dot, w])]);
}

/** Rows scaled to unit L2 norm. */
export function unitRows(g: GraphBuilder, w: ValueRef): ValueRef {
  const norm = g.op('ReduceL2', [w, g.constInt64([1])], { keepdims: 1 });
  return g.op('Div', [w, g.op('Max', [norm, g.constFloat(1e-12)])]);
}
