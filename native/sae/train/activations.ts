import type { Tokenizer } from '../../formats/index.js';
import type { Corpus } from '../../corpus/index.js';
import type { TransformerWeights } from '../../models/index.js';
import type { Provider } from '../../onnx/ort.js';
import type { SessionCache } from '../../onnx/session-cache.js';
import { BatchCutter, chunkPermutation, tokenChunks } from './activation-chunks.js';
import type { TokenChunk } from './activation-chunks.js';
import { checkFilter, hookWidth, prepareActivationForward } from './activation-forward.js';
import type { ActivationFilter, ActivationForward } from './activation-forward.js';

/**
 * Shuffled activation batches for SAE training, streamed from a model over a corpus and never all in
 * memory.
 *
 * How: the corpus's token windows (native/index/windows.ts: packed, non-overlapping) are grouped into
 * chunks of ⌊chunkTokens / contextLength⌋ consecutive windows. Each chunk's activations at the hook
 * are computed (windowsPerRun windows per model run, runs aligned to the chunk's start), filtered,
 * shuffled with a PRNG seeded by (seed, chunk index), and cut into batches of exactly batchTokens
 * rows; a batch may begin in one chunk and end in the next. At most one chunk's activations plus one
 * partial batch are held: that, not the corpus, bounds memory.
 *
 * Exact resume: batch b of a pass started at b equals batch b of a pass started at 0. The stream skips
 * every chunk that ends before row b · batchTokens without computing its activations, by tokenising
 * only: without a filter a chunk yields exactly its token count. With a filter the kept count is only
 * known by running the model and the filter, so resuming a filtered stream re-runs the model over the
 * skipped chunks (one graph run per window batch, nothing kept but the count).
 *
 * The corpus's end ends the pass (epochs are the trainer's business); the rows that do not fill a
 * last batch are dropped.
 */

export type { ActivationFilter } from './activation-forward.js';

export interface ActivationStreamOptions {
  /** loadTransformer(path).weights */
  model: TransformerWeights;
  /** For error messages ("… gpt2's hook …"); default "the model". */
  modelName?: string;
  tokenizer: Tokenizer;
  /** openCorpus(spec) */
  corpus: Corpus;
  /** TransformerLens hook name, e.g. blocks.6.hook_resid_post */
  hook: string;
  /** Tokens per window (default 128). */
  contextLength?: number;
  /** Rows per batch. */
  batchTokens: number;
  /** Tokens per shuffle chunk (default 65,536; rounded down to whole windows, at least one): the memory bound. */
  chunkTokens?: number;
  /** Windows per model run (default: as many as make 4,096 tokens). */
  windowsPerRun?: number;
  /** Integer in 0 … 2³² − 1: the shuffle. */
  seed: number;
  /** Read no more than this many corpus tokens (whole windows). */
  maxTokens?: number;
  /** Split-one-feature: keep only tokens where this SAE feature exceeds the threshold. */
  filter?: ActivationFilter;
  provider?: Provider;
  intraOpNumThreads?: number;
  cache?: SessionCache;
  signal?: AbortSignal;
  /** Non-fatal news, e.g. a GPU provider that failed and fell back to the CPU. */
  onWarning?: (message: string) => void;
}

export interface ActivationBatch {
  /** 0, 1, 2 …: what a checkpoint stores to resume */
  index: number;
  /** [nTokens, dIn] activations at the hook, row-major */
  x: Float32Array;
  /** Always batchTokens. */
  nTokens: number;
  /** Training tokens delivered through this batch: (index + 1) · batchTokens. */
  tokensSeen: number;
  /** Corpus tokens read (windows · contextLength, skipped chunks included) when this batch was completed. */
  corpusTokens: number;
}

/** Counts for the pass in progress (reset when `batches()` starts again). */
export interface ActivationStreamStats {
  chunks: number;
  /** Chunks passed over on resume without keeping their activations. */
  skippedChunks: number;
  windows: number;
  /** Corpus tokens read: windows · contextLength. */
  tokens: number;
  /** Tokens that went through the model (a resume without a filter skips the rest). */
  forwardTokens: number;
  /** Tokens the filter kept (every token without a filter), skipped chunks included. */
  tokensKept: number;
  /** Invalid UTF-8 sequences the corpus replaced with U+FFFD. */
  invalidUtf8: number;
  /** Chunk activation buffers allocated in this pass (one, reused). */
  chunkBuffers: number;
  /** Most activation rows held at once: one chunk's plus a partial batch's. */
  peakBufferedRows: number;
}

