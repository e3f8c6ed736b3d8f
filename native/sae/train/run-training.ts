import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadTokenizer } from '../../formats/tokenizer.js';
import { openCorpus } from '../../corpus/open.js';
import { loadTransformer } from '../../models/load.js';
import type { Provider } from '../../onnx/ort.js';
import type { CanonicalSae } from '../canonical.js';
import { refuseTranscoder } from '../canonical.js';
import { loadSae } from '../formats/load.js';
import { writeSaeLens } from '../saelens-writer.js';
import { openActivationStream } from './activations.js';
import type { ActivationStreamStats } from './activations.js';
import type { TrainActivation } from './step-graph.js';
import { TrainingError, trainSae } from './trainer.js';
import type { TrainProgress, TrainResult } from './trainer.js';

/** Everything `loupe train` and the training job take: plain data, so a job can store it. */
export interface TrainingConfig {
  model: string;
  hook: string;
  corpus: string;
  dSae: number;
  activation: TrainActivation;
  tokens: number;
  out: string;
  batchTokens?: number;
  contextLength?: number;
  lr?: number;
  seed?: number;
  /** Split one feature: initialise from this SAE's latents. */
  initFrom?: string;
  normalizeInitFrom?: boolean;
  /** Split one feature: train on tokens where feature `feature` of `sae` exceeds `threshold` (plus a `background` fraction of any tokens). */
  filter?: { sae: string; feature: number; threshold: number; background?: number };
  /** Hold the filter feature's latent at zero in the new SAE (it must be initialised from the filter SAE). */
  zeroFilterFeature?: boolean;
  /** How the latents beyond initFrom's start: 'random' (default) or 'data' (aimed at the filter feature when there is one). */
  newLatents?: 'random' | 'data';
  /**
   * Split one feature without touching the rest: train only the filter feature and the new latents;
   * the other latents copied from initFrom, and b_dec, stay exactly its own (needs filter.sae = initFrom).
   */
  freezeOthers?: boolean;
  /** Training batches without a firing before a latent counts as dead and gets the AuxK loss (default: a tenth of the run, at least 4). */
  deadBatches?: number;
  provider?: Provider;
  threads?: number;
}

export interface TrainingOutcome {
  out: string;
  dIn: number;
  steps: number;
  tokensSeen: number;
  final: TrainProgress | undefined;
  resumedFromStep: number;
  provider: string;
  fallbackMessage?: string;
  /** what the run drew from: corpus tokens scanned, tokens each epoch goes over (the sample, or the filter's rows), epochs, invalid UTF-8 replaced */
  data: TrainingData;
  /** the latents beyond --init-from's, and how many ended dead (null without --init-from) */
  newLatents: { count: number; dead: number } | null;
}

/**
 * Trains an SAE on a model's activations over a corpus and writes it to `out` in SAELens format with
 * `training_log.json`. Checkpoints live in `out/checkpoint/` while the run is in progress (a rerun with
 * the same settings resumes from them) and are removed when it completes.
 */
export interface TrainingHooks {
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
  onWarning?: (m: string) => void;
  /** Before the first step, while the corpus is sampled or run through the filter. */
  onScan?: (scan: { tokens: number; kept: number; filtering: boolean }) => void;
}

export async function runTraining(config: TrainingConfig, hooks: TrainingHooks = {}): Promise<TrainingOutcome> {
  const { weights, dir } = loadTransformer(config.model);
  const modelName = basename(dir);
  const tokenizer = await loadTokenizer(dir);
  const initFrom = config.initFrom ? loadSae(config.initFrom) : undefined;
  if (initFrom) refuseTranscoder(initFrom, "training from an SAE's weights (--init-from)");
  const filterSae = config.filter ? (config.filter.sae === config.initFrom ? initFrom : loadSae(config.filter.sae)) : undefined;
  if (config.zeroFilterFeature && (!config.filter || !initFrom || config.filter.sae !== config.initFrom)) {
    throw new TrainingError(
      'zeroing the filtered feature needs --filter-feature and --init-from the same SAE (its latent is the one held at zero)',
    );
  }
  if (config.freezeOthers && (!config.filter || !initFrom || config.filter.sae !== config.initFrom)) {
    throw new TrainingError(
      'freezing the other latents needs --filter-feature and --init-from the same SAE (the feature and the new latents are what trains)',
    );
  }
  if (config.freezeOthers && initFrom && config.dSae <= initFrom.dSae && config.zeroFilterFeature) {
    throw new TrainingError('with the other latents frozen, the feature zeroed and no new latent, nothing would train: widen the SAE');
  }
  const stream = await openActivationStream({
    model: weights,
    modelName,
    tokenizer,
    corpus: openCorpus(config.corpus),
    hook: config.hook,
    contextLength: config.contextLength,
    batchTokens: config.batchTokens ?? 4096,
    tokens: config.tokens,
    seed: config.seed ?? 0,
    ...(config.filter && filterSae
      ? {
          filter: {
            sae: filterSae,
            feature: config.filter.feature,
            threshold: config.filter.threshold,
            background: config.filter.background ?? 0,
          },
        }
      : {}),
    provider: config.provider,
    intraOpNumThreads: config.threads,
    signal: hooks.signal,
    onWarning: hooks.onWarning,
    onScan: hooks.onScan,
  });
  const checkpointDir = join(config.out, 'checkpoint');
  const result = await trainSae(
    {
      dIn: stream.dIn,
      dSae: config.dSae,
      activation: config.activation,
      totalTokens: config.tokens,
      batchTokens: stream.batchTokens,
      seed: config.seed ?? 0,
      lr: config.lr,
      initFrom,
      normalizeInitFrom: config.normalizeInitFrom,
      ...(config.newLatents === 'data'
        ? {
            newLatents: {
              from: 'data' as const,
              ...(config.filter && config.filter.sae === config.initFrom ? { feature: config.filter.feature } : {}),
            },
          }
        : {}),
      ...(config.deadBatches !== undefined ? { deadTokens: config.deadBatches * stream.batchTokens } : {}),
      blockedLatents: config.zeroFilterFeature && config.filter ? [config.filter.feature] : undefined,
      ...(config.freezeOthers && config.filter && initFrom
        ? { trainableLatents: splitLatents(config.filter.feature, initFrom.dSae, config.dSae, config.zeroFilterFeature === true) }
        : {}),
      provider: config.provider,
      intraOpNumThreads: config.threads,
      checkpointDir,
      signal: hooks.signal,
      onProgress: hooks.onProgress,
    },
    stream,
  );
  const sae = toCanonical(result, stream.dIn, config, modelName);
  writeSaeLens(config.out, sae, {
    context_size: stream.contextLength,
    dataset_path: config.corpus,
    seed: config.seed ?? 0,
    training_tokens: result.tokensSeen,
    loupe_training: trainingSummary(config, result),
  });
  writeFileSync(
    join(config.out, 'training_log.json'),
    `${JSON.stringify({ config, normalization: result.normalization, steps: result.steps, tokensSeen: result.tokensSeen, deadFraction: result.deadFraction, newLatents: result.newLatents ?? null, data: trainingData(stream.stats, result.steps), log: result.log }, null, 2)}\n`,
  );
  rmSync(checkpointDir, { recursive: true, force: true });
  const { stats } = stream;
  return {
    out: config.out,
    dIn: stream.dIn,
    steps: result.steps,
    tokensSeen: result.tokensSeen,
    final: result.log.at(-1),
    resumedFromStep: result.resumedFromStep,
    provider: result.provider,
    ...(result.fallbackMessage ? { fallbackMessage: result.fallbackMessage } : {}),
    data: trainingData(stats, result.steps),
    newLatents: result.newLatents ?? null,
  };
}

