import { checkTokenIds } from '../../models/forward.js';
import type { TokenIds } from '../../models/forward.js';
import { hookWidth } from '../../models/hooks.js';
import type { TransformerWeights } from '../../models/weights.js';
import type { GraphBuilder } from '../../onnx/graph.js';
import { createSession } from '../../onnx/ort.js';
import type { OrtSession, SessionOptions } from '../../onnx/ort.js';
import { SaeError, assertHookWidth, isTranscoder, reconstructedHook } from '../canonical.js';
import type { CanonicalSae } from '../canonical.js';
import { SPLICE_MASK_INPUT, maskedSplice, reconstructionSplice, reconstructionSpliceSpec, zeroSplice } from '../splices.js';
import { measureAblationSparsity } from './ablation-sparsity.js';
import type { AblationSparsityReport } from '../../api/eval-report.js';
import { LossAccumulator, TARGETS_INPUT, TOKEN_LOSS_OUTPUT, lossForwardGraph, targetsFeed } from './ce-loss.js';
import { decoderCosineReport } from './decoder-cosines.js';
import { ReconstructionStats, STATS_OUTPUTS, addReconstructionStats } from './reconstruction-stats.js';
import type { ReconstructionSummary } from './reconstruction-stats.js';
import type { EvalReport } from '../../api/eval-report.js';

/**
 * A token window: its ids [contextLength], and which positions count and which are document tokens
 * (a TokenWindow from tokenWindows); bare ids count everywhere. Reconstruction statistics and the
 * next-token losses are taken at counted positions; the SAE (or the zero ablation) is spliced in at
 * every document token, never at the BOS, separators or padding.
 */
export type EvalWindow = Int32Array | { ids: Int32Array; counted?: Uint8Array; inDocument?: Uint8Array };

interface WindowMasks {
  ids: Int32Array;
  counted: Uint8Array;
  inDocument: Uint8Array;
}

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
  const {
    hook: asked,
    modelName = 'the model',
    batchSize = 8,
    denseThreshold = DEFAULT_DENSE_THRESHOLD,
    cosines = {},
    onProgress,
    ...session
  } = options;
  let { ablation = {} } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const hook = evalHook(sae, asked);
  assertHookWidth(sae, hookWidth(model.config, hook), modelName, hook);
  const outputHook = reconstructedHook(sae, hook);
  if (outputHook !== hook) assertHookWidth(sae, hookWidth(model.config, outputHook), modelName, outputHook);
  const notes: string[] = sae.inputScaleFrom ? [`input scale ${sae.inputScaleFrom.kind}: ${sae.inputScaleFrom.detail}`] : [];
  if (isTranscoder(sae) && ablation !== false) {
    notes.push('ablation sparsity is not measured for transcoders yet (it ablates one feature in place at the hook the SAE reads)');
    ablation = false;
  }
  const keep = ablation === false ? 0 : (ablation.windows ?? 8);
  const pass = await streamPasses(model, sae, hook, batches(windows, batchSize), keep, session, onProgress);
  let ablationReport: AblationSparsityReport | null = null;
  if (ablation !== false && pass.kept.length > 0) {
    const { latents, seed } = ablation;
    ablationReport = await measureAblationSparsity(model, sae, hook, pass.kept, {
      ...session,
      batchSize,
      ...(latents === undefined ? {} : { latents }),
      ...(seed === undefined ? {} : { seed }),
    });
  }
  const cosineReport = cosines === false ? null : await decoderCosineReport(sae.wDec, sae.dSae, sae.dIn, { ...session, ...cosines });
  return {
    model: modelName,
    hook,
    ...(outputHook !== hook ? { outputHook } : {}),
    ...(notes.length > 0 ? { notes } : {}),
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
  /** the first windows' ids, kept for ablation sparsity */
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
  windowBatches: AsyncIterable<WindowMasks[]>,
  keep: number,
  session: SessionOptions,
  onProgress?: (tokens: number) => void,
): Promise<StreamedPass> {
  const passes = await preparePasses(model, sae, hook, session);
  const { provider, fallbackMessage } = passes.clean;
  const out: StreamedPass = {
    stats: new ReconstructionStats(sae.dIn, sae.dSae),
    losses: { clean: new LossAccumulator(), sae: new LossAccumulator(), zero: new LossAccumulator() },
    kept: [],
    windows: 0,
    contextLength: 0,
    provider,
    ...(fallbackMessage ? { fallbackMessage } : {}),
  };
  try {
    for await (const batch of windowBatches) {
      out.contextLength ||= batch[0].ids.length;
      const ids = batchIds(
        batch.map((w) => w.ids),
        out.contextLength,
        out.windows,
      );
      checkTokenIds(model, ids);
      const masks = batchMasks(batch, out.contextLength);
      if (masks.statsRows.length === 0) continue;
      const feeds = { input_ids: { type: 'int64' as const, dims: ids.dims, data: ids.data }, [TARGETS_INPUT]: targetsFeed(ids) };
      const spliced = { ...feeds, [SPLICE_MASK_INPUT]: { type: 'float32' as const, dims: ids.dims, data: masks.inDocument } };
      const clean = await passes.clean.run(
        { ...feeds, [STATS_ROWS_INPUT]: { type: 'int64', dims: [masks.statsRows.length], data: masks.statsRows } },
        [TOKEN_LOSS_OUTPUT, ...Object.values(STATS_OUTPUTS)],
      );
      out.losses.clean.add(clean[TOKEN_LOSS_OUTPUT].float32(), masks.predicting);
      out.stats.add(clean, masks.statsRows.length);
      out.losses.sae.add((await passes.sae.run(spliced, [TOKEN_LOSS_OUTPUT]))[TOKEN_LOSS_OUTPUT].float32(), masks.predicting);
      out.losses.zero.add((await passes.zero.run(spliced, [TOKEN_LOSS_OUTPUT]))[TOKEN_LOSS_OUTPUT].float32(), masks.predicting);
      out.kept.push(...batch.slice(0, Math.max(0, keep - out.kept.length)).map((w) => w.ids));
      out.windows += batch.length;
      onProgress?.(out.stats.tokens);
    }
  } finally {
    await Promise.all(Object.values(passes).map((s: OrtSession) => s.release()));
  }
  if (out.windows === 0) throw new RangeError('no token windows to evaluate on');
  return out;
}

