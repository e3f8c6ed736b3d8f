import { histogramBin } from './feature-stats.js';
import { compareExamples } from './window-examples.js';
import type { WindowExample } from './window-examples.js';

/**
 * A uniform sample of each feature's windows within every histogram bin of their maximum
 * activation, for the quantile examples (sae_vis's and Anthropic's activation bands). Each
 * (feature, bin) keeps the `perBin` windows with the smallest hash priority h(seed, feature,
 * window): a bottom-k sample, uniform, independent of arrival order and needing no random state,
 * so a resumed run keeps exactly what an uninterrupted one keeps. Bands are drawn from these at
 * the end, once the feature's maximum is known.
 */
export class QuantileReservoir {
  /** per feature: bin → entries sorted by priority */
  readonly #bins: Map<number, (WindowExample & { priority: number })[]>[];
  readonly #dirty = new Set<number>();

  constructor(
    readonly dSae: number,
    readonly perBin: number,
    readonly seed: number,
  ) {
    this.#bins = Array.from({ length: dSae }, () => new Map());
  }

  /** Offers a window; `make` builds the stored example only when it gets in. */
  offer(feature: number, windowIndex: number, maxAct: number, make: () => WindowExample): void {
    const bin = histogramBin(maxAct);
    const priority = hashPriority(this.seed, feature, windowIndex);
    let list = this.#bins[feature].get(bin);
    if (!list) this.#bins[feature].set(bin, (list = []));
    if (list.length === this.perBin && priority >= list[list.length - 1].priority) return;
    let at = list.length;
    while (at > 0 && priority < list[at - 1].priority) at--;
    list.splice(at, 0, { ...make(), priority });
    if (list.length > this.perBin) list.pop();
    this.#dirty.add(feature);
  }

  /** Every sampled window of a feature, with the bin it was sampled in. */
  entries(feature: number): { bin: number; example: WindowExample }[] {
    const out: { bin: number; example: WindowExample }[] = [];
    for (const [bin, list] of [...this.#bins[feature]].sort((a, b) => a[0] - b[0])) {
      for (const { priority: _, ...example } of list) out.push({ bin, example });
    }
    return out;
  }

  restore(feature: number, examples: readonly WindowExample[]): void {
    this.#bins[feature].clear();
    for (const e of examples) this.offer(feature, e.windowIndex, e.maxAct, () => e);
    this.#dirty.delete(feature);
  }

  takeDirty(): number[] {
    const out = [...this.#dirty].sort((a, b) => a - b);
    this.#dirty.clear();
    return out;
  }

  /**
   * `bands` equal-width activation bands over (0, maxAct] (sae_vis's intervals), each with up to
   * `perBand` sampled windows, best first; the edges are [bands + 1] ascending values.
   */
  bands(feature: number, maxAct: number, bands: number, perBand: number): { edges: Float32Array; groups: WindowExample[][] } {
    const edges = Float32Array.from({ length: bands + 1 }, (_, i) => (maxAct * i) / bands);
    const groups: (WindowExample & { priority: number })[][] = Array.from({ length: bands }, () => []);
    for (const list of this.#bins[feature].values()) {
      for (const e of list) {
        const band = Math.min(bands - 1, Math.floor((e.maxAct / maxAct) * bands));
        groups[band].push(e);
      }
    }
    return {
      edges,
      groups: groups.map((g) =>
        g
          .sort((a, b) => a.priority - b.priority)
          .slice(0, perBand)
          .sort(compareExamples)
          .map(({ priority: _, ...e }) => e),
      ),
    };
  }
}

/** A 32-bit hash of (seed, feature, window) as a number in [0, 1): murmur3's finaliser over the mixed words. */
export function hashPriority(seed: number, feature: number, windowIndex: number): number {
  let h =
    Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^
    Math.imul(feature + 0x632be5ab, 0xc2b2ae35) ^
    Math.imul(windowIndex + 0x27d4eb2f, 0x165667b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
