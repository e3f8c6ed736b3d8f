import { decodeActs, encodeActs } from './acts-codec.js';
import { StoreValueError, count, finite } from './checks.js';
import type { Database } from './database.js';

export const exampleKinds = ['top', 'quantile'] as const;
export type ExampleKind = (typeof exampleKinds)[number];

/** An example as the pipeline writes it. */
export interface ExampleInput {
  /** `top`: the N highest-activating windows (band 0); `quantile`: sampled from activation band `band`. */
  kind: ExampleKind;
  band: number;
  /** Order within (kind, band), 0 first. */
  rank: number;
  /** The `StoredWindow.index` of the window shown. */
  windowIndex: number;
  /** [nTokens] the feature's activation on every token of the window */
  acts: Float32Array;
}

/** An example as read back. `acts` went through float16 (see acts-codec.ts); maxAct is exact. */
export interface FeatureExample extends ExampleInput {
  maxAct: number;
  /** Token position of maxAct. */
  maxPos: number;
}

interface ExampleRow {
  kind: ExampleKind;
  band: number;
  rank: number;
  window_index: number;
  max_act: number;
  max_pos: number;
  acts: Uint8Array;
}

export function fromRow(row: ExampleRow): FeatureExample {
  return {
    kind: row.kind,
    band: row.band,
    rank: row.rank,
    windowIndex: row.window_index,
    maxAct: row.max_act,
    maxPos: row.max_pos,
    acts: decodeActs(row.acts, `example ${row.kind}/${row.band}/${row.rank} activations`),
  };
}

/** The maximum is taken from the float32 input, before float16 rounds it. */
export function toRow(example: ExampleInput): ExampleRow {
  if (!(exampleKinds as readonly string[]).includes(example.kind)) {
    throw new StoreValueError(`example kind "${example.kind}": expected one of ${exampleKinds.join(', ')}`);
  }
  if (example.kind === 'top' && example.band !== 0) throw new StoreValueError(`a top example has band 0, got ${example.band}`);
  const acts = example.acts;
  let maxPos = 0;
  for (let i = 1; i < acts.length; i++) if (acts[i] > acts[maxPos]) maxPos = i;
  return {
    kind: example.kind,
    band: count(example.band, 'example band'),
    rank: count(example.rank, 'example rank'),
    window_index: count(example.windowIndex, 'example windowIndex'),
    max_act: finite(acts[maxPos] ?? 0, `example ${example.kind}/${example.rank} max activation`),
    max_pos: maxPos,
    acts: encodeActs(acts),
  };
}

const selectColumns = 'kind, band, rank, window_index, max_act, max_pos, acts';

/** Reads and writes `feature_examples`. */
export class FeatureExamplesTable {
  constructor(private readonly db: Database) {}

  /** Replaces all of one feature's examples in a run (the pipeline's top-k lists are rewritten whole). */
  replaceForFeature(runId: number, feature: number, examples: readonly ExampleInput[]): void {
    this.db.transaction(() => {
      this.db.run('DELETE FROM feature_examples WHERE run_id = ? AND feature = ?', [runId, feature]);
      for (const example of examples) {
        const r = toRow(example);
        this.db.run(`INSERT INTO feature_examples (run_id, feature, ${selectColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
          runId,
          feature,
          r.kind,
          r.band,
          r.rank,
          r.window_index,
          r.max_act,
          r.max_pos,
          r.acts,
        ]);
      }
    });
  }

  /** One feature's examples: quantile before top, then by band and rank. */
  listForFeature(runId: number, feature: number): FeatureExample[] {
    return this.db
      .all<ExampleRow>(`SELECT ${selectColumns} FROM feature_examples WHERE run_id = ? AND feature = ? ORDER BY kind, band, rank`, [
        runId,
        feature,
      ])
      .map(fromRow);
  }

  count(runId: number): number {
    return this.db.get<{ n: number }>('SELECT count(*) AS n FROM feature_examples WHERE run_id = ?', [runId])?.n ?? 0;
  }
}
