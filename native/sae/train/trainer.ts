import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { TrainPoint } from '../../api/types.js';
import type { Provider } from '../../onnx/ort.js';
import type { CanonicalSae } from '../canonical.js';
import { DEFAULT_ADAM } from './adam-graph.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { DeadLatents } from './dead-latents.js';
import { geometricMedian, initTrainState, meanSquaredDeviation } from './init.js';
import { defaultLearningRate, learningRate } from './schedule.js';
import type { TrainActivation } from './step-graph.js';
import { StepRunner } from './step-runner.js';
import type { TrainState } from './step-runner.js';

/** Where training batches come from: batches b, b + 1, … without end, deterministically (resume asks for b > 0). */
export interface BatchSource {
  batches(startBatch: number): AsyncIterable<{ /** [nTokens, dIn] */ x: Float32Array; nTokens: number }>;
}

export interface TrainOptions {
  dIn: number;
  dSae: number;
  activation: TrainActivation;
  totalTokens: number;
  batchTokens: number;
  seed: number;
  /** default: defaultLearningRate(dSae) */
  lr?: number;
  /** default: 5% of the steps, at most 1000 */
  warmupSteps?: number;
  /** default 0.2 */
  decayFraction?: number;
  /** tokens without firing before a latent counts as dead; default min(10M, totalTokens / 10), at least 4 batches */
  deadTokens?: number;
  /** AuxK's k (default dIn / 2); further capped by the number of dead latents and by memory */
  auxK?: number;
  /** tokens sampled for the geometric median and the MSE normalisation (default 8192) */
  initTokens?: number;
  initFrom?: CanonicalSae;
  normalizeInitFrom?: boolean;
  /**
   * How the latents beyond initFrom's start: at random (default), or from the data (init.ts
   * seedNewLatents), aimed at one feature of initFrom when splitting it.
   */
  newLatents?: { from: 'random' } | { from: 'data'; feature?: number };
  /** latents held at zero (split-one-feature's "zero feature F in the loss") */
  blockedLatents?: readonly number[];
  /**
   * Train only these latents (and not b_dec): the others keep exactly the weights they start from
   * (split one feature: the copied latents stay the narrow SAE's, only F and the new latents move).
   * Dead fractions are then counted over these latents.
   */
  trainableLatents?: readonly number[];
  provider?: Provider;
  intraOpNumThreads?: number;
  /** where checkpoints go; a checkpoint of the same run found there is resumed */
  checkpointDir?: string;
  checkpointSeconds?: number;
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
}

/** One step's numbers (the same shape as the contract's TrainPoint, which the training job sends as job.data). */
export type TrainProgress = TrainPoint;

export interface TrainResult {
  state: TrainState;
  steps: number;
  tokensSeen: number;
  /** E‖x − E[x]‖² of the initial sample */
  normalization: number;
  deadFraction: number;
  /** latents beyond initFrom's (the new ones of a split), and how many of them are dead at the end; absent without initFrom */
  newLatents?: { count: number; dead: number };
  log: TrainProgress[];
  resumedFromStep: number;
  provider: string;
  fallbackMessage?: string;
}

/** Settings or data a run cannot start or go on with; the message says which and why. */
export class TrainingError extends Error {
  override name = 'TrainingError';
}

/** The largest [n, kAux, dIn] gather the AuxK branch may build (floats), about 256 MB. */
const AUX_GATHER_LIMIT = 64 * 1024 * 1024;

/**
 * Trains an SAE by the TopK paper's recipe (or a ReLU SAE with a norm-weighted L1): see init.ts and
 * step-graph.ts. Checkpoints every `checkpointSeconds` and when cancelled; a run with the same
 * settings resumes from its checkpoint and yields the same result as an uninterrupted one.
 */
