import type { Corpus } from '../../corpus/index.js';
import { mulberry32 } from '../../api/random.js';
import { mix32, sampleWindows } from '../../corpus/index.js';
import type { WindowPool } from '../../corpus/index.js';
import { countedTokens, tokenWindows } from '../../corpus/windows.js';
import type { TokenWindow } from '../../corpus/windows.js';
import type { Tokenizer } from '../../formats/index.js';
import type { TransformerWeights } from '../../models/index.js';
import type { Provider } from '../../onnx/ort.js';
import type { SessionCache } from '../../onnx/session-cache.js';
import { BatchCutter, permutation } from './activation-chunks.js';
import { checkFilter, prepareActivationForward } from './activation-forward.js';
import { hookWidth } from '../../models/hooks.js';
import type { ActivationFilter, ActivationForward } from './activation-forward.js';

/**
 * Shuffled activation batches for SAE training, drawn uniformly from the whole corpus.
 *
 * Without a filter: a seeded uniform sample of the corpus's token windows (corpus/window-sample.ts)
 * holding the run's token budget is kept as ids (4 bytes a token). Each epoch visits the sample's
 * windows in a fresh seeded order, `windowsPerChunk` at a time: a chunk's activations at the hook are
 * computed, its counted rows shuffled and cut into batches of exactly batchTokens rows (a batch may
 * span two chunks). Every chunk is a random draw of windows from anywhere in the corpus, so no part
 * of a run (the end of the learning-rate decay included) sees only one part of it. At most one
 * chunk's activations plus one partial batch are held.
 *
 * With a filter (split one feature): the model runs once over the corpus, the rows where the
 * filter feature exceeds the threshold are kept in memory (a seeded uniform reservoir if they would
 * pass `maxFilteredBytes`), and every epoch is a fresh permutation of those same rows: the model is
 * never run again for a second pass.
 *
 * Batches are numbered across epochs (an epoch's last partial batch is dropped), and batch b is the
 * same whether the stream starts at 0 or at b: resuming skips whole chunks by their counted tokens,
 * without running the model.
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
  /** Counted tokens the run will train on: the size of the window sample (the whole corpus when it holds fewer). */
  tokens: number;
  /** Tokens per shuffle chunk (default 65,536; rounded down to whole windows, at least one): the memory bound. */
  chunkTokens?: number;
  /** Windows per model run (default: as many as make 4,096 tokens). */
  windowsPerRun?: number;
  /** Integer in 0 … 2³² − 1: the sample and every shuffle. */
  seed: number;
  /** Read no more than this many counted corpus tokens. */
  maxTokens?: number;
  /** Split-one-feature: keep only tokens where this SAE feature exceeds the threshold. */
  filter?: ActivationFilter;
  /** Memory for the filtered rows (default 1 GiB); beyond it they are a uniform sample of the kept ones. */
  maxFilteredBytes?: number;
  provider?: Provider;
  intraOpNumThreads?: number;
  cache?: SessionCache;
  signal?: AbortSignal;
  /** Non-fatal news, e.g. a GPU provider that failed and fell back to the CPU. */
  onWarning?: (message: string) => void;
  /** While the corpus is read before the first batch (sampled, or run through the filter): counted tokens read so far, and kept. */
  onScan?: (scan: { tokens: number; kept: number; filtering: boolean }) => void;
}

export interface ActivationBatch {
  /** 0, 1, 2 … across epochs: what a checkpoint stores to resume */
  index: number;
  /** the pass over the sample (or the filtered rows) this batch belongs to */
  epoch: number;
  /** [nTokens, dIn] activations at the hook, row-major */
  x: Float32Array;
  /** Always batchTokens. */
  nTokens: number;
}

/** What the stream read and kept. */
export interface ActivationStreamStats {
  /** Windows and counted tokens of the corpus scanned (the sample is drawn from all of them). */
  windows: number;
  tokens: number;
  /** Windows and counted tokens held: the sample, or every window scanned for a filter. */
  sampleWindows: number;
  sampleTokens: number;
  /** Rows each epoch goes over: the sample's counted tokens, or the rows the filter kept (after the reservoir). */
  tokensKept: number;
  /** Rows the filter passed before the reservoir (= tokensKept unless memory capped them). */
  filterPassed: number;
  /** Batches in one epoch. */
  batchesPerEpoch: number;
  /** Tokens that went through the model since the stream opened. */
  forwardTokens: number;
  /** Invalid UTF-8 sequences the corpus replaced with U+FFFD. */
  invalidUtf8: number;
  /** Chunk activation buffers allocated (one, reused). */
  chunkBuffers: number;
  /** Most activation rows held at once by the unfiltered stream: one chunk's plus a partial batch's. */
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
  /** Batches startBatch, startBatch + 1, … without end (epoch after epoch); the caller stops. */
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
  positiveInteger('tokens', opts.tokens);
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed >= 2 ** 32)
    throw new RangeError(`seed must be an integer in 0 … 2^32 − 1, got ${opts.seed}`);
  return {
    contextLength,
    batchTokens: positiveInteger('batchTokens', opts.batchTokens),
    windowsPerChunk: Math.max(1, Math.floor(chunkTokens / contextLength)),
    windowsPerRun: positiveInteger('windowsPerRun', opts.windowsPerRun ?? Math.max(1, Math.floor(4096 / contextLength))),
    seed: opts.seed,
  };
}