function reconstructionFields(
  recon: ReconstructionSummary,
  dSae: number,
  denseThreshold: number,
): Pick<EvalReport, 'reconstruction' | 'latents'> {
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
      dense: {
        count: dense,
        fraction: dense / dSae,
        threshold: denseThreshold,
        definition: `fired on more than ${denseThreshold * 100}% of the ${recon.tokens} evaluated tokens`,
      },
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

/** Graph input of the clean pass: the flat indices of the counted positions, int64 [m]. */
const STATS_ROWS_INPUT = 'stats_rows';

/**
 * The three passes. A transcoder's statistics compare its output with its output hook's activation,
 * and its splice replaces the output hook (reading the input hook); the zero ablation zeroes the
 * hook the SAE's output replaces.
 */
async function preparePasses(model: TransformerWeights, sae: CanonicalSae, hook: string, options: SessionOptions): Promise<Passes> {
  const target = reconstructedHook(sae, hook);
  const clean = lossForwardGraph(model, { hooks: [...new Set([hook, target])] });
  const counted = clean.input(STATS_ROWS_INPUT, 'int64', ['m']);
  const rowsOf = (name: string) =>
    clean.op('Gather', [clean.op('Reshape', [clean.value(name), clean.constInt64([-1, sae.dIn])]), counted], { axis: 0 });
  const x = rowsOf(hook);
  addReconstructionStats(clean, sae, x, target === hook ? x : rowsOf(target));
  const at = reconstructionSpliceSpec(sae, hook);
  const spliced = lossForwardGraph(model, { hooks: at.hooks, splices: new Map([[at.at, maskedSplice(reconstructionSplice(sae))]]) });
  const zeroed = lossForwardGraph(model, { splices: new Map([[target, maskedSplice(zeroSplice())]]) });
  // Not the shared session cache: one evaluation uses each graph once, and hashing the weights would cost time.
  const open = (g: GraphBuilder) => createSession(g.toBytes(), options);
  return { clean: await open(clean), sae: await open(spliced), zero: await open(zeroed) };
}

/** Groups windows into arrays of up to `size`, without reading further ahead than one batch. */
async function* batches(windows: AsyncIterable<EvalWindow> | Iterable<EvalWindow>, size: number): AsyncGenerator<WindowMasks[]> {
  let batch: WindowMasks[] = [];
  for await (const w of windows) {
    const ids = w instanceof Int32Array ? w : w.ids;
    const all = () => new Uint8Array(ids.length).fill(1);
    batch.push(
      w instanceof Int32Array
        ? { ids, counted: all(), inDocument: all() }
        : { ids, counted: w.counted ?? all(), inDocument: w.inDocument ?? w.counted ?? all() },
    );
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * A batch's masks: the flat indices of its counted positions (reconstruction statistics), where the
 * SAE is spliced in ([b, seq] floats), and which next-token predictions count ([b, seq − 1]: those
 * made at a counted position).
 */
function batchMasks(batch: WindowMasks[], seq: number): { statsRows: BigInt64Array; inDocument: Float32Array; predicting: Uint8Array } {
  const rows: number[] = [];
  const inDocument = new Float32Array(batch.length * seq);
  const predicting = new Uint8Array(batch.length * (seq - 1));
  batch.forEach((w, b) => {
    for (let t = 0; t < seq; t++) {
      inDocument[b * seq + t] = w.inDocument[t];
      if (!w.counted[t]) continue;
      rows.push(b * seq + t);
      if (t < seq - 1) predicting[b * (seq - 1) + t] = 1;
    }
  });
  return { statsRows: BigInt64Array.from(rows, BigInt), inDocument, predicting };
}

/** int64 [b, seq]; every window must have the first window's length. */
function batchIds(batch: Int32Array[], seq: number, offset: number): TokenIds {
  const data = new BigInt64Array(batch.length * seq);
  batch.forEach((w, b) => {
    if (w.length !== seq)
      throw new RangeError(`window ${offset + b} has ${w.length} tokens; every window must have ${seq}, as the first does`);
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