export interface ActivationStream {
  /** The hook's width: the SAE's d_in. */
  readonly dIn: number;
  readonly batchTokens: number;
  readonly contextLength: number;
  readonly windowsPerChunk: number;
  /** windowsPerChunk · contextLength */
  readonly chunkTokens: number;
  readonly provider: string;
  readonly stats: ActivationStreamStats;
  /** Batches startBatch, startBatch + 1, … to the corpus's end. */
  batches(startBatch?: number): AsyncGenerator<ActivationBatch>;
}

/** A filter that never fires, a corpus smaller than one batch. */
export class ActivationStreamError extends Error {
  override name = 'ActivationStreamError';
}

interface Plan {
  contextLength: number;
  batchTokens: number;
  windowsPerChunk: number;
  windowsPerRun: number;
  seed: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function makePlan(opts: ActivationStreamOptions): Plan {
  const contextLength = positiveInteger('contextLength', opts.contextLength ?? 128);
  const { nCtx } = opts.model.config;
  if (contextLength > nCtx) throw new RangeError(`contextLength ${contextLength} exceeds the model's context of ${nCtx} tokens (n_ctx)`);
  const chunkTokens = positiveInteger('chunkTokens', opts.chunkTokens ?? 65_536);
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed >= 2 ** 32) throw new RangeError(`seed must be an integer in 0 … 2^32 − 1, got ${opts.seed}`);
  return {
    contextLength,
    batchTokens: positiveInteger('batchTokens', opts.batchTokens),
    windowsPerChunk: Math.max(1, Math.floor(chunkTokens / contextLength)),
    windowsPerRun: positiveInteger('windowsPerRun', opts.windowsPerRun ?? Math.max(1, Math.floor(4096 / contextLength))),
    seed: opts.seed,
  };
}

function emptyStats(): ActivationStreamStats {
  return { chunks: 0, skippedChunks: 0, windows: 0, tokens: 0, forwardTokens: 0, tokensKept: 0, invalidUtf8: 0, chunkBuffers: 0, peakBufferedRows: 0 };
}

/**
 * Checks the hook, the filter and the options, and builds the model's session; corpus problems (no
 * text, fewer tokens than a window) surface when `batches()` first reads it.
 */
export async function openActivationStream(opts: ActivationStreamOptions): Promise<ActivationStream> {
  const plan = makePlan(opts);
  const width = hookWidth(opts.model.config, opts.hook);
  if (opts.filter) checkFilter(opts.filter, width, opts.modelName ?? 'the model', opts.hook);
  const sessionOptions = {
    ...(opts.provider ? { provider: opts.provider } : {}),
    ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    ...(opts.cache ? { cache: opts.cache } : {}),
  };
  const forward = await prepareActivationForward(opts.model, opts.hook, opts.filter, sessionOptions);
  if (forward.fallbackMessage) opts.onWarning?.(forward.fallbackMessage);
  const stats = emptyStats();
  return {
    dIn: width,
    batchTokens: plan.batchTokens,
    contextLength: plan.contextLength,
    windowsPerChunk: plan.windowsPerChunk,
    chunkTokens: plan.windowsPerChunk * plan.contextLength,
    provider: forward.provider,
    stats,
    batches: (startBatch = 0) => streamBatches(opts, plan, forward, stats, startBatch),
  };
}

