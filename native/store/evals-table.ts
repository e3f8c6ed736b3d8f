import type { SaeEvalMetrics } from '../api/types.js';
import type { EvalReport } from '../api/eval-report.js';
import { StoreValueError, count } from './checks.js';
import type { Database } from './database.js';

/** An SAE's evaluation report, stored against the weights (fingerprint) and the tokens it was computed on. */
export interface NewEval {
  saeId: string;
  fingerprint: string;
  corpusSpec: string;
  /** tokens asked for */
  tokens: number;
  contextLength: number;
  jobId: string | null;
  createdAt: string;
  report: EvalReport;
}

export interface StoredEval extends NewEval {
  id: number;
}

interface EvalRow {
  id: number;
  sae_id: string;
  fingerprint: string;
  corpus_spec: string;
  tokens: number;
  context_length: number;
  job_id: string | null;
  report_json: string;
  created_at: string;
}

export function toRow(e: NewEval): Omit<EvalRow, 'id'> {
  if (!e.report || typeof e.report.reconstruction !== 'object') throw new StoreValueError(`evaluation of ${e.saeId}: no report`);
  return {
    sae_id: e.saeId,
    fingerprint: e.fingerprint,
    corpus_spec: e.corpusSpec,
    tokens: count(e.tokens, `evaluation of ${e.saeId} tokens`),
    context_length: count(e.contextLength, `evaluation of ${e.saeId} contextLength`),
    job_id: e.jobId,
    // JSON has no NaN: the report writes null for ratios it cannot compute, so this round-trips.
    report_json: JSON.stringify(e.report),
    created_at: e.createdAt,
  };
}

export function fromRow(row: EvalRow): StoredEval {
  return {
    id: row.id,
    saeId: row.sae_id,
    fingerprint: row.fingerprint,
    corpusSpec: row.corpus_spec,
    tokens: row.tokens,
    contextLength: row.context_length,
    jobId: row.job_id,
    createdAt: row.created_at,
    report: JSON.parse(row.report_json) as EvalReport,
  };
}

/** The numbers the views show, from a stored report. */
export function evalMetrics(e: StoredEval): SaeEvalMetrics {
  const r = e.report;
  const h = r.decoderCosines?.histogram;
  return {
    saeId: e.saeId,
    corpusSpec: e.corpusSpec,
    tokens: r.tokens,
    contextLength: e.contextLength,
    createdAt: e.createdAt,
    fvu: r.reconstruction.fvu,
    explainedVariance: r.reconstruction.explainedVariance,
    mse: r.reconstruction.mse,
    l0: r.reconstruction.l0,
    deadFraction: r.latents.dead.fraction,
    denseFraction: r.latents.dense.fraction,
    ceClean: r.crossEntropy.clean,
    ceSae: r.crossEntropy.sae,
    ceZeroAblated: r.crossEntropy.zeroAblated,
    lossRecovered: r.crossEntropy.lossRecovered,
    deltaLoss: r.crossEntropy.deltaLoss,
    ablationSparsity: r.ablationSparsity?.mean ?? null,
    decoderCosines: h ? { min: h.min, max: h.max, bins: h.bins, decoder: h.decoder, random: h.random } : null,
  };
}

/** Reads and writes `sae_evals`. */
export class EvalsTable {
  constructor(private readonly db: Database) {}

  put(e: NewEval): StoredEval {
    const row = toRow(e);
    const inserted = this.db.run(
      'INSERT INTO sae_evals (sae_id, fingerprint, corpus_spec, tokens, context_length, job_id, report_json, created_at) VALUES (@sae_id, @fingerprint, @corpus_spec, @tokens, @context_length, @job_id, @report_json, @created_at)',
      row,
    );
    return { ...e, id: Number(inserted.lastInsertRowid) };
  }

  /** The newest evaluation of these weights. */
  latest(saeId: string, fingerprint: string): StoredEval | undefined {
    const row = this.db.get<EvalRow>(
      'SELECT * FROM sae_evals WHERE sae_id = ? AND fingerprint = ? ORDER BY created_at DESC, id DESC LIMIT 1',
      [saeId, fingerprint],
    );
    return row ? fromRow(row) : undefined;
  }

  /** The newest evaluation of these weights on exactly these tokens. */
  find(saeId: string, fingerprint: string, corpusSpec: string, tokens: number, contextLength: number): StoredEval | undefined {
    const row = this.db.get<EvalRow>(
      'SELECT * FROM sae_evals WHERE sae_id = ? AND fingerprint = ? AND corpus_spec = ? AND tokens = ? AND context_length = ? ORDER BY created_at DESC, id DESC LIMIT 1',
      [saeId, fingerprint, corpusSpec, tokens, contextLength],
    );
    return row ? fromRow(row) : undefined;
  }
}
