import type { ValueRef } from '../../onnx/graph.js';

/** The trained tensors, in the step graph's layout: the encoder transposed so its gradient is row-sparse. */
export interface ParamRefs {
  /** [dSae, dIn] */ wEncT: ValueRef;
  /** [dSae] */ bEnc: ValueRef;
  /** [dSae, dIn] */ wDec: ValueRef;
  /** [dIn] */ bDec: ValueRef;
}

export const PARAM_NAMES = ['wEncT', 'bEnc', 'wDec', 'bDec'] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** What one batch's forward and backward pass yields. */
export interface LossTerms {
  /** [1] the loss the gradients are of */ loss: ValueRef;
  /** [1] the reconstruction term: Σ_n ‖x̂_n − x_n‖² · mseScale / n */ mse: ValueRef;
  /** [1] the AuxK or L1 term, when there is one */ auxLoss?: ValueRef;
  /** scalar: mean active latents per token */ l0: ValueRef;
  /** [dSae] tokens of the batch on which each latent was active */ fired: ValueRef;
  grads: ParamRefs;
}