async function* streamBatches(
  opts: ActivationStreamOptions,
  plan: Plan,
  forward: ActivationForward,
  stats: ActivationStreamStats,
  startBatch: number,
): AsyncGenerator<ActivationBatch> {
  if (!Number.isSafeInteger(startBatch) || startBatch < 0) throw new RangeError(`startBatch must be an integer ≥ 0, got ${startBatch}`);
  Object.assign(stats, emptyStats());
  const chunkOptions = { contextLength: plan.contextLength, windowsPerChunk: plan.windowsPerChunk, ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}) };
  const cutter = new BatchCutter(plan.batchTokens, forward.width, startBatch);
  const chunkRows = new ChunkRows(forward, opts, plan, stats);
  /** Rows before batch startBatch that are still to pass over. */
  let skip = startBatch * plan.batchTokens;
  for await (const chunk of tokenChunks(opts.corpus, opts.tokenizer, chunkOptions)) {
    opts.signal?.throwIfAborted();
    stats.chunks++;
    stats.windows += chunk.nWindows;
    stats.tokens += chunk.nTokens;
    stats.invalidUtf8 = opts.corpus.stats.invalidUtf8;
    if (!opts.filter && skip >= chunk.nTokens) {
      skip -= chunk.nTokens;
      stats.tokensKept += chunk.nTokens;
      stats.skippedChunks++;
      continue;
    }
    const kept = await chunkRows.compute(chunk);
    stats.tokensKept += kept;
    if (skip > 0 && skip >= kept) {
      skip -= kept;
      stats.skippedChunks++;
      continue;
    }
    stats.peakBufferedRows = Math.max(stats.peakBufferedRows, kept + cutter.pendingRows);
    const order = chunkPermutation(kept, plan.seed, chunk.index);
    for (const { index, x } of cutter.take(chunkRows.rows, order, skip)) {
      yield { index, x, nTokens: plan.batchTokens, tokensSeen: (index + 1) * plan.batchTokens, corpusTokens: stats.tokens };
      opts.signal?.throwIfAborted();
    }
    skip = 0;
  }
  stats.invalidUtf8 = opts.corpus.stats.invalidUtf8;
  checkEnough(opts, plan, stats);
}

/** One reused buffer holding the current chunk's kept activation rows. */
class ChunkRows {
  #rows: Float32Array | null = null;

  constructor(
    readonly forward: ActivationForward,
    readonly opts: ActivationStreamOptions,
    readonly plan: Plan,
    readonly stats: ActivationStreamStats,
  ) {}

  /** [capacity, width]: the first `compute()` rows are the chunk's kept rows, in corpus order. */
  get rows(): Float32Array {
    if (this.#rows === null) throw new Error('no chunk has been computed yet');
    return this.#rows;
  }

  /** Runs the model (and filter) over the chunk's windows; returns how many rows it kept. */
  async compute(chunk: TokenChunk): Promise<number> {
    const { contextLength, windowsPerRun, windowsPerChunk } = this.plan;
    const width = this.forward.width;
    if (this.#rows === null) {
      this.#rows = new Float32Array(windowsPerChunk * contextLength * width);
      this.stats.chunkBuffers++;
    }
    const rows = this.#rows;
    const threshold = this.opts.filter?.threshold;
    let kept = 0;
    for (let w = 0; w < chunk.nWindows; w += windowsPerRun) {
      this.opts.signal?.throwIfAborted();
      const n = Math.min(windowsPerRun, chunk.nWindows - w);
      const ids = chunk.ids.slice(w * contextLength, (w + n) * contextLength);
      const { acts, featureActs } = await this.forward.run(ids, n, contextLength);
      this.stats.forwardTokens += n * contextLength;
      if (featureActs === undefined || threshold === undefined) {
        rows.set(acts, kept * width);
        kept += n * contextLength;
        continue;
      }
      for (let t = 0; t < featureActs.length; t++) {
        if (featureActs[t] > threshold) rows.set(acts.subarray(t * width, (t + 1) * width), kept++ * width);
      }
    }
    return kept;
  }
}

/** At the corpus's end: a filter that never fired, or a corpus too small for one batch, is an error. */
function checkEnough(opts: ActivationStreamOptions, plan: Plan, stats: ActivationStreamStats): void {
  const { filter, corpus } = opts;
  if (filter && stats.tokensKept === 0) {
    throw new ActivationStreamError(
      `the filter kept no tokens: feature ${filter.feature} of SAE ${filter.sae.source.path} never exceeded the threshold ${filter.threshold} ` +
        `in the ${stats.tokens} tokens of corpus "${corpus.spec}" scanned at hook ${opts.hook}`,
    );
  }
  if (stats.tokensKept < plan.batchTokens) {
    const what = filter ? `tokens where feature ${filter.feature} exceeds ${filter.threshold}` : 'tokens';
    throw new ActivationStreamError(
      `corpus "${corpus.spec}" yields ${stats.tokensKept} ${what} (of ${stats.tokens} read), fewer than one batch of ${plan.batchTokens}`,
    );
  }
}
