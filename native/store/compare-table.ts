import { createHash } from 'node:crypto';
import { bytesOf, float32FromBlob } from './blob-codec.js';
import { StoreValueError, count, finite } from './checks.js';
import type { Database } from './database.js';

/** How a comparison was computed; all of it goes into the run's key. */
export interface CompareParams {
  /** Names the matching code, so a change to it gets new runs instead of old cached ones. */
  algorithm: string;
  corpus: string;
  /** counted tokens asked for (corpus/windows.ts) */
  tokens: number;
  contextLength: number;
  /** candidate parents per wide feature, by decoder cosine, among which correlation picks */
  candidates: number;
}

/**
 * One wider SAE's features matched to the narrower one's, [nWide] per array. A correlation is NaN
 * where it cannot be computed (a feature that never fired over the run's tokens); `corrParent` is
 * −1 there.
 */
export interface PairMatches {
  /** [nWide] best parent by decoder cosine, and the cosine */ cosParent: Int32Array;
  /** [nWide] */ cos: Float32Array;
  /** [nWide] the activation correlation with cosParent */ cosParentCorr: Float32Array;
  /** [nWide] best parent by activation correlation among the candidates, −1 for none */ corrParent: Int32Array;
  /** [nWide] */ corr: Float32Array;
  /** [nWide] the decoder cosine with corrParent */ corrParentCos: Float32Array;
  /** [nWide] tokens on which the feature and cosParent both fire */ cosParentCofire: Int32Array;
  /** [nWide] tokens on which the feature and corrParent both fire, −1 without one */ corrParentCofire: Int32Array;
}

export interface NewCompareRun {
  key: string;
  /** narrowest first; 2 or 3 */
  saeIds: string[];
  params: CompareParams;
  /** tokens the activations were read on */
  tokens: number;
  jobId: string | null;
  createdAt: string;
  /** per SAE, in saeIds order: [dSae] firing density over the run's tokens */
  densities: Float32Array[];
  /** saeIds.length − 1 pairs: pair p matches saeIds[p + 1] to saeIds[p] */
  pairs: PairMatches[];
}

export interface CompareRun {
  id: number;
  key: string;
  saeIds: string[];
  dSae: number[];
  params: CompareParams;
  tokens: number;
  jobId: string | null;
  createdAt: string;
}

interface RunRow {
  id: number;
  key: string;
  sae_ids_json: string;
  params_json: string;
  tokens: number;
  job_id: string | null;
  created_at: string;
}

/** A compare_matches row as stored (NULL for a correlation that cannot be computed). */
export interface MatchRowData {
  feature: number;
  density: number;
  cos_parent: number;
  cos: number;
  cos_parent_corr: number | null;
  corr_parent: number | null;
  corr: number | null;
  corr_parent_cos: number | null;
  /** NULL in comparisons stored before migration 7 */
  cos_cofire: number | null;
  corr_cofire: number | null;
}

/** The SAEs a key depends on: their weights' fingerprints change when the weights do. */
export interface CompareSae {
  id: string;
  fingerprint: string;
}

export function compareKey(saes: readonly CompareSae[], params: CompareParams): string {
  const { algorithm, corpus, tokens, contextLength, candidates } = params;
  const canonical = JSON.stringify({
    saes: saes.map((s) => [s.id, s.fingerprint]),
    params: [algorithm, corpus, tokens, contextLength, candidates],
  });
  return `${saes.map((s) => s.id).join('>')}@${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

const nullable = (v: number) => (Number.isNaN(v) ? null : v);

/** The rows of one pair, checked: finite values, parents inside the narrow SAE, densities in [0, 1]. */
export function matchRows(m: PairMatches, density: Float32Array, nNarrow: number, what: string): MatchRowData[] {
  const n = m.cosParent.length;
  for (const [name, a] of Object.entries(m))
    if ((a as Float32Array).length !== n)
      throw new StoreValueError(`${what}: ${name} has ${(a as Float32Array).length} values, cosParent ${n}`);
  if (density.length !== n) throw new StoreValueError(`${what}: ${density.length} densities for ${n} features`);
  const rows: MatchRowData[] = [];
  for (let f = 0; f < n; f++) {
    const at = `${what}, feature ${f}`;
    const cosParent = m.cosParent[f];
    if (!(cosParent >= 0 && cosParent < nNarrow))
      throw new StoreValueError(`${at}: parent ${cosParent} is outside the narrow SAE's ${nNarrow} features`);
    const corrParent = m.corrParent[f];
    const hasCorr = corrParent >= 0 && !Number.isNaN(m.corr[f]);
    if (hasCorr && corrParent >= nNarrow)
      throw new StoreValueError(`${at}: correlation parent ${corrParent} is outside the narrow SAE's ${nNarrow} features`);
    const d = finite(density[f], `${at} density`);
    if (d < 0 || d > 1) throw new StoreValueError(`${at}: density ${d} is outside [0, 1]`);
    rows.push({
      feature: f,
      density: d,
      cos_parent: cosParent,
      cos: finite(m.cos[f], `${at} cosine`),
      cos_parent_corr: nullable(m.cosParentCorr[f]),
      corr_parent: hasCorr ? corrParent : null,
      corr: hasCorr ? finite(m.corr[f], `${at} correlation`) : null,
      corr_parent_cos: hasCorr ? finite(m.corrParentCos[f], `${at} correlation parent's cosine`) : null,
      cos_cofire: count(m.cosParentCofire[f], `${at} co-firings with the cosine parent`),
      corr_cofire: hasCorr ? count(m.corrParentCofire[f], `${at} co-firings with the correlation parent`) : null,
    });
  }
  return rows;
}

