/**
 * Σ a_f · a_g over tokens for chosen pairs (each feature f and its `k` neighbours g), so that with
 * each feature's Σa, Σa² and the token count the Pearson correlation of the two activations over
 * the indexed tokens follows exactly. Per token only the active latents are visited.
 */
export class PairCorrelation {
  /** [dSae, k] */ readonly cross: Float64Array;
  readonly #value: Float32Array;
  readonly #stamp: Int32Array;
  #token = 0;

  constructor(
    /** [dSae, k] the neighbours of each feature */ readonly neighbours: Int32Array,
    readonly dSae: number,
    readonly k: number,
  ) {
    this.cross = new Float64Array(dSae * k);
    this.#value = new Float32Array(dSae);
    this.#stamp = new Int32Array(dSae).fill(-1);
  }

  /** One token's active latents. */
  addToken(features: Int32Array, values: Float32Array, from: number, to: number): void {
    const token = this.#token++;
    for (let i = from; i < to; i++) {
      this.#value[features[i]] = values[i];
      this.#stamp[features[i]] = token;
    }
    for (let i = from; i < to; i++) {
      const f = features[i];
      for (let r = 0; r < this.k; r++) {
        const g = this.neighbours[f * this.k + r];
        if (g >= 0 && this.#stamp[g] === token) this.cross[f * this.k + r] += values[i] * this.#value[g];
      }
    }
  }

  /** Pearson correlation of f and its r-th neighbour over n tokens (absent activations are 0); null when either never fires. */
  correlation(f: number, r: number, n: number, sum: Float64Array, sumSq: Float64Array): number | null {
    const g = this.neighbours[f * this.k + r];
    if (g < 0) return null;
    const varF = n * sumSq[f] - sum[f] * sum[f];
    const varG = n * sumSq[g] - sum[g] * sum[g];
    if (!(varF > 0) || !(varG > 0)) return null;
    const c = (n * this.cross[f * this.k + r] - sum[f] * sum[g]) / Math.sqrt(varF * varG);
    return Math.max(-1, Math.min(1, c));
  }

  serialize(): Uint8Array {
    return new Uint8Array(this.cross.slice().buffer);
  }

  restore(bytes: Uint8Array): void {
    if (bytes.byteLength !== this.cross.byteLength)
      throw new Error(`index checkpoint "pairs" holds ${bytes.byteLength} bytes, expected ${this.cross.byteLength}`);
    this.cross.set(new Float64Array(bytes.slice().buffer));
  }
}
