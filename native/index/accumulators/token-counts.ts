/**
 * Exact firing counts per (feature, token): for each feature an open-addressing hash table of
 * (token + 1, count) pairs in one Uint32Array (8 bytes a slot, linear probing, power-of-two
 * capacity kept at most 80 % full, so 10–20 bytes per distinct pair), which becomes a plain
 * [dVocab] count array once that is smaller. Tables grow one feature at a time, so growing never
 * holds two copies of more than one feature's table.
 *
 * Memory is capped before each allocation. A feature whose table may not grow counts no new
 * tokens: their firings are added to its `uncounted` total instead. Every count kept stays exact
 * (a pair is either in the table from its first firing or never), and a token that is not listed
 * fired at most `uncounted` times, which is the honest bound a feature page shows.
 *
 * What the tables hold is a function of the distinct pairs seen and their counts only (capacities
 * follow from sizes, the cap is checked against the sum of capacities), so a table restored from
 * its serialised entries continues exactly as the original would.
 */
export class TokenCounts {
  /** per feature: hash slots [2 × capacity] (token + 1, count), or counts [dVocab] when dense[f] */
  readonly #tables: (Uint32Array | undefined)[];
  /** [dSae] distinct tokens counted */ readonly #sizes: Uint32Array;
  /** [dSae] 1 where the table is a dense [dVocab] count array */ readonly #dense: Uint8Array;
  /** [dSae] firings not counted by token because the memory cap stopped the feature's table growing */
  readonly uncounted: Float64Array;
  /** bytes of count tables held now */
  bytes = 0;

  constructor(
    readonly dSae: number,
    readonly dVocab: number,
    /** the most bytes all tables together may hold */
    readonly maxBytes: number,
  ) {
    if (!Number.isSafeInteger(dVocab) || dVocab < 1) throw new RangeError(`a vocabulary of ${dVocab} tokens cannot be counted`);
    this.#tables = new Array(dSae).fill(undefined);
    this.#sizes = new Uint32Array(dSae);
    this.#dense = new Uint8Array(dSae);
    this.uncounted = new Float64Array(dSae);
  }

  add(feature: number, token: number): void {
    if (!(token >= 0 && token < this.dVocab)) throw new RangeError(`token id ${token} is outside the vocabulary of ${this.dVocab}`);
    const table = this.#tables[feature];
    if (table !== undefined) {
      if (this.#dense[feature] === 1) {
        if (table[token]++ === 0) this.#sizes[feature]++;
        return;
      }
      const slot = findSlot(table, token);
      if (table[slot] !== 0) {
        table[slot + 1]++;
        return;
      }
      if (this.#sizes[feature] + 1 <= MAX_LOAD * (table.length >>> 1)) {
        table[slot] = token + 1;
        table[slot + 1] = 1;
        this.#sizes[feature]++;
        return;
      }
    }
    if (this.#grow(feature)) this.add(feature, token);
    else this.uncounted[feature]++;
  }

  /** The feature's `n` most frequent tokens, most first (ties by token id), with exact counts. */
  top(feature: number, n: number): { tokenId: number; count: number }[] {
    const out: { tokenId: number; count: number }[] = [];
    if (n < 1) return out;
    this.forEach(feature, (tokenId, count) => {
      if (out.length === n) {
        if (!ranksBefore(count, tokenId, out[n - 1])) return;
        out.pop();
      }
      let at = out.length;
      out.push({ tokenId, count });
      while (at > 0 && ranksBefore(count, tokenId, out[at - 1])) {
        out[at] = out[at - 1];
        at--;
      }
      out[at] = { tokenId, count };
    });
    return out;
  }

  /** Calls `fn` for every token the feature fired on that was counted, in no particular order. */
  forEach(feature: number, fn: (tokenId: number, count: number) => void): void {
    const table = this.#tables[feature];
    if (table === undefined) return;
    if (this.#dense[feature] === 1) {
      for (let t = 0; t < table.length; t++) if (table[t] !== 0) fn(t, table[t]);
      return;
    }
    for (let i = 0; i < table.length; i += 2) if (table[i] !== 0) fn(table[i] - 1, table[i + 1]);
  }

  /** Distinct (feature, token) pairs counted, over all features. */
  pairs(): number {
    let n = 0;
    for (let f = 0; f < this.dSae; f++) n += this.#sizes[f];
    return n;
  }

  /** Replaces the feature's table by its next one (first, doubled, or dense); false when the cap forbids it. */
  #grow(feature: number): boolean {
    const old = this.#tables[feature];
    const oldBytes = old?.byteLength ?? 0;
    const capacity = grownCapacity(old === undefined ? 0 : old.length >>> 1, this.dVocab);
    const words = capacity === DENSE ? this.dVocab : 2 * capacity;
    if (this.bytes - oldBytes + 4 * words > this.maxBytes) return false;
    const table = new Uint32Array(words);
    this.bytes += table.byteLength - oldBytes;
    if (old !== undefined) {
      for (let i = 0; i < old.length; i += 2) {
        if (old[i] === 0) continue;
        if (capacity === DENSE) table[old[i] - 1] = old[i + 1];
        else {
          const slot = findSlot(table, old[i] - 1);
          table[slot] = old[i];
          table[slot + 1] = old[i + 1];
        }
      }
    }
    this.#tables[feature] = table;
    this.#dense[feature] = capacity === DENSE ? 1 : 0;
    return true;
  }

