import type { ExampleInput, FeatureExample } from '../store/feature-examples-table.js';
import type { FeatureStats } from '../store/feature-stats-table.js';
import type { PerFeature } from '../store/index-batch.js';
import { FeatureStatsAccumulator } from './accumulators/feature-stats.js';
import { PairCorrelation } from './accumulators/pair-correlation.js';
import { QuantileReservoir } from './accumulators/quantile-reservoir.js';
import { TagCounts } from './accumulators/tag-counts.js';
import { TokenCounts } from './accumulators/token-counts.js';
import { TopExamples } from './accumulators/top-examples.js';
import { exampleActs, windowExample } from './accumulators/window-examples.js';
import type { SparseActs } from '../sae/sparse-acts.js';

export interface AccumulatorSettings {
  dSae: number;
  contextLength: number;
  topExamples: number;
  /** sampled windows per (feature, histogram bin) */
  perBin: number;
  seed: number;
  /** tag names of an annotated corpus, in id order; empty for none */
  tagNames: readonly string[];
  /** [dSae, neighbours] each feature's nearest decoder directions, for activation correlations */
  neighbours: Int32Array;
  nNeighbours: number;
  /** token ids are below this (the tokenizer's vocabulary size) */
  dVocab: number;
  /** the most bytes the exact (feature, token) counts may hold (token-counts.ts) */
  tokenCountsMaxBytes: number;
}

/**
 * Everything an index run learns from the windows it has seen, updated window by window and
 * written out as a store batch: feature stats, top and sampled examples, exact token counts, tag
 * co-occurrence, neighbour co-activation. Examples hold their activations rounded as the store keeps
 * them (float16, with the exact maximum at its position), so a run restored from the store continues
 * with exactly the state an uninterrupted run has.
 */
export class IndexAccumulator {
  tokensSeen = 0;
  stats: FeatureStatsAccumulator;
  /** exact firings per (feature, token), for the tokens each feature fires on most */
  frequent: TokenCounts;
  tags: TagCounts;
  readonly top: TopExamples;
  readonly reservoir: QuantileReservoir;
  readonly pairs: PairCorrelation;
  /** per feature: scratch [contextLength] activations within the current window */
  readonly #scratch = new Map<number, Float32Array>();
  readonly #pool: Float32Array[] = [];

  constructor(readonly settings: AccumulatorSettings) {
    const { dSae } = settings;
    this.stats = new FeatureStatsAccumulator(dSae);
    this.frequent = new TokenCounts(dSae, settings.dVocab, settings.tokenCountsMaxBytes);
    this.tags = new TagCounts(dSae, settings.tagNames.length);
    this.top = new TopExamples(dSae, settings.topExamples);
    this.reservoir = new QuantileReservoir(dSae, settings.perBin, settings.seed);
    this.pairs = new PairCorrelation(settings.neighbours, dSae, settings.nNeighbours);
  }

  /**
   * One window: token ids [contextLength], which positions count (BOS, padding and burn-in do not:
   * they add nothing to statistics and are never an example's activation), optional tags, and its
   * tokens' rows of `acts` starting at `row`.
   */
  addWindow(windowIndex: number, ids: Int32Array, counted: Uint8Array, tags: Int32Array | undefined, acts: SparseActs, row: number): void {
    const { contextLength } = this.settings;
    let n = 0;
    for (let t = 0; t < contextLength; t++) {
      if (!counted[t]) continue;
      n++;
      const tag = tags ? tags[t] : -1;
      this.tags.addToken(tag);
      const from = acts.rowStart[row + t];
      const to = acts.rowStart[row + t + 1];
      for (let i = from; i < to; i++) {
        const f = acts.features[i];
        const v = acts.values[i];
        this.stats.add(f, v);
        this.frequent.add(f, ids[t]);
        if (tag >= 0) this.tags.addFiring(f, tag);
        let window = this.#scratch.get(f);
        if (!window) this.#scratch.set(f, (window = this.#pool.pop() ?? new Float32Array(contextLength)));
        window[t] = v;
      }
      this.pairs.addToken(acts.features, acts.values, from, to);
    }
    this.tokensSeen += n;
    for (const [f, window] of this.#scratch) {
      let maxPos = 0;
      for (let t = 1; t < contextLength; t++) if (window[t] > window[maxPos]) maxPos = t;
      let made: ReturnType<typeof windowExample> | undefined;
      const make = () => (made ??= windowExample(windowIndex, window, maxPos));
      this.top.offer(f, windowIndex, window[maxPos], make);
      this.reservoir.offer(f, windowIndex, window[maxPos], make);
      window.fill(0);
      this.#pool.push(window);
    }
    this.#scratch.clear();
  }

