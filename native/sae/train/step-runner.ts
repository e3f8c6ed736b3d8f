import type { Feed, SessionOptions } from '../../onnx/ort.js';
import { sessionCache } from '../../onnx/session-cache.js';
import type { OrtSession } from '../../onnx/ort.js';
import { adamScalars } from './adam-graph.js';
import { buildStepGraph, paramShape, stepNames } from './step-graph.js';
import type { StepGraphSpec } from './step-graph.js';
import { PARAM_NAMES } from './step-types.js';
import type { ParamName } from './step-types.js';

/** The trained tensors and Adam's moments, host-side, in the step graph's layout (step-types.ts). */
export interface TrainState {
  params: Record<ParamName, Float32Array>;
  m: Record<ParamName, Float32Array>;
  v: Record<ParamName, Float32Array>;
  /** Adam steps taken */
  step: number;
}

export interface StepStats {
  loss: number;
  /** the reconstruction term, already divided by the data's normalisation constant */
  mse: number;
  auxLoss: number;
  l0: number;
  /** [dSae] tokens of the batch each latent fired on */
  fired: Float32Array;
}

export interface StepInputs {
  /** [n, dIn] */ x: Float32Array;
  nTokens: number;
  lr: number;
  mseScale: number;
  /** [dSae] 1 for dead latents; with kAux > 0 the AuxK variant runs */
  dead?: Uint8Array;
  kAux?: number;
  /** [dSae] 1 for latents that must stay inactive */
  blocked?: Uint8Array;
  /** [dSae] 1 for latents that train, 0 for frozen ones (a spec with `freezing`); default all train */
  trainable?: Float32Array;
  /** with `freezing`: whether b_dec trains (default true) */
  trainDecoderBias?: boolean;
}

/**
 * Runs training steps: the graph's outputs replace the state's arrays, so the state the caller holds
 * is always the latest. Two sessions at most (with and without AuxK), built on first use.
 */
export class StepRunner {
  readonly #spec: StepGraphSpec;
  readonly #options: SessionOptions;
  readonly #sessions = new Map<boolean, Promise<OrtSession>>();

  constructor(spec: StepGraphSpec, options: SessionOptions = {}) {
    this.#spec = spec;
    this.#options = options;
  }

  get spec(): StepGraphSpec {
    return this.#spec;
  }

  async provider(): Promise<{ provider: string; fallbackMessage?: string }> {
    const s = await this.#session(false);
    return { provider: s.provider, ...(s.fallbackMessage ? { fallbackMessage: s.fallbackMessage } : {}) };
  }

  async step(state: TrainState, inputs: StepInputs): Promise<StepStats> {
    const { dIn, dSae } = this.#spec;
    if (inputs.x.length !== inputs.nTokens * dIn)
      throw new Error(`batch x has ${inputs.x.length} values, expected ${inputs.nTokens} × ${dIn}`);
    const aux = this.#spec.activation.kind === 'topk' && (inputs.kAux ?? 0) > 0 && inputs.dead !== undefined;
    const session = await this.#session(aux);
    const t = state.step + 1;
    const scalars = adamScalars(this.#spec.adam, inputs.lr, t);
    const f32 = (dims: number[], data: Float32Array): Feed => ({ type: 'float32', dims, data });
    const feeds: Record<string, Feed> = {
      x: f32([inputs.nTokens, dIn], inputs.x),
      mse_scale: f32([1], Float32Array.of(inputs.mseScale)),
      lr_bc1: f32([1], Float32Array.of(scalars.lrBc1)),
      inv_sqrt_bc2: f32([1], Float32Array.of(scalars.invSqrtBc2)),
    };
    for (const p of PARAM_NAMES) {
      const dims = paramShape(this.#spec, p);
      feeds[stepNames.param(p)] = f32(dims, state.params[p]);
      feeds[stepNames.m(p)] = f32(dims, state.m[p]);
      feeds[stepNames.v(p)] = f32(dims, state.v[p]);
    }
    if (this.#spec.blocking) feeds.blocked = { type: 'bool', dims: [dSae], data: inputs.blocked ?? new Uint8Array(dSae) };
    if (this.#spec.freezing) {
      feeds.trainable = f32([dSae], inputs.trainable ?? new Float32Array(dSae).fill(1));
      feeds.train_b_dec = f32([1], Float32Array.of(inputs.trainDecoderBias === false ? 0 : 1));
    }
    if (aux) {
      feeds.dead = { type: 'bool', dims: [dSae], data: inputs.dead as Uint8Array };
      feeds.k_aux = { type: 'int64', dims: [1], data: BigInt64Array.of(BigInt(inputs.kAux as number)) };
    }
    const out = await session.run(feeds);
    for (const p of PARAM_NAMES) {
      state.params[p] = out[stepNames.newParam(p)].float32();
      state.m[p] = out[stepNames.newM(p)].float32();
      state.v[p] = out[stepNames.newV(p)].float32();
    }
    state.step = t;
    return {
      loss: out.loss.float32()[0],
      mse: out.mse.float32()[0],
      auxLoss: out.aux_loss ? out.aux_loss.float32()[0] : 0,
      l0: out.l0.float32()[0],
      fired: out.fired.float32(),
    };
  }

  #session(aux: boolean): Promise<OrtSession> {
    let s = this.#sessions.get(aux);
    if (!s) {
      s = sessionCache.get(buildStepGraph({ ...this.#spec, auxK: aux, mode: 'step' }), this.#options);
      this.#sessions.set(aux, s);
    }
    return s;
  }
}