function emptyStats(): ActivationStreamStats {
  return {
    windows: 0,
    tokens: 0,
    sampleWindows: 0,
    sampleTokens: 0,
    tokensKept: 0,
    filterPassed: 0,
    batchesPerEpoch: 0,
    forwardTokens: 0,
    invalidUtf8: 0,
    chunkBuffers: 0,
    peakBufferedRows: 0,
  };
}

/** Seeds of the stream's shuffles: one per epoch for the window order, one per (epoch, chunk) for the rows. */
const epochSeed = (seed: number, epoch: number) => mix32(seed, 2 * epoch + 1);
const chunkSeed = (seed: number, epoch: number, chunk: number) => mix32(epochSeed(seed, epoch), chunk);

/**
 * Checks the hook, the filter and the options, and builds the model's session; the corpus is read
 * (sampled, or run through the filter) when `batches()` first needs it.
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
  const source = opts.filter ? new FilteredRows(opts, plan, forward, stats) : new SampledWindows(opts, plan, forward, stats);
  return {
    dIn: width,
    batchTokens: plan.batchTokens,
    contextLength: plan.contextLength,
    windowsPerChunk: plan.windowsPerChunk,
    chunkTokens: plan.windowsPerChunk * plan.contextLength,
    provider: forward.provider,
    stats,
    batches: (startBatch = 0) => {
      if (!Number.isSafeInteger(startBatch) || startBatch < 0) throw new RangeError(`startBatch must be an integer ≥ 0, got ${startBatch}`);
      return source.batches(startBatch);
    },
  };
}

/** The windows, reporting the counted tokens read every 64 windows. */
async function* reportScan(windows: AsyncIterable<TokenWindow>, opts: ActivationStreamOptions): AsyncGenerator<TokenWindow> {
  let tokens = 0;
  let n = 0;
  for await (const w of windows) {
    tokens += countedTokens(w);
    if (++n % 64 === 0) opts.onScan?.({ tokens, kept: tokens, filtering: false });
    yield w;
  }
}

function windowsOf(opts: ActivationStreamOptions, plan: Plan): AsyncGenerator<TokenWindow> {
  return tokenWindows(opts.corpus, opts.tokenizer, {
    contextLength: plan.contextLength,
    ...(opts.maxTokens !== undefined ? { maxTokens: opts.maxTokens } : {}),
  });
}

/** The unfiltered stream: epochs over a uniform window sample (see the top of this file). */
class SampledWindows {
  #pool: WindowPool | null = null;
  #rows: Float32Array | null = null;

  constructor(
    readonly opts: ActivationStreamOptions,
    readonly plan: Plan,
    readonly forward: ActivationForward,
    readonly stats: ActivationStreamStats,
  ) {}

  async #sample(): Promise<WindowPool> {
    if (this.#pool) return this.#pool;
    const { opts, plan, stats } = this;
    const pool = await sampleWindows(reportScan(windowsOf(opts, plan), opts), {
      contextLength: plan.contextLength,
      tokens: opts.tokens,
      seed: plan.seed,
    });
    Object.assign(stats, {
      windows: pool.scannedWindows,
      tokens: pool.scannedTokens,
      sampleWindows: pool.n,
      sampleTokens: pool.countedTokens,
      tokensKept: pool.countedTokens,
      filterPassed: pool.countedTokens,
      invalidUtf8: opts.corpus.stats.invalidUtf8,
    });
    stats.batchesPerEpoch = Math.floor(pool.countedTokens / plan.batchTokens);
    if (stats.batchesPerEpoch === 0) {
      throw new ActivationStreamError(
        `corpus "${opts.corpus.spec}" yields ${pool.scannedTokens} tokens (of ${pool.scannedWindows} windows read), fewer than one batch of ${plan.batchTokens}`,
      );
    }
    this.#pool = pool;
    return pool;
  }