  /** The features whose example lists moved since the last call, ascending. */
  takeChangedFeatures(): number[] {
    return [...new Set([...this.top.takeDirty(), ...this.reservoir.takeDirty()])].sort((a, b) => a - b);
  }

  /** Store rows for features [from, to): the stats of each, the examples of those in `changed`. */
  changes(from: number, to: number, changed: readonly number[]): { stats: FeatureStats[]; examples: PerFeature<ExampleInput>[] } {
    const stats = Array.from({ length: to - from }, (_, i) => this.stats.stats(from + i, this.tokensSeen));
    const examples = changed.filter((f) => f >= from && f < to).map((feature) => ({ feature, items: this.runningExamples(feature) }));
    return { stats, examples };
  }

  /** While the run goes: top examples as band 0, sampled windows as 'quantile' rows whose band is their histogram bin. */
  runningExamples(feature: number): ExampleInput[] {
    const top = this.top
      .list(feature)
      .map((e, rank) => ({ kind: 'top' as const, band: 0, rank, windowIndex: e.windowIndex, acts: exampleActs(e) }));
    const binRank = new Map<number, number>();
    const sampled = this.reservoir.entries(feature).map(({ bin, example }) => {
      const rank = binRank.get(bin) ?? 0;
      binRank.set(bin, rank + 1);
      return { kind: 'quantile' as const, band: bin, rank, windowIndex: example.windowIndex, acts: exampleActs(example) };
    });
    return [...top, ...sampled];
  }

  /** The accumulators feature pages do not read, as named bytes (index-state-table.ts). */
  state(): Record<string, Uint8Array> {
    const tokens = new Float64Array([this.tokensSeen]);
    return {
      tokens: new Uint8Array(tokens.buffer),
      stats: this.stats.serialize(),
      tokenCounts: this.frequent.serialize(),
      tags: this.tags.serialize(),
      pairs: this.pairs.serialize(),
    };
  }

  /** Restores a run: `state()` bytes and the examples it stored. */
  restore(state: (name: string) => Uint8Array | undefined, examples: (feature: number) => FeatureExample[]): void {
    const need = (name: string) => {
      const bytes = state(name);
      if (!bytes) throw new Error(`the index run's checkpoint has no "${name}" accumulator; start the run afresh`);
      return bytes;
    };
    const { dSae } = this.settings;
    this.tokensSeen = new Float64Array(need('tokens').slice().buffer)[0];
    this.stats = FeatureStatsAccumulator.deserialize(dSae, need('stats'));
    this.frequent = TokenCounts.deserialize(dSae, this.settings.dVocab, this.settings.tokenCountsMaxBytes, need('tokenCounts'));
    this.tags = TagCounts.deserialize(dSae, this.settings.tagNames.length, need('tags'));
    this.pairs.restore(need('pairs'));
    for (let f = 0; f < dSae; f++) {
      const stored = examples(f);
      const compact = (kind: string) =>
        stored
          .filter((e) => e.kind === kind)
          .map((e) => windowExample(e.windowIndex, exampleActsFromStore(e.acts, e.maxPos, e.maxAct), e.maxPos));
      this.top.restore(f, compact('top'));
      this.reservoir.restore(f, compact('quantile'));
    }
  }
}

/** Stored activations with the exact maximum put back (the row keeps it beside the float16 values). */
function exampleActsFromStore(acts: Float32Array, maxPos: number, maxAct: number): Float32Array {
  acts[maxPos] = maxAct;
  return acts;
}
