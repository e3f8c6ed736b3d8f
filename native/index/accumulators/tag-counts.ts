import type { FeatureCandidate } from '../../store/feature-candidates-table.js';

/**
 * For an annotated corpus: how often each feature fires on tokens of each tag, and how many tokens
 * carry each tag, for the candidate label "fires where the token is T" scored by precision, recall
 * and F1 of firing against the tag.
 */
export class TagCounts {
  /** [dSae, nTags] */ readonly both: Uint32Array;
  /** [nTags] */ readonly totals: Float64Array;

  constructor(
    readonly dSae: number,
    readonly nTags: number,
  ) {
    this.both = new Uint32Array(dSae * nTags);
    this.totals = new Float64Array(nTags);
  }

  addToken(tag: number): void {
    if (tag >= 0 && tag < this.nTags) this.totals[tag]++;
  }

  addFiring(feature: number, tag: number): void {
    if (tag >= 0 && tag < this.nTags) this.both[feature * this.nTags + tag]++;
  }

  /** The best `n` tags by F1, given the feature's firing count; tags it never fires on are skipped. */
  candidates(feature: number, fires: number, tagNames: readonly string[], n: number): FeatureCandidate[] {
    const out: Omit<FeatureCandidate, 'rank'>[] = [];
    for (let t = 0; t < this.nTags; t++) {
      const both = this.both[feature * this.nTags + t];
      if (both === 0 || fires === 0 || this.totals[t] === 0) continue;
      const precision = both / fires;
      const recall = both / this.totals[t];
      out.push({ tag: tagNames[t] ?? `#${t}`, precision, recall, f1: (2 * precision * recall) / (precision + recall) });
    }
    return out
      .sort((a, b) => b.f1 - a.f1 || (a.tag < b.tag ? -1 : 1))
      .slice(0, n)
      .map((c, rank) => ({ ...c, rank }));
  }

  serialize(): Uint8Array {
    const out = new Uint8Array(this.both.byteLength + this.totals.byteLength);
    out.set(new Uint8Array(this.both.buffer), 0);
    out.set(new Uint8Array(this.totals.buffer), this.both.byteLength);
    return out;
  }

  static deserialize(dSae: number, nTags: number, bytes: Uint8Array): TagCounts {
    const acc = new TagCounts(dSae, nTags);
    if (bytes.byteLength !== acc.both.byteLength + acc.totals.byteLength)
      throw new Error(`index checkpoint "tags" holds ${bytes.byteLength} bytes for ${nTags} tags`);
    const copy = bytes.slice();
    acc.both.set(new Uint32Array(copy.buffer, 0, acc.both.length));
    acc.totals.set(new Float64Array(copy.buffer, acc.both.byteLength, nTags));
    return acc;
  }
}