  async *batches(startBatch: number): AsyncGenerator<ActivationBatch> {
    const pool = await this.#sample();
    const { plan, stats } = this;
    const perEpoch = stats.batchesPerEpoch;
    for (let epoch = Math.floor(startBatch / perEpoch); ; epoch++) {
      const first = epoch * perEpoch;
      const from = Math.max(startBatch, first);
      const cutter = new BatchCutter(plan.batchTokens, this.forward.width, from);
      const order = permutation(pool.n, epochSeed(plan.seed, epoch));
      let skip = (from - first) * plan.batchTokens;
      for (let c = 0; c * plan.windowsPerChunk < pool.n; c++) {
        this.opts.signal?.throwIfAborted();
        const windows = order.subarray(c * plan.windowsPerChunk, (c + 1) * plan.windowsPerChunk);
        const counted = countedIn(pool, windows);
        if (skip >= counted) {
          skip -= counted;
          continue;
        }
        const rows = await this.#compute(pool, windows);
        stats.peakBufferedRows = Math.max(stats.peakBufferedRows, counted + cutter.pendingRows);
        const rowOrder = permutation(counted, chunkSeed(plan.seed, epoch, c));
        for (const { index, x } of cutter.take(rows, rowOrder, skip)) {
          if (index >= first + perEpoch) break;
          yield { index, epoch, x, nTokens: plan.batchTokens };
          this.opts.signal?.throwIfAborted();
        }
        skip = 0;
        if (cutter.nextIndex >= first + perEpoch) break;
      }
    }
  }

  /** The counted rows of these pool windows, in their order, in one reused buffer. */
  async #compute(pool: WindowPool, windows: Uint32Array): Promise<Float32Array> {
    const { contextLength, windowsPerRun, windowsPerChunk } = this.plan;
    const width = this.forward.width;
    if (this.#rows === null) {
      this.#rows = new Float32Array(windowsPerChunk * contextLength * width);
      this.stats.chunkBuffers++;
    }
    const rows = this.#rows;
    let kept = 0;
    for (let w = 0; w < windows.length; w += windowsPerRun) {
      this.opts.signal?.throwIfAborted();
      const run = windows.subarray(w, w + windowsPerRun);
      const ids = new BigInt64Array(run.length * contextLength);
      run.forEach((p, i) => {
        for (let t = 0; t < contextLength; t++) ids[i * contextLength + t] = BigInt(pool.ids[p * contextLength + t]);
      });
      const { acts } = await this.forward.run(ids, run.length, contextLength);
      this.stats.forwardTokens += run.length * contextLength;
      run.forEach((p, i) => {
        for (let t = 0; t < contextLength; t++) {
          if (!pool.counted[p * contextLength + t]) continue;
          const r = i * contextLength + t;
          rows.set(acts.subarray(r * width, (r + 1) * width), kept++ * width);
        }
      });
    }
    return rows;
  }
}

/**
 * A seeded uniform sample of rows offered one at a time (Algorithm R): all of them while they fit
 * `capacity`, then each new one replaces a random kept one with probability capacity / seen. The
 * buffer grows by doubling up to the capacity, so a rare feature holds little memory.
 */
class RowReservoir {
  rows: Float32Array;
  n = 0;
  seen = 0;
  readonly #random: () => number;

  constructor(
    readonly width: number,
    readonly capacity: number,
    seed: number,
  ) {
    this.rows = new Float32Array(Math.min(capacity, 4096) * width);
    this.#random = mulberry32(seed);
  }

  offer(acts: Float32Array, r: number): void {
    const w = this.width;
    this.seen++;
    let slot = this.n;
    if (this.n >= this.capacity) {
      slot = Math.floor(this.#random() * this.seen);
      if (slot >= this.capacity) return;
    } else {
      if ((this.n + 1) * w > this.rows.length) {
        const grown = new Float32Array(Math.min(this.capacity, 2 * (this.rows.length / w)) * w);
        grown.set(this.rows);
        this.rows = grown;
      }
      this.n++;
    }
    this.rows.set(acts.subarray(r * w, (r + 1) * w), slot * w);
  }
}

function countedIn(pool: WindowPool, windows: Uint32Array): number {
  let n = 0;
  const L = pool.contextLength;
  for (const p of windows) for (let t = 0; t < L; t++) n += pool.counted[p * L + t];
  return n;
}

/** The filtered stream: one pass of the model over the corpus, then epochs over the kept rows. */
class FilteredRows {
  #rows: Float32Array | null = null;
  #n = 0;

  constructor(
    readonly opts: ActivationStreamOptions,
    readonly plan: Plan,
    readonly forward: ActivationForward,
    readonly stats: ActivationStreamStats,
  ) {}

