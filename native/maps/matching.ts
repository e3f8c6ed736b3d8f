import { cosineTopK } from '../onnx/cosine-neighbours.js';
import type { SparseActs } from '../sae/sparse-acts.js';
import type { SessionOptions } from '../onnx/ort.js';
import type { PairMatches } from '../store/compare-table.js';

/**
 * Matching a wider SAE's features to a narrower one's (feature splitting, Bricken et al. 2023):
 * every wide feature's candidate parents are its nearest narrow decoder directions by cosine (one
 * blocked Gemm + TopK in ONNX Runtime, never the [nWide, nNarrow] matrix in JavaScript), and the
 * correlation of the two activations over the same tokens picks the best of those candidates.
 */

/** One SAE's decoder. */
export interface DecoderMatrix {
  dSae: number;
  dIn: number;
  /** [dSae, dIn], row-major */
  wDec: Float32Array;
}

/** Each wide feature's `n` nearest narrow features by decoder cosine, best first. */
export interface ParentCandidates {
  nWide: number;
  nNarrow: number;
  n: number;
  /** [nWide, n] narrow feature indices */ parents: Int32Array;
  /** [nWide, n] decoder cosines */ cosines: Float32Array;
}

export async function parentCandidates(
  narrow: DecoderMatrix,
  wide: DecoderMatrix,
  n: number,
  options: SessionOptions = {},
): Promise<ParentCandidates> {
  if (narrow.dIn !== wide.dIn)
    throw new RangeError(`decoders of width ${narrow.dIn} and ${wide.dIn} cannot be matched: one hook has one width`);
  const take = Math.min(n, narrow.dSae);
  const { indices, cosines } = await cosineTopK({
    ...options,
    queries: wide.wDec,
    nQueries: wide.dSae,
    keys: narrow.wDec,
    nKeys: narrow.dSae,
    d: wide.dIn,
    k: take,
  });
  return { nWide: wide.dSae, nNarrow: narrow.dSae, n: take, parents: indices, cosines };
}

/**
 * Σa, Σa² and the firing count of every feature of 2–3 SAEs over the same tokens, and Σ a_w · a_p
 * for every wide feature w and each of its candidate parents p, so Pearson correlations follow
 * exactly. Per token only active latents are visited: k_wide × candidates products per pair.
 */
export class CoactivationStats {
  tokens = 0;
  /** per SAE: [dSae] */ readonly sum: Float64Array[];
  /** per SAE: [dSae] */ readonly sumSq: Float64Array[];
  /** per SAE: [dSae] */ readonly fires: Float64Array[];
  /** per pair: [nWide, n] */ readonly cross: Float64Array[];
  /** per pair: [nWide, n] tokens on which the wide feature and its candidate both fire */ readonly cofire: Float64Array[];
  readonly #value: Float32Array[];
  readonly #stamp: Int32Array[];

  constructor(
    readonly widths: readonly number[],
    /** pair p: SAE p + 1's candidates among SAE p's features */
    readonly candidates: readonly ParentCandidates[],
  ) {
    if (candidates.length !== widths.length - 1)
      throw new RangeError(`${widths.length} SAEs make ${widths.length - 1} pairs, got ${candidates.length}`);
    candidates.forEach((c, p) => {
      if (c.nNarrow !== widths[p] || c.nWide !== widths[p + 1])
        throw new RangeError(`pair ${p}: candidates of [${c.nWide} → ${c.nNarrow}] for SAEs of ${widths[p + 1]} and ${widths[p]} features`);
    });
    this.sum = widths.map((d) => new Float64Array(d));
    this.sumSq = widths.map((d) => new Float64Array(d));
    this.fires = widths.map((d) => new Float64Array(d));
    this.cross = candidates.map((c) => new Float64Array(c.nWide * c.n));
    this.cofire = candidates.map((c) => new Float64Array(c.nWide * c.n));
    this.#value = widths.map((d) => new Float32Array(d));
    this.#stamp = widths.map((d) => new Int32Array(d).fill(-1));
  }