export async function trainSae(opts: TrainOptions, source: BatchSource): Promise<TrainResult> {
  checkOptions(opts);
  const steps = Math.floor(opts.totalTokens / opts.batchTokens);
  const runKey = runKeyOf(opts);
  const resumed = opts.checkpointDir ? loadCheckpoint(opts.checkpointDir, runKey, opts) : null;
  const start = resumed ?? (await freshStart(opts, source));
  const { state } = start;
  const normalization = start.meta.normalization;
  const dead = new DeadLatents(
    opts.dSae,
    opts.deadTokens ?? Math.max(Math.min(10_000_000, opts.totalTokens / 10), 4 * opts.batchTokens),
    start.sinceFired,
  );
  const runner = new StepRunner(
    {
      dIn: opts.dIn,
      dSae: opts.dSae,
      activation: opts.activation,
      adam: DEFAULT_ADAM,
      unitNormDecoder: opts.activation.kind === 'topk',
      blocking: (opts.blockedLatents?.length ?? 0) > 0,
      freezing: opts.trainableLatents !== undefined,
    },
    { provider: opts.provider, intraOpNumThreads: opts.intraOpNumThreads },
  );
  const blocked = blockedMask(opts);
  const trainable = trainableMask(opts);
  /** Dead latents among those that train (all of them without trainableLatents). */
  const deadAmongTrained = (dead: Uint8Array) => {
    if (!trainable) return dead.reduce((n, d) => n + d, 0) / opts.dSae;
    let n = 0;
    for (let j = 0; j < opts.dSae; j++) if (trainable[j] && dead[j]) n++;
    return n / (opts.trainableLatents as readonly number[]).length;
  };
  const lr = opts.lr ?? defaultLearningRate(opts.dSae);
  const warmup = opts.warmupSteps ?? Math.min(1000, Math.ceil(steps * 0.05));
  const log: TrainProgress[] = start.meta.log;
  let { tokensSeen } = start.meta;
  let lastSave = performance.now();
  const checkpoint = () => {
    if (!opts.checkpointDir) return;
    saveCheckpoint(opts.checkpointDir, state, dead.sinceFired, { runKey, step: state.step, tokensSeen, normalization, log });
    lastSave = performance.now();
  };
  const window = new ProgressWindow();
  for await (const batch of source.batches(state.step)) {
    if (state.step >= steps) break;
    if (opts.signal?.aborted) {
      checkpoint();
      opts.signal.throwIfAborted();
    }
    const all = dead.mask();
    // Frozen latents get no AuxK loss: only dead latents that train count.
    const deadMask = trainable ? all.dead.map((d, j) => (trainable[j] > 0 ? d : 0)) : all.dead;
    const count = trainable ? deadMask.reduce((n, d) => n + d, 0) : all.count;
    const kAux =
      opts.activation.kind === 'topk' && opts.activation.auxKCoefficient > 0
        ? Math.min(opts.auxK ?? Math.floor(opts.dIn / 2), count, Math.floor(AUX_GATHER_LIMIT / (batch.nTokens * opts.dIn)))
        : 0;
    const rate = learningRate(state.step, steps, lr, warmup, opts.decayFraction ?? 0.2);
    const stats = await runner.step(state, {
      x: batch.x,
      nTokens: batch.nTokens,
      lr: rate,
      mseScale: 1 / normalization,
      dead: deadMask,
      kAux,
      blocked,
      ...(trainable ? { trainable, trainDecoderBias: false } : {}),
    });
    dead.update(stats.fired, batch.nTokens);
    tokensSeen += batch.nTokens;
    const progress: TrainProgress = {
      step: state.step,
      steps,
      tokensSeen,
      loss: stats.loss,
      nmse: stats.mse,
      auxLoss: stats.auxLoss,
      l0: stats.l0,
      deadFraction: deadAmongTrained(deadMask),
      lr: rate,
    };
    if (!Number.isFinite(stats.loss))
      throw new TrainingError(
        `training diverged at step ${state.step}: loss is ${stats.loss} (learning rate ${rate.toExponential(2)}); try a lower --lr`,
      );
    window.add(progress);
    if (state.step % logInterval(steps) === 0 || state.step === steps) log.push(window.flush());
    opts.onProgress?.(progress);
    if (opts.checkpointDir && performance.now() - lastSave > (opts.checkpointSeconds ?? 60) * 1000) checkpoint();
    if (state.step >= steps) break;
  }
  if (state.step < steps) throw new TrainingError(`the activation stream ended after ${state.step} of ${steps} steps`);
  checkpoint();
  const provider = await runner.provider();
  const final = dead.mask();
  const from = opts.initFrom?.dSae;
  const newLatents =
    from === undefined ? undefined : { count: opts.dSae - from, dead: final.dead.subarray(from).reduce((n, d) => n + d, 0) };
  return {
    state,
    steps,
    tokensSeen,
    normalization,
    deadFraction: deadAmongTrained(final.dead),
    ...(newLatents ? { newLatents } : {}),
    log,
    resumedFromStep: resumed?.meta.step ?? 0,
    ...provider,
  };
}