  /**
   * Runs the model and the filter over the corpus once; keeps the passing rows (a seeded reservoir
   * past the memory cap) and, for a background mix, a seeded reservoir of all counted rows from which
   * the background share is drawn.
   */
  async #gather(): Promise<void> {
    if (this.#rows) return;
    const { opts, plan, stats } = this;
    const filter = opts.filter as ActivationFilter;
    const width = this.forward.width;
    const background = filter.background ?? 0;
    const bytes = opts.maxFilteredBytes ?? 2 ** 30;
    const capacity = Math.max(plan.batchTokens, Math.floor((background > 0 ? bytes / 2 : bytes) / (4 * width)));
    const passing = new RowReservoir(width, capacity, mix32(plan.seed, 0x5eed));
    const all = background > 0 ? new RowReservoir(width, capacity, mix32(plan.seed, 0xba5e)) : null;
    const { contextLength, windowsPerRun } = plan;
    let batch: TokenWindow[] = [];
    const run = async () => {
      opts.signal?.throwIfAborted();
      const ids = new BigInt64Array(batch.length * contextLength);
      batch.forEach((w, i) => {
        for (let t = 0; t < contextLength; t++) ids[i * contextLength + t] = BigInt(w.ids[t]);
      });
      const { acts, featureActs } = await this.forward.run(ids, batch.length, contextLength);
      stats.forwardTokens += batch.length * contextLength;
      batch.forEach((w, i) => {
        for (let t = 0; t < contextLength; t++) {
          if (!w.counted[t]) continue;
          const r = i * contextLength + t;
          if ((featureActs as Float32Array)[r] > filter.threshold) passing.offer(acts, r);
          all?.offer(acts, r);
        }
      });
      batch = [];
    };
    for await (const w of windowsOf(opts, plan)) {
      stats.windows++;
      stats.tokens += countedTokens(w);
      batch.push(w);
      if (batch.length < windowsPerRun) continue;
      await run();
      opts.onScan?.({ tokens: stats.tokens, kept: passing.seen, filtering: true });
    }
    if (batch.length > 0) await run();
    const passed = passing.seen;
    if (passed === 0) {
      throw new ActivationStreamError(
        `the filter kept no tokens: feature ${filter.feature} of SAE ${filter.sae.source.path} never exceeded the threshold ${filter.threshold} ` +
          `in the ${stats.tokens} tokens of corpus "${opts.corpus.spec}" scanned at hook ${opts.hook}`,
      );
    }
    if (passing.n < passed)
      opts.onWarning?.(`the filter passed ${passed} tokens; a uniform sample of ${passing.n} of them fits the memory for filtered rows`);
    // Background rows so that they make `background` of the rows: b / (kept + b) = background.
    const nBackground = all ? Math.min(all.n, Math.round((passing.n * background) / (1 - background))) : 0;
    const rows = new Float32Array((passing.n + nBackground) * width);
    rows.set(passing.rows.subarray(0, passing.n * width));
    if (all) rows.set(all.rows.subarray(0, nBackground * width), passing.n * width);
    const n = passing.n + nBackground;
    Object.assign(stats, {
      sampleWindows: stats.windows,
      sampleTokens: stats.tokens,
      tokensKept: n,
      filterPassed: passed,
      invalidUtf8: opts.corpus.stats.invalidUtf8,
    });
    stats.batchesPerEpoch = Math.floor(n / plan.batchTokens);
    if (stats.batchesPerEpoch === 0) {
      throw new ActivationStreamError(
        `corpus "${opts.corpus.spec}" yields ${passing.n} tokens where feature ${filter.feature} exceeds ${filter.threshold}${nBackground > 0 ? ` (and ${nBackground} background tokens)` : ''} (of ${stats.tokens} read), fewer than one batch of ${plan.batchTokens}`,
      );
    }
    this.#rows = rows;
    this.#n = n;
  }

  async *batches(startBatch: number): AsyncGenerator<ActivationBatch> {
    await this.#gather();
    const rows = this.#rows as Float32Array;
    const { plan, stats } = this;
    const perEpoch = stats.batchesPerEpoch;
    for (let epoch = Math.floor(startBatch / perEpoch); ; epoch++) {
      const first = epoch * perEpoch;
      const from = Math.max(startBatch, first);
      const order = permutation(this.#n, epochSeed(plan.seed, epoch));
      const cutter = new BatchCutter(plan.batchTokens, this.forward.width, from);
      for (const { index, x } of cutter.take(rows, order, (from - first) * plan.batchTokens)) {
        if (index >= first + perEpoch) break;
        yield { index, epoch, x, nTokens: plan.batchTokens };
        this.opts.signal?.throwIfAborted();
      }
    }
  }
}