  /**
   * Layout: [dSae, dVocab] then [dSae] sizes, [dSae] uncounted, then each feature's pairs
   * (token, count) in feature order; all uint32 little-endian.
   */
  serialize(): Uint8Array {
    const out = new Uint32Array(2 + 2 * this.dSae + 2 * this.pairs());
    out[0] = this.dSae;
    out[1] = this.dVocab;
    out.set(this.#sizes, 2);
    out.set(this.uncounted, 2 + this.dSae);
    let at = 2 + 2 * this.dSae;
    for (let f = 0; f < this.dSae; f++) {
      this.forEach(f, (token, count) => {
        out[at++] = token;
        out[at++] = count;
      });
    }
    return new Uint8Array(out.buffer);
  }

  /** The tables `serialize` wrote, each with the capacity its size implies (as if grown pair by pair). */
  static deserialize(dSae: number, dVocab: number, maxBytes: number, bytes: Uint8Array): TokenCounts {
    const bad = (why: string) => new Error(`index checkpoint "tokenCounts" ${why}; start the run afresh`);
    if (bytes.byteLength % 4 !== 0 || bytes.byteLength < 8 + 8 * dSae)
      throw bad(`holds ${bytes.byteLength} bytes, too few for ${dSae} features`);
    const words = new Uint32Array(bytes.slice().buffer);
    if (words[0] !== dSae || words[1] !== dVocab)
      throw bad(`was written for ${words[0]} features and ${words[1]} tokens, not ${dSae} and ${dVocab}`);
    const acc = new TokenCounts(dSae, dVocab, maxBytes);
    let at = 2 + 2 * dSae;
    for (let f = 0; f < dSae; f++) {
      const size = words[2 + f];
      acc.uncounted[f] = words[2 + dSae + f];
      if (at + 2 * size > words.length) throw bad('is cut short');
      if (size > 0) acc.#place(f, words.subarray(at, at + 2 * size));
      at += 2 * size;
    }
    if (at !== words.length) throw bad(`has ${words.length - at} words left over`);
    return acc;
  }

  /** Restores one feature's (token, count) pairs into the table a run that saw them would hold. */
  #place(feature: number, pairs: Uint32Array): void {
    const size = pairs.length / 2;
    let capacity = grownCapacity(0, this.dVocab);
    while (capacity !== DENSE && size > MAX_LOAD * capacity) capacity = grownCapacity(capacity, this.dVocab);
    const table = new Uint32Array(capacity === DENSE ? this.dVocab : 2 * capacity);
    for (let i = 0; i < pairs.length; i += 2) {
      const token = pairs[i];
      if (token >= this.dVocab)
        throw new Error(`index checkpoint "tokenCounts" holds token id ${token}, outside the vocabulary of ${this.dVocab}`);
      if (capacity === DENSE) table[token] = pairs[i + 1];
      else {
        const slot = findSlot(table, token);
        table[slot] = token + 1;
        table[slot + 1] = pairs[i + 1];
      }
    }
    this.#tables[feature] = table;
    this.#dense[feature] = capacity === DENSE ? 1 : 0;
    this.#sizes[feature] = size;
    this.bytes += table.byteLength;
  }
}

/** A hash table's first capacity in pairs (128 bytes). */
const MIN_CAPACITY = 16;
/** Highest fill before a table grows: linear probing stays short below it. */
const MAX_LOAD = 0.8;
const DENSE = -1;

/** The capacity after `capacity` (0 for no table yet): doubled, or DENSE once a [dVocab] count array is no bigger. */
function grownCapacity(capacity: number, dVocab: number): number {
  const next = capacity === 0 ? MIN_CAPACITY : 2 * capacity;
  return next * 8 >= dVocab * 4 ? DENSE : next;
}

/** Index into `table` of the token's pair, or of the empty slot where it goes. */
function findSlot(table: Uint32Array, token: number): number {
  const capacity = table.length >>> 1;
  const mask = capacity - 1;
  const key = token + 1;
  // Fibonacci hashing: the top bits of token × 2^32/φ spread consecutive ids across the table.
  let i = Math.imul(key, 0x9e3779b1) >>> (Math.clz32(capacity) + 1);
  for (;;) {
    const k = table[2 * i];
    if (k === key || k === 0) return 2 * i;
    i = (i + 1) & mask;
  }
}

function ranksBefore(count: number, tokenId: number, other: { tokenId: number; count: number }): boolean {
  return count > other.count || (count === other.count && tokenId < other.tokenId);
}

/**
 * The most bytes the tables can ever need, given at most `maxFirings` firings: a hash table holds a
 * pair in at most 20 bytes (just after doubling, 40 % full) and a feature never more than a dense
 * [dVocab] array; plus one table being regrown.
 */
export function tokenCountsWorstCaseBytes(dSae: number, dVocab: number, maxFirings: number): number {
  const dense = 4 * dVocab;
  return Math.min(dSae * dense, 20 * maxFirings + dSae * MIN_CAPACITY * 8) + dense;
}
