import type { ExampleInput } from '../../store/feature-examples-table.js';
import type { LinearHistogram } from '../../store/feature-linear-hist-table.js';
import type { FeatureToken } from '../../store/feature-logits-table.js';
import type { FeatureStats } from '../../store/feature-stats-table.js';
import type { StoredWindow } from '../../store/windows-table.js';
import type { PerFeature } from '../../store/index-batch.js';
import type { DashboardActivation, DashboardFeature } from './dashboard-rows.js';
import type { ImportRows } from './import-target.js';
import { windowOfStrings } from './token-strings.js';
import type { TokenStrings } from './token-strings.js';

interface PendingRows extends ImportRows {
  stats: FeatureStats[];
  examples: PerFeature<ExampleInput>[];
  tokens: PerFeature<FeatureToken>[];
  linearHistograms: LinearHistogram[];
  windows: StoredWindow[];
}

/**
 * One SAEDashboard feature and its activations as store rows: each activation becomes a window of
 * its own (the export has no corpus positions to share windows by), the top group the top examples
 * (strongest first), each interval a quantile band with its bounds; the density and histogram as
 * the export states them, the token counts behind them absent.
 */
export class DashboardRows {
  readonly rows: PendingRows = { stats: [], examples: [], tokens: [], linearHistograms: [], windows: [] };
  /** the longest example, in tokens */
  longest = 0;
  tokensAdded = 0;
  /** one more than the largest feature index added */
  features = 0;
  unknownTokens = 0;

  constructor(
    readonly strings: TokenStrings,
    /** the index the next window gets */
    public nextWindow: number,
  ) {}

  get size(): number {
    return this.rows.windows.length + this.rows.stats.length;
  }

  add(feature: DashboardFeature, activations: readonly DashboardActivation[]): void {
    const f = feature.index;
    this.features = Math.max(this.features, f + 1);
    const top: { window: number; acts: Float32Array; max: number }[] = [];
    const bands = new Map<string, { min: number; max: number; items: { window: number; acts: Float32Array }[] }>();
    let maxAct = feature.maxActApprox ?? 0;
    for (const a of activations) {
      const w = windowOfStrings(this.strings, a.tokens);
      const index = this.nextWindow++;
      this.rows.windows.push({ index, docId: `export:${f}`, text: w.text, ids: w.ids, offsets: w.offsets });
      this.tokensAdded += a.tokens.length;
      this.longest = Math.max(this.longest, a.tokens.length);
      let max = 0;
      for (const v of a.values) if (v > max) max = v;
      maxAct = Math.max(maxAct, max);
      if (a.binMin === -1) top.push({ window: index, acts: a.values, max });
      else {
        const key = `${a.binMin}:${a.binMax}`;
        const band = bands.get(key) ?? { min: a.binMin, max: a.binMax, items: [] };
        band.items.push({ window: index, acts: a.values });
        bands.set(key, band);
      }
    }
    top.sort((a, b) => b.max - a.max);
    const sortedBands = [...bands.values()].sort((a, b) => a.min - b.min);
    const examples: ExampleInput[] = top.map((e, rank) => ({ kind: 'top', band: 0, rank, windowIndex: e.window, acts: e.acts }));
    sortedBands.forEach((b, band) =>
      b.items.forEach((e, rank) => examples.push({ kind: 'quantile', band, rank, windowIndex: e.window, acts: e.acts })),
    );
    this.rows.examples.push({ feature: f, items: examples });
    this.rows.stats.push(this.stats(feature, maxAct, bandEdges(sortedBands)));
    const hist = linearHistogram(feature);
    if (hist) this.rows.linearHistograms.push(hist);
    this.rows.tokens.push({ feature: f, items: this.tokenRows(feature) });
  }

  private stats(feature: DashboardFeature, maxAct: number, edges: Float32Array): FeatureStats {
    return {
      feature: feature.index,
      tokensSeen: 0,
      fires: 0,
      givenDensity: feature.density,
      meanAct: 0,
      maxAct,
      histogram: { log10Min: 0, log10Max: 0, counts: new Uint32Array(0) },
      bandEdges: edges,
    };
  }

  private tokenRows(feature: DashboardFeature): FeatureToken[] {
    const out: FeatureToken[] = [];
    for (const [kind, list] of [
      ['boosted', feature.pos],
      ['suppressed', feature.neg],
    ] as const) {
      let rank = 0;
      for (const { token, value } of list) {
        const id = this.strings.id(token);
        if (id < 0) {
          this.unknownTokens++;
          continue;
        }
        out.push({ kind, rank: rank++, tokenId: id, token: this.strings.text(token, id), value });
      }
    }
    return out;
  }

  /** Hands the rows over and starts empty. */
  take(): PendingRows {
    const rows = { ...this.rows };
    this.rows.stats = [];
    this.rows.examples = [];
    this.rows.tokens = [];
    this.rows.linearHistograms = [];
    this.rows.windows = [];
    this.tokensAdded = 0;
    return rows;
  }
}

/** Band edges when the intervals tile a range (sae_vis's equal-width intervals do); empty otherwise, so the page shows no bounds rather than wrong ones. */
function bandEdges(bands: readonly { min: number; max: number }[]): Float32Array {
  if (bands.length === 0) return new Float32Array(0);
  for (let i = 1; i < bands.length; i++)
    if (Math.abs(bands[i].min - bands[i - 1].max) > 1e-6 * Math.max(1, Math.abs(bands[i].min))) return new Float32Array(0);
  for (const b of bands) if (!(b.max >= b.min)) return new Float32Array(0);
  return Float32Array.from([bands[0].min, ...bands.map((b) => b.max)]);
}

/** SAEDashboard's bars are equal-width bins given by their centres; edges lie half a bin either side. Fewer than two bins give no width: none stored. */
function linearHistogram(feature: DashboardFeature): LinearHistogram | null {
  const c = feature.histCentres;
  if (c.length < 2) return null;
  const width = (c[c.length - 1] - c[0]) / (c.length - 1);
  if (!(width > 0)) return null;
  const edges = Float32Array.from({ length: c.length + 1 }, (_, i) => c[0] - width / 2 + i * width);
  return { feature: feature.index, edges, counts: Float32Array.from(feature.histHeights, (h) => Math.max(0, h)) };
}
