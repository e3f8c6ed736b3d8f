import { checkTokenIds } from '../../models/forward.js';
import type { TokenIds } from '../../models/forward.js';
import type { TransformerConfig } from '../../models/config.js';
import { resolveHooks } from '../../models/hooks.js';
import type { TransformerWeights } from '../../models/weights.js';
import type { GraphBuilder } from '../../onnx/graph.js';
import { createSession } from '../../onnx/ort.js';
import type { OrtSession, SessionOptions } from '../../onnx/ort.js';
import { SaeError, assertHookWidth } from '../canonical.js';
import type { CanonicalSae } from '../canonical.js';
import { reconstructionSplice, zeroSplice } from '../splices.js';
import { measureAblationSparsity } from './ablation-sparsity.js';
import type { AblationSparsityReport } from './ablation-sparsity.js';
import { LossAccumulator, TARGETS_INPUT, TOKEN_LOSS_OUTPUT, lossForwardGraph, targetsFeed } from './ce-loss.js';
import { decoderCosineReport } from './decoder-cosines.js';
import { ReconstructionStats, STATS_OUTPUTS, addReconstructionStats } from './reconstruction-stats.js';
import type { ReconstructionSummary } from './reconstruction-stats.js';
import type { EvalReport } from './types.js';

/** A token window: its ids, [contextLength] (a TokenWindow from tokenWindows, or bare ids). */
export type EvalWindow = Int32Array | { ids: Int32Array };

export interface EvaluateOptions extends SessionOptions {
  /** the model hook the SAE reads (default: the SAE's hook_name) */
  hook?: string;
  /** for messages and the report */
  modelName?: string;
  /** windows per forward pass (default 8) */
  batchSize?: number;
  /** a latent firing on more than this fraction of tokens is dense (default 0.1) */
  denseThreshold?: number;
  /** ablation sparsity on the first `windows` windows (default 8), `latents` sampled (default 32); false skips it */
  ablation?: { latents?: number; windows?: number; seed?: number } | false;
  /** decoder cosine histogram (bins over [-1, 1], default 40); false skips it */
  cosines?: { bins?: number; seed?: number; blockRows?: number } | false;
  /** after each batch, with the tokens evaluated so far */
  onProgress?: (tokens: number) => void;
}

export const DEFAULT_DENSE_THRESHOLD = 0.1;

/** The hook the SAE reads: the one asked for, else the SAE's own; the error says how to give one. */
export function evalHook(sae: CanonicalSae, hook?: string): string {
  const name = hook ?? sae.hookName;
  if (!name) throw new SaeError(sae.source.path, 'the SAE names no hook (hook_name); say which model hook it reads (--hook)');
  return name;
}

/** Width of a hook's activation: dMlp inside the MLP, dModel everywhere else. */
export function hookWidth(config: TransformerConfig, hook: string): number {
  const [ref] = resolveHooks(config, [hook]);
  return ref.point.startsWith('mlp.') ? config.dMlp : config.dModel;
}

/**
 * One streamed pass over `windows`: per batch, the clean forward pass (its hook feeds the SAE's
 * reconstruction statistics in the same graph), the pass with the SAE's reconstruction spliced in,
 * and the pass with the hook zeroed, each reduced to per-token losses inside the graph. Then ablation
 * sparsity on the first windows and the decoder cosine histogram.
 */
export async function evaluateSae(
  model: TransformerWeights,
  sae: CanonicalSae,
  windows: AsyncIterable<EvalWindow> | Iterable<EvalWindow>,
  options: EvaluateOptions = {},
): Promise<EvalReport> {
  const { hook: asked, modelName = 'the model', batchSize = 8, denseThreshold = DEFAULT_DENSE_THRESHOLD, ablation = {}, cosines = {}, onProgress, ...session } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const hook = evalHook(sae, asked);
  assertHookWidth(sae, hookWidth(model.config, hook), modelName, hook);
  const keep = ablation === false ? 0 : (ablation.windows ?? 8);
  const pass = await streamPasses(model, sae, hook, batches(windows, batchSize), keep, session, onProgress);
  let ablationReport: AblationSparsityReport | null = null;
  if (ablation !== false && pass.kept.length > 0) {
    const { latents, seed } = ablation;
    ablationReport = await measureAblationSparsity(model, sae, hook, pass.kept, { ...session, batchSize, ...(latents === undefined ? {} : { latents }), ...(seed === undefined ? {} : { seed }) });
  }
  const cosineReport = cosines === false ? null : await decoderCosineReport(sae.wDec, sae.dSae, sae.dIn, { ...session, ...cosines });
  return {
    model: modelName,
    hook,
    sae: { path: sae.source.path, format: sae.source.format, dIn: sae.dIn, dSae: sae.dSae, activation: describeActivation(sae) },
    tokens: pass.stats.tokens,
    windows: pass.windows,
    contextLength: pass.contextLength,
    provider: pass.provider,
    ...(pass.fallbackMessage ? { fallbackMessage: pass.fallbackMessage } : {}),
    ...reconstructionFields(pass.stats.summary(), sae.dSae, denseThreshold),
    crossEntropy: crossEntropyFields(pass.losses),
    ablationSparsity: ablationReport,
    decoderCosines: cosineReport,
  };
}

interface StreamedPass {
  stats: ReconstructionStats;
  losses: { clean: LossAccumulator; sae: LossAccumulator; zero: LossAccumulator };
  /** the first windows, kept for ablation sparsity */
  kept: Int32Array[];
  windows: number;
  contextLength: number;
  provider: string;
  fallbackMessage?: string;
}

