import type { Tokenizer } from '../../formats/index.js';
import type { Corpus } from '../../corpus/index.js';
import { mulberry32 } from '../../corpus/index.js';
import { tokenWindows } from '../../corpus/windows.js';

/**
 * The pieces of the activation stream that involve no model: consecutive token windows grouped into
 * chunks, the per-chunk shuffle, and the cutting of shuffled rows into fixed-size batches.
 */

/** A run of consecutive windows: the unit that is computed, shuffled and (on resume) skipped. */
export interface TokenChunk {
  /** 0, 1, 2 … in corpus order */
  index: number;
  /** [nWindows, contextLength] token ids, row-major */
  ids: BigInt64Array;
  nWindows: number;
  /** nWindows · contextLength */
  nTokens: number;
}

export interface ChunkReadOptions {
  contextLength: number;
  windowsPerChunk: number;
  maxTokens?: number;
}

/** Chunks of `windowsPerChunk` windows (the corpus's last chunk may hold fewer); only one chunk's ids are held. */
export async function* tokenChunks(corpus: Corpus, tokenizer: Tokenizer, options: ChunkReadOptions): AsyncGenerator<TokenChunk> {
  const { contextLength, windowsPerChunk } = options;
  const windowOptions = { contextLength, ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}) };
  let ids = new BigInt64Array(windowsPerChunk * contextLength);
  let nWindows = 0;
  let index = 0;
  const chunk = (): TokenChunk => ({ index: index++, ids: ids.subarray(0, nWindows * contextLength), nWindows, nTokens: nWindows * contextLength });
  for await (const window of tokenWindows(corpus, tokenizer, windowOptions)) {
    const base = nWindows * contextLength;
    for (let t = 0; t < contextLength; t++) ids[base + t] = BigInt(window.ids[t]);
    if (++nWindows < windowsPerChunk) continue;
    yield chunk();
    ids = new BigInt64Array(windowsPerChunk * contextLength);
    nWindows = 0;
  }
  if (nWindows > 0) yield chunk();
}

/**
 * A 32-bit seed for chunk `chunk` of a run seeded `seed`: an integer hash (murmur3's finaliser), so
 * neighbouring chunks and neighbouring seeds get unrelated shuffles.
 */
export function chunkSeed(seed: number, chunk: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul((chunk + 1) >>> 0, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** [n] a Fisher–Yates permutation of 0..n-1, fixed by (seed, chunk). */
export function chunkPermutation(n: number, seed: number, chunk: number): Uint32Array {
  const random = mulberry32(chunkSeed(seed, chunk));
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

export interface CutBatch {
  index: number;
  /** [batchTokens, width], row-major; a fresh array the consumer owns */
  x: Float32Array;
}

/**
 * Cuts rows, in the order given, into batches of exactly `batchTokens`. A batch may take its first
 * rows from one chunk and the rest from the next: the partial batch carries over between `take`s.
 */
export class BatchCutter {
  #pending: Float32Array;
  #fill = 0;
  #next: number;

  constructor(
    readonly batchTokens: number,
    readonly width: number,
    firstIndex: number,
  ) {
    this.#pending = new Float32Array(batchTokens * width);
    this.#next = firstIndex;
  }

  /** Rows waiting for the next batch (dropped if the stream ends here). */
  get pendingRows(): number {
    return this.#fill;
  }

  /** Batches completed by rows `order[from..]` of `rows` [*, width]. */
  *take(rows: Float32Array, order: Uint32Array, from: number): Generator<CutBatch> {
    const w = this.width;
    for (let i = from; i < order.length; i++) {
      const r = order[i];
      this.#pending.set(rows.subarray(r * w, (r + 1) * w), this.#fill * w);
      if (++this.#fill < this.batchTokens) continue;
      const x = this.#pending;
      this.#pending = new Float32Array(this.batchTokens * w);
      this.#fill = 0;
      yield { index: this.#next++, x };
    }
  }
}