/** A split's trainable latents: the feature (unless zeroed) and every latent beyond the narrow SAE's. */
function splitLatents(feature: number, narrow: number, dSae: number, zeroed: boolean): number[] {
  return [...(zeroed ? [] : [feature]), ...Array.from({ length: Math.max(0, dSae - narrow) }, (_, i) => narrow + i)];
}

export interface TrainingData {
  tokensScanned: number;
  tokensKept: number;
  epochs: number;
  invalidUtf8: number;
}

function trainingData(stats: ActivationStreamStats, steps: number): TrainingData {
  return {
    tokensScanned: stats.tokens,
    tokensKept: stats.tokensKept,
    epochs: steps / Math.max(1, stats.batchesPerEpoch),
    invalidUtf8: stats.invalidUtf8,
  };
}

/** The trained state as a canonical SAE: W_enc back to [dIn, dSae]. */
function toCanonical(result: TrainResult, dIn: number, config: TrainingConfig, modelName: string): CanonicalSae {
  const { wEncT, bEnc, wDec, bDec } = result.state.params;
  const dSae = bEnc.length;
  const wEnc = new Float32Array(dIn * dSae);
  for (let j = 0; j < dSae; j++) for (let i = 0; i < dIn; i++) wEnc[i * dSae + j] = wEncT[j * dIn + i];
  if (config.zeroFilterFeature && config.filter) removeLatent(wEnc, bEnc, wDec, dIn, dSae, config.filter.feature);
  const act = config.activation;
  return {
    source: { path: config.out, format: 'loupe' },
    dIn,
    dSae,
    wEnc,
    bEnc,
    wDec,
    bDec,
    activation: act.kind === 'topk' ? { kind: 'topk', k: act.k } : { kind: 'relu' },
    subtractDecoderBias: true,
    inputNorm: 'none',
    inputScale: 1,
    hookName: config.hook,
    modelName,
    config: {},
  };
}

/**
 * The zeroed feature was held inactive during training, but the copy of the narrow SAE's weights it
 * started from is still there: written as is, it would fire again in the saved SAE and appear as its
 * own child in every splitting tree. Its encoder column, bias and decoder row are zeroed, so the
 * saved latent never fires and adds nothing.
 */
function removeLatent(wEnc: Float32Array, bEnc: Float32Array, wDec: Float32Array, dIn: number, dSae: number, latent: number): void {
  for (let i = 0; i < dIn; i++) {
    wEnc[i * dSae + latent] = 0;
    wDec[latent * dIn + i] = 0;
  }
  bEnc[latent] = 0;
}

function trainingSummary(config: TrainingConfig, result: TrainResult): Record<string, unknown> {
  const final = result.log.at(-1);
  return {
    activation: config.activation,
    tokens: result.tokensSeen,
    steps: result.steps,
    final_nmse: final?.nmse ?? null,
    final_l0: final?.l0 ?? null,
    dead_fraction: result.deadFraction,
    dead_new_latents: result.newLatents ?? null,
    init_from: config.initFrom ?? null,
    filter: config.filter ?? null,
    zero_filter_feature: config.zeroFilterFeature ?? false,
    new_latents: config.newLatents ?? 'random',
    freeze_others: config.freezeOthers ?? false,
  };
}