  /** One batch: each SAE's active latents on the same nTokens tokens. */
  add(acts: readonly SparseActs[]): void {
    if (acts.length !== this.widths.length) throw new RangeError(`${acts.length} activation sets for ${this.widths.length} SAEs`);
    const nTokens = acts[0].nTokens;
    if (acts.some((a) => a.nTokens !== nTokens)) throw new RangeError('every SAE must be encoded on the same tokens');
    for (let t = 0; t < nTokens; t++) {
      const token = this.tokens++;
      acts.forEach((a, s) => this.#addSae(s, a, t, token));
      this.candidates.forEach((c, p) => this.#addPair(p, c, acts[p + 1], t, token));
    }
  }

  #addSae(s: number, a: SparseActs, t: number, token: number): void {
    const [sum, sumSq, fires, value, stamp] = [this.sum[s], this.sumSq[s], this.fires[s], this.#value[s], this.#stamp[s]];
    for (let i = a.rowStart[t]; i < a.rowStart[t + 1]; i++) {
      const f = a.features[i];
      const v = a.values[i];
      sum[f] += v;
      sumSq[f] += v * v;
      fires[f] += 1;
      value[f] = v;
      stamp[f] = token;
    }
  }

  #addPair(p: number, c: ParentCandidates, wide: SparseActs, t: number, token: number): void {
    const { n, parents } = c;
    const cross = this.cross[p];
    const cofire = this.cofire[p];
    const value = this.#value[p];
    const stamp = this.#stamp[p];
    for (let i = wide.rowStart[t]; i < wide.rowStart[t + 1]; i++) {
      const w = wide.features[i];
      for (let r = 0; r < n; r++) {
        const parent = parents[w * n + r];
        if (parent < 0 || stamp[parent] !== token) continue;
        cross[w * n + r] += wide.values[i] * value[parent];
        cofire[w * n + r]++;
      }
    }
  }

  /** Pearson correlation of wide feature w of pair p with its r-th candidate (absent activations are 0); NaN when either never varies. */
  correlation(p: number, w: number, r: number): number {
    const c = this.candidates[p];
    const parent = c.parents[w * c.n + r];
    if (parent < 0) return Number.NaN;
    const n = this.tokens;
    const [sw, sqw, sp, sqp] = [this.sum[p + 1][w], this.sumSq[p + 1][w], this.sum[p][parent], this.sumSq[p][parent]];
    const varW = n * sqw - sw * sw;
    const varP = n * sqp - sp * sp;
    if (!(varW > 0) || !(varP > 0)) return Number.NaN;
    const corr = (n * this.cross[p][w * c.n + r] - sw * sp) / Math.sqrt(varW * varP);
    return Math.max(-1, Math.min(1, corr));
  }

  /** [dSae] firing density of SAE s over the tokens seen. */
  density(s: number): Float32Array {
    const out = new Float32Array(this.widths[s]);
    if (this.tokens > 0) for (let f = 0; f < out.length; f++) out[f] = this.fires[s][f] / this.tokens;
    return out;
  }
}

/** Pair p's matches: best parent by cosine (the first candidate), and the candidate with the highest correlation, each with the tokens both fire on. */
export function bestMatches(stats: CoactivationStats, p: number): PairMatches {
  const c = stats.candidates[p];
  const { nWide, n } = c;
  const m: PairMatches = {
    cosParent: new Int32Array(nWide),
    cos: new Float32Array(nWide),
    cosParentCorr: new Float32Array(nWide),
    corrParent: new Int32Array(nWide).fill(-1),
    corr: new Float32Array(nWide).fill(Number.NaN),
    corrParentCos: new Float32Array(nWide).fill(Number.NaN),
    cosParentCofire: new Int32Array(nWide),
    corrParentCofire: new Int32Array(nWide).fill(-1),
  };
  const cofire = stats.cofire[p];
  for (let w = 0; w < nWide; w++) {
    m.cosParent[w] = c.parents[w * n];
    m.cos[w] = c.cosines[w * n];
    m.cosParentCorr[w] = stats.correlation(p, w, 0);
    m.cosParentCofire[w] = cofire[w * n];
    for (let r = 0; r < n; r++) {
      const corr = stats.correlation(p, w, r);
      if (Number.isNaN(corr) || !(Number.isNaN(m.corr[w]) || corr > m.corr[w])) continue;
      m.corr[w] = corr;
      m.corrParent[w] = c.parents[w * n + r];
      m.corrParentCos[w] = c.cosines[w * n + r];
      m.corrParentCofire[w] = cofire[w * n + r];
    }
  }
  return m;
}
