import { mix32 } from './shuffle.js';
import { CorpusError } from './types.js';

/**
 * A seeded uniform sample of a corpus's token windows, held as ids: what SAE training draws its
 * tokens from, so a run sees the whole corpus in random order instead of streaming it front to back
 * (Brown's documents are ordered by genre, so a front-to-back pass ends its learning-rate decay on
 * humour and romance only).
 *
 * How: every window gets a key, an integer hash of (seed, window index) read as a uniform number;
 * the sample is the windows with the smallest keys, as many as hold `tokens` counted tokens
 * (bottom-k sampling: a uniform random subset, the same one whatever order the corpus arrives in,
 * found with a max-heap in one pass). The pool keeps corpus order; callers permute it per epoch.
 */

/** What the sampler needs of a window: its ids and how many of its positions count. */
export interface SampledWindowInput {
  index: number;
  /** [contextLength] */ ids: Int32Array;
  /** [contextLength] 1 where the position counts (see windows.ts); absent: every position counts */
  counted?: Uint8Array;
}

export interface WindowPool {
  contextLength: number;
  /** windows in the pool */
  n: number;
  /** [n · contextLength] ids, window-major, in corpus order */
  ids: Int32Array;
  /** [n · contextLength] 1 where the position counts */
  counted: Uint8Array;
  /** [n] the windows' indices in the corpus's window stream */
  windowIndex: Int32Array;
  /** counted positions in the pool */
  countedTokens: number;
  /** windows and counted tokens the corpus offered (the sample is drawn from all of them) */
  scannedWindows: number;
  scannedTokens: number;
}

export interface WindowSampleOptions {
  contextLength: number;
  /** counted tokens wanted; the whole corpus when it holds fewer */
  tokens: number;
  seed: number;
}

/** A key in [0, 1) for window `index` of a run seeded `seed` (murmur3's finaliser over both). */
export function windowKey(seed: number, index: number): number {
  return mix32(seed, index) / 4294967296;
}

interface Held {
  key: number;
  index: number;
  ids: Int32Array;
  counted: Uint8Array;
  n: number;
}

/** The sample (see the top of this file); a corpus with no window is an error. */
export async function sampleWindows(windows: AsyncIterable<SampledWindowInput>, options: WindowSampleOptions): Promise<WindowPool> {
  const { contextLength, tokens, seed } = options;
  if (!Number.isSafeInteger(tokens) || tokens < 1) throw new RangeError(`tokens must be a positive integer, got ${tokens}`);
  const heap = new MaxHeap();
  let held = 0;
  let scannedWindows = 0;
  let scannedTokens = 0;
  for await (const w of windows) {
    if (w.ids.length !== contextLength) throw new RangeError(`window ${w.index} has ${w.ids.length} tokens, expected ${contextLength}`);
    const counted = w.counted ?? new Uint8Array(contextLength).fill(1);
    let n = 0;
    for (const c of counted) n += c;
    scannedWindows++;
    scannedTokens += n;
    if (n === 0) continue;
    const key = windowKey(seed, w.index);
    if (held >= tokens && key >= heap.top()!.key) continue;
    heap.push({ key, index: w.index, ids: w.ids.slice(), counted: counted.slice(), n });
    held += n;
    while (held - heap.top()!.n >= tokens) held -= heap.pop()!.n;
  }
  if (scannedWindows === 0) throw new CorpusError('the corpus yields no token window');
  const kept = heap.items().sort((a, b) => a.index - b.index);
  const pool: WindowPool = {
    contextLength,
    n: kept.length,
    ids: new Int32Array(kept.length * contextLength),
    counted: new Uint8Array(kept.length * contextLength),
    windowIndex: new Int32Array(kept.length),
    countedTokens: held,
    scannedWindows,
    scannedTokens,
  };
  kept.forEach((w, i) => {
    pool.ids.set(w.ids, i * contextLength);
    pool.counted.set(w.counted, i * contextLength);
    pool.windowIndex[i] = w.index;
  });
  return pool;
}

/** A binary max-heap on `key`. */
class MaxHeap {
  readonly #a: Held[] = [];

  top(): Held | undefined {
    return this.#a[0];
  }

  items(): Held[] {
    return this.#a.slice();
  }

  push(item: Held): void {
    const a = this.#a;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent].key >= a[i].key) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  pop(): Held | undefined {
    const a = this.#a;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let big = i;
      if (l < a.length && a[l].key > a[big].key) big = l;
      if (r < a.length && a[r].key > a[big].key) big = r;
      if (big === i) break;
      [a[big], a[i]] = [a[i], a[big]];
      i = big;
    }
    return top;
  }
}