async function freshStart(opts: TrainOptions, source: BatchSource) {
  const want = opts.initTokens ?? 8192;
  const parts: Float32Array[] = [];
  let n = 0;
  for await (const batch of source.batches(0)) {
    parts.push(batch.x);
    n += batch.nTokens;
    if (n >= want) break;
  }
  if (n === 0) throw new TrainingError('the activation stream yielded no batch: the corpus holds fewer tokens than one batch');
  const sample = new Float32Array(n * opts.dIn);
  let at = 0;
  for (const p of parts) {
    sample.set(p, at);
    at += p.length;
  }
  const medianRows = Math.min(n, 4096);
  const bDec = geometricMedian(sample.subarray(0, medianRows * opts.dIn), medianRows, opts.dIn);
  const normalization = meanSquaredDeviation(sample, n, opts.dIn);
  if (!(normalization > 0)) throw new TrainingError('the sampled activations have zero variance; nothing to train on');
  const newFromData =
    opts.newLatents?.from === 'data'
      ? { rows: sample, n, ...(opts.newLatents.feature !== undefined ? { feature: opts.newLatents.feature } : {}) }
      : undefined;
  const state = initTrainState({
    dIn: opts.dIn,
    dSae: opts.dSae,
    seed: opts.seed,
    bDec,
    decoderNorm: opts.activation.kind === 'topk' ? 1 : 0.1,
    from: opts.initFrom,
    normalizeFrom: opts.normalizeInitFrom,
    newFromData,
  });
  if (opts.checkpointDir) mkdirSync(opts.checkpointDir, { recursive: true });
  return { state, sinceFired: undefined, meta: { runKey: '', step: 0, tokensSeen: 0, normalization, log: [] } };
}

function checkOptions(opts: TrainOptions): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isSafeInteger(v) || v < min) throw new TrainingError(`${name} is ${v}, expected an integer ≥ ${min}`);
  };
  int('d_in', opts.dIn, 1);
  int('d_sae', opts.dSae, 1);
  int('batch tokens', opts.batchTokens, 1);
  if (opts.totalTokens < opts.batchTokens)
    throw new TrainingError(`--tokens ${opts.totalTokens} is less than one batch of ${opts.batchTokens} tokens`);
  if (opts.activation.kind === 'topk') {
    int('k', opts.activation.k, 1);
    if (opts.activation.k > opts.dSae) throw new TrainingError(`k = ${opts.activation.k} is larger than d_sae = ${opts.dSae}`);
  }
  for (const j of opts.blockedLatents ?? []) int('blocked latent', j, 0);
  for (const j of opts.trainableLatents ?? []) int('trainable latent', j, 0);
  const outside = (opts.trainableLatents ?? []).find((j) => j >= opts.dSae);
  if (outside !== undefined) throw new TrainingError(`trainable latent ${outside} is out of range for d_sae = ${opts.dSae}`);
  if (opts.trainableLatents && opts.trainableLatents.length === 0)
    throw new TrainingError('no latent to train: the trainable list is empty');
  const outOfRange = (opts.blockedLatents ?? []).find((j) => j >= opts.dSae);
  if (outOfRange !== undefined) throw new TrainingError(`blocked latent ${outOfRange} is out of range for d_sae = ${opts.dSae}`);
}

function trainableMask(opts: TrainOptions): Float32Array | undefined {
  if (!opts.trainableLatents) return undefined;
  const mask = new Float32Array(opts.dSae);
  for (const j of opts.trainableLatents) mask[j] = 1;
  return mask;
}

function blockedMask(opts: TrainOptions): Uint8Array | undefined {
  if (!opts.blockedLatents?.length) return undefined;
  const mask = new Uint8Array(opts.dSae);
  for (const j of opts.blockedLatents) mask[j] = 1;
  return mask;
}

/** Everything that changes what a step computes: a checkpoint is resumed only under the same key. */
function runKeyOf(opts: TrainOptions): string {
  const {
    signal: _s,
    onProgress: _p,
    checkpointDir: _c,
    checkpointSeconds: _cs,
    initFrom,
    provider: _pr,
    intraOpNumThreads: _t,
    ...rest
  } = opts;
  return createHash('sha256')
    .update(JSON.stringify({ ...rest, initFrom: initFrom?.source ?? null }))
    .digest('hex')
    .slice(0, 16);
}

/** About 200 log entries per run. */
function logInterval(steps: number): number {
  return Math.max(1, Math.floor(steps / 200));
}

/** Averages progress between log entries, so the log shows trends rather than one batch's noise. */
class ProgressWindow {
  #items: TrainProgress[] = [];

  add(p: TrainProgress): void {
    this.#items.push(p);
  }

  flush(): TrainProgress {
    const items = this.#items;
    const last = items[items.length - 1];
    const mean = (f: (p: TrainProgress) => number) => items.reduce((s, p) => s + f(p), 0) / items.length;
    this.#items = [];
    return { ...last, loss: mean((p) => p.loss), nmse: mean((p) => p.nmse), auxLoss: mean((p) => p.auxLoss), l0: mean((p) => p.l0) };
  }
}