async function streamPasses(
  model: TransformerWeights,
  sae: CanonicalSae,
  hook: string,
  windowBatches: AsyncIterable<Int32Array[]>,
  keep: number,
  session: SessionOptions,
  onProgress?: (tokens: number) => void,
): Promise<StreamedPass> {
  const passes = await preparePasses(model, sae, hook, session);
  const { provider, fallbackMessage } = passes.clean;
  const out: StreamedPass = { stats: new ReconstructionStats(sae.dIn, sae.dSae), losses: { clean: new LossAccumulator(), sae: new LossAccumulator(), zero: new LossAccumulator() }, kept: [], windows: 0, contextLength: 0, provider, ...(fallbackMessage ? { fallbackMessage } : {}) };
  try {
    for await (const batch of windowBatches) {
      out.contextLength ||= batch[0].length;
      const ids = batchIds(batch, out.contextLength, out.windows);
      checkTokenIds(model, ids);
      const feeds = { input_ids: { type: 'int64' as const, dims: ids.dims, data: ids.data }, [TARGETS_INPUT]: targetsFeed(ids) };
      const clean = await passes.clean.run(feeds, [TOKEN_LOSS_OUTPUT, ...Object.values(STATS_OUTPUTS)]);
      out.losses.clean.add(clean[TOKEN_LOSS_OUTPUT].float32());
      out.stats.add(clean, ids.data.length);
      out.losses.sae.add((await passes.sae.run(feeds, [TOKEN_LOSS_OUTPUT]))[TOKEN_LOSS_OUTPUT].float32());
      out.losses.zero.add((await passes.zero.run(feeds, [TOKEN_LOSS_OUTPUT]))[TOKEN_LOSS_OUTPUT].float32());
      out.kept.push(...batch.slice(0, Math.max(0, keep - out.kept.length)));
      out.windows += batch.length;
      onProgress?.(out.stats.tokens);
    }
  } finally {
    await Promise.all(Object.values(passes).map((s: OrtSession) => s.release()));
  }
  if (out.windows === 0) throw new RangeError('no token windows to evaluate on');
  return out;
}

function reconstructionFields(recon: ReconstructionSummary, dSae: number, denseThreshold: number): Pick<EvalReport, 'reconstruction' | 'latents'> {
  const dense = recon.firingCounts.filter((c) => c > denseThreshold * recon.tokens).length;
  const dead = recon.firingCounts.filter((c) => c === 0).length;
  return {
    reconstruction: {
      fvu: finite(recon.fvu),
      explainedVariance: finite(1 - recon.fvu),
      mse: recon.mse,
      baselineSquaredError: recon.baselineSquaredError,
      l0: recon.l0,
    },
    latents: {
      dSae,
      dead: { count: dead, fraction: dead / dSae, definition: `never fired (f > 0) on the ${recon.tokens} evaluated tokens` },
      dense: { count: dense, fraction: dense / dSae, threshold: denseThreshold, definition: `fired on more than ${denseThreshold * 100}% of the ${recon.tokens} evaluated tokens` },
    },
  };
}

function crossEntropyFields(losses: StreamedPass['losses']): EvalReport['crossEntropy'] {
  const ce = { clean: losses.clean.mean, sae: losses.sae.mean, zeroAblated: losses.zero.mean };
  return {
    ...ce,
    lossRecovered: finite((ce.zeroAblated - ce.sae) / (ce.zeroAblated - ce.clean)),
    deltaLoss: ce.sae - ce.clean,
    predictedTokens: losses.clean.tokens,
  };
}

interface Passes {
  clean: OrtSession;
  sae: OrtSession;
  zero: OrtSession;
}

async function preparePasses(model: TransformerWeights, sae: CanonicalSae, hook: string, options: SessionOptions): Promise<Passes> {
  const clean = lossForwardGraph(model, { hooks: [hook] });
  addReconstructionStats(clean, sae, clean.op('Reshape', [clean.value(hook), clean.constInt64([-1, sae.dIn])]));
  const spliced = lossForwardGraph(model, { splices: new Map([[hook, reconstructionSplice(sae)]]) });
  const zeroed = lossForwardGraph(model, { splices: new Map([[hook, zeroSplice()]]) });
  // Not the shared session cache: one evaluation uses each graph once, and hashing the weights would cost time.
  const open = (g: GraphBuilder) => createSession(g.toBytes(), options);
  return { clean: await open(clean), sae: await open(spliced), zero: await open(zeroed) };
}

/** Groups windows into arrays of up to `size`, without reading further ahead than one batch. */
async function* batches(windows: AsyncIterable<EvalWindow> | Iterable<EvalWindow>, size: number): AsyncGenerator<Int32Array[]> {
  let batch: Int32Array[] = [];
  for await (const w of windows) {
    batch.push(w instanceof Int32Array ? w : w.ids);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** int64 [b, seq]; every window must have the first window's length. */
function batchIds(batch: Int32Array[], seq: number, offset: number): TokenIds {
  const data = new BigInt64Array(batch.length * seq);
  batch.forEach((w, b) => {
    if (w.length !== seq) throw new RangeError(`window ${offset + b} has ${w.length} tokens; every window must have ${seq}, as the first does`);
    for (let t = 0; t < seq; t++) data[b * seq + t] = BigInt(w[t]);
  });
  return { dims: [batch.length, seq], data };
}

function describeActivation(sae: CanonicalSae): string {
  const act = sae.activation;
  return act.kind === 'topk' ? `topk (k = ${act.k})` : act.kind;
}

function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
