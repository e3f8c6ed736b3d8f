/**
 * The tokens each feature fires on most often, with Misra–Gries counters (m per feature): any token
 * making up more than 1/(m+1) of a feature's firings is kept, and its count is at most off by the
 * number of decrements. Deterministic for a given token order; serialisable for resume.
 */
export class FrequentTokens {
  /** [dSae, m] token id, -1 for an empty slot */ readonly tokens: Int32Array;
  /** [dSae, m] */ readonly counts: Int32Array;

  constructor(
    readonly dSae: number,
    readonly m = 32,
  ) {
    this.tokens = new Int32Array(dSae * m).fill(-1);
    this.counts = new Int32Array(dSae * m);
  }

  add(feature: number, token: number): void {
    const base = feature * this.m;
    let empty = -1;
    for (let i = base; i < base + this.m; i++) {
      if (this.tokens[i] === token) {
        this.counts[i]++;
        return;
      }
      if (empty < 0 && this.tokens[i] < 0) empty = i;
    }
    if (empty >= 0) {
      this.tokens[empty] = token;
      this.counts[empty] = 1;
      return;
    }
    for (let i = base; i < base + this.m; i++) {
      if (--this.counts[i] === 0) this.tokens[i] = -1;
    }
  }

  /** The feature's most frequent tokens, most first (ties by token id). */
  top(feature: number, n: number): { tokenId: number; count: number }[] {
    const out: { tokenId: number; count: number }[] = [];
    for (let i = feature * this.m; i < (feature + 1) * this.m; i++) if (this.tokens[i] >= 0) out.push({ tokenId: this.tokens[i], count: this.counts[i] });
    return out.sort((a, b) => b.count - a.count || a.tokenId - b.tokenId).slice(0, n);
  }

  serialize(): Uint8Array {
    const out = new Uint8Array(this.tokens.byteLength * 2);
    out.set(new Uint8Array(this.tokens.buffer), 0);
    out.set(new Uint8Array(this.counts.buffer), this.tokens.byteLength);
    return out;
  }

  static deserialize(dSae: number, m: number, bytes: Uint8Array): FrequentTokens {
    const acc = new FrequentTokens(dSae, m);
    if (bytes.byteLength !== acc.tokens.byteLength * 2) throw new Error(`index checkpoint "frequent" holds ${bytes.byteLength} bytes, expected ${acc.tokens.byteLength * 2}`);
    const copy = bytes.slice();
    acc.tokens.set(new Int32Array(copy.buffer, 0, dSae * m));
    acc.counts.set(new Int32Array(copy.buffer, acc.tokens.byteLength, dSae * m));
    return acc;
  }
}
