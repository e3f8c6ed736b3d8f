import { mulberry32 } from '../../api/random.js';

/** The pieces of the activation stream that involve no model: seeded permutations and the cutting of rows into batches. */

/** [n] a Fisher–Yates permutation of 0..n-1, fixed by the seed. */
export function permutation(n: number, seed: number): Uint32Array {
  const random = mulberry32(seed);
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

  /** The index the next completed batch will carry. */
  get nextIndex(): number {
    return this.#next;
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