function fromRunRow(row: RunRow, dSae: number[]): CompareRun {
  return {
    id: row.id,
    key: row.key,
    saeIds: JSON.parse(row.sae_ids_json) as string[],
    dSae,
    params: JSON.parse(row.params_json) as CompareParams,
    tokens: row.tokens,
    jobId: row.job_id,
    createdAt: row.created_at,
  };
}

const insertMatch = `INSERT INTO compare_matches (run_id, pair, feature, density, cos_parent, cos, cos_parent_corr, corr_parent, corr, corr_parent_cos, cos_cofire, corr_cofire)
  VALUES (@run, @pair, @feature, @density, @cos_parent, @cos, @cos_parent_corr, @corr_parent, @corr, @corr_parent_cos, @cos_cofire, @corr_cofire)`;

/** Reads and writes compare_runs, compare_saes and compare_matches (queries over matches: compare-query.ts). `db` is protected for CompareStore, which adds those queries. */
export class CompareTable {
  constructor(protected readonly db: Database) {}

  /** Stores a run with all its rows in one transaction, replacing a run with the same key. */
  put(run: NewCompareRun): CompareRun {
    const n = run.saeIds.length;
    if (n < 2 || n > 3) throw new StoreValueError(`comparison ${run.key}: 2 or 3 SAEs, got ${n}`);
    if (run.densities.length !== n || run.pairs.length !== n - 1)
      throw new StoreValueError(
        `comparison ${run.key}: ${run.densities.length} density arrays and ${run.pairs.length} pairs for ${n} SAEs`,
      );
    count(run.tokens, `comparison ${run.key} tokens`);
    const rows = run.pairs.map((p, i) => matchRows(p, run.densities[i + 1], run.densities[i].length, `comparison ${run.key}, pair ${i}`));
    const id = this.db.transaction(() => {
      this.db.run('DELETE FROM compare_runs WHERE key = ?', [run.key]);
      const inserted = this.db.run(
        'INSERT INTO compare_runs (key, sae_ids_json, params_json, tokens, job_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        [run.key, JSON.stringify(run.saeIds), JSON.stringify(run.params), run.tokens, run.jobId, run.createdAt],
      );
      const runId = Number(inserted.lastInsertRowid);
      run.densities.forEach((d, position) => {
        this.db.run('INSERT INTO compare_saes (run_id, position, sae_id, d_sae, density) VALUES (?, ?, ?, ?, ?)', [
          runId,
          position,
          run.saeIds[position],
          d.length,
          bytesOf(d),
        ]);
      });
      rows.forEach((pairRows, pair) => {
        for (const r of pairRows) this.db.run(insertMatch, { run: runId, pair, ...r });
      });
      return runId;
    });
    return this.get(id) as CompareRun;
  }

  get(id: number): CompareRun | undefined {
    const row = this.db.get<RunRow>('SELECT * FROM compare_runs WHERE id = ?', [id]);
    return row ? fromRunRow(row, this.#widths(row.id)) : undefined;
  }

  getByKey(key: string): CompareRun | undefined {
    const row = this.db.get<RunRow>('SELECT * FROM compare_runs WHERE key = ?', [key]);
    return row ? fromRunRow(row, this.#widths(row.id)) : undefined;
  }

  /** The newest run of exactly these SAEs in this order (narrowest first). */
  latestFor(saeIds: readonly string[]): CompareRun | undefined {
    const row = this.db.get<RunRow>('SELECT * FROM compare_runs WHERE sae_ids_json = ? ORDER BY created_at DESC, id DESC LIMIT 1', [
      JSON.stringify(saeIds),
    ]);
    return row ? fromRunRow(row, this.#widths(row.id)) : undefined;
  }

  /** [dSae] firing densities of the SAE at `position` over the run's tokens. */
  densities(runId: number, position: number): Float32Array {
    const row = this.db.get<{ density: Uint8Array }>('SELECT density FROM compare_saes WHERE run_id = ? AND position = ?', [
      runId,
      position,
    ]);
    if (!row) throw new StoreValueError(`comparison ${runId} has no SAE at position ${position}`);
    return float32FromBlob(row.density, `comparison ${runId} densities of SAE ${position}`);
  }

  /** Narrow features of a pair whose parent is the same by correlation as by cosine. */
  agreeCount(runId: number, pair: number): number {
    return (
      this.db.get<{ n: number }>('SELECT count(*) AS n FROM compare_matches WHERE run_id = ? AND pair = ? AND corr_parent = cos_parent', [
        runId,
        pair,
      ])?.n ?? 0
    );
  }

  delete(id: number): boolean {
    return this.db.run('DELETE FROM compare_runs WHERE id = ?', [id]).changes > 0;
  }

  #widths(runId: number): number[] {
    return this.db.all<{ d_sae: number }>('SELECT d_sae FROM compare_saes WHERE run_id = ? ORDER BY position', [runId]).map((r) => r.d_sae);
  }
}
