import type { FeatureStats } from '../../store/feature-stats-table.js';

/** The log-spaced histogram every index run uses: activations from 1e-4 to 1e4, 6 bins a decade; outliers go to the end bins. */
export const HISTOGRAM = { log10Min: -4, log10Max: 4, bins: 48 } as const;

/** Per-feature firing count, sum, sum of squares, maximum and log histogram, over the tokens seen. */
export class FeatureStatsAccumulator {
  /** [dSae] */ readonly fires: Float64Array;
  /** [dSae] */ readonly sum: Float64Array;
  /** [dSae] */ readonly sumSq: Float64Array;
  /** [dSae] */ readonly max: Float64Array;
  /** [dSae, bins] */ readonly hist: Uint32Array;

  constructor(readonly dSae: number) {
    this.fires = new Float64Array(dSae);
    this.sum = new Float64Array(dSae);
    this.sumSq = new Float64Array(dSae);
    this.max = new Float64Array(dSae);
    this.hist = new Uint32Array(dSae * HISTOGRAM.bins);
  }

  add(feature: number, value: number): void {
    this.fires[feature]++;
    this.sum[feature] += value;
    this.sumSq[feature] += value * value;
    if (value > this.max[feature]) this.max[feature] = value;
    this.hist[feature * HISTOGRAM.bins + histogramBin(value)]++;
  }

  stats(feature: number, tokensSeen: number, bandEdges: Float32Array = new Float32Array(0)): FeatureStats {
    const { bins } = HISTOGRAM;
    const fires = this.fires[feature];
    return {
      feature,
      tokensSeen,
      fires,
      meanAct: fires > 0 ? this.sum[feature] / fires : 0,
      maxAct: this.max[feature],
      histogram: {
        log10Min: HISTOGRAM.log10Min,
        log10Max: HISTOGRAM.log10Max,
        counts: this.hist.slice(feature * bins, (feature + 1) * bins),
      },
      bandEdges,
    };
  }

  /** Everything, as bytes, for a resumable checkpoint. */
  serialize(): Uint8Array {
    const parts = [this.fires, this.sum, this.sumSq, this.max];
    const out = new Uint8Array(parts.length * this.dSae * 8 + this.hist.byteLength);
    let at = 0;
    for (const p of parts) {
      out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
      at += p.byteLength;
    }
    out.set(new Uint8Array(this.hist.buffer, this.hist.byteOffset, this.hist.byteLength), at);
    return out;
  }

  static deserialize(dSae: number, bytes: Uint8Array): FeatureStatsAccumulator {
    const acc = new FeatureStatsAccumulator(dSae);
    const expected = 4 * dSae * 8 + acc.hist.byteLength;
    if (bytes.byteLength !== expected)
      throw new Error(`index checkpoint "stats" holds ${bytes.byteLength} bytes, expected ${expected} for ${dSae} features`);
    const copy = bytes.slice();
    let at = 0;
    for (const p of [acc.fires, acc.sum, acc.sumSq, acc.max]) {
      p.set(new Float64Array(copy.buffer, at, dSae));
      at += dSae * 8;
    }
    acc.hist.set(new Uint32Array(copy.buffer, at, acc.hist.length));
    return acc;
  }
}

export function histogramBin(value: number): number {
  const { log10Min, log10Max, bins } = HISTOGRAM;
  const x = Math.floor(((Math.log10(value) - log10Min) / (log10Max - log10Min)) * bins);
  return x < 0 ? 0 : x >= bins ? bins - 1 : x;
}
