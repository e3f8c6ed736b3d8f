import { BlobError } from './blob-codec.js';
import { StoreValueError, count, finite } from './checks.js';
import type { Database } from './database.js';

/** A user-defined concept: a named list of words, kept in the workspace. */
export interface ConceptWordList {
  name: string;
  /** In the order the user wrote them, trimmed, without duplicates or empty entries. */
  words: string[];
  createdAt: string;
  updatedAt: string;
}

/** A model's whitening as stored: everything float64, little-endian. */
export interface StoredWhitening {
  fingerprint: string;
  algorithm: string;
  dModel: number;
  dVocab: number;
  rank: number;
  /** [dModel] */ mean: Float64Array;
  /** [dModel, dModel] */ whiten: Float64Array;
  /** [dModel, dModel] */ unwhiten: Float64Array;
  /** [dModel] ascending */ eigenvalues: Float64Array;
  createdAt: string;
}

/** A cached concept vector: keyed by the model's fingerprint and a hash of the concept's token ids. */
export interface StoredConceptVector {
  fingerprint: string;
  key: string;
  nTokens: number;
  shrinkage: number;
  spread: number;
  /** [dModel] float64 */ vector: Float64Array;
  createdAt: string;
}

interface ListRow {
  name: string;
  words_json: string;
  created_at: string;
  updated_at: string;
}
interface WhiteningRow {
  fingerprint: string;
  algorithm: string;
  d_model: number;
  d_vocab: number;
  rank: number;
  mean: Uint8Array;
  whiten: Uint8Array;
  unwhiten: Uint8Array;
  eigenvalues: Uint8Array;
  created_at: string;
}
interface VectorRow {
  fingerprint: string;
  key: string;
  n_tokens: number;
  shrinkage: number;
  spread: number;
  vector: Uint8Array;
  created_at: string;
}

export const maxListWords = 5000;
export const maxListNameLength = 100;

function float64Blob(values: Float64Array, what: string): Uint8Array {
  for (let i = 0; i < values.length; i++) finite(values[i], `${what}[${i}]`);
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function float64FromBlob(blob: Uint8Array, length: number, what: string): Float64Array {
  if (blob.byteLength !== 8 * length)
    throw new BlobError(`${what}: ${blob.byteLength} bytes, expected ${8 * length} (${length} float64 values)`);
  return new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength) as ArrayBuffer);
}

/** Trims, drops empty entries and repeats (first kept), and checks the sizes the contract promises. */
export function normalizeWordList(name: string, words: readonly string[]): { name: string; words: string[] } {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > maxListNameLength)
    throw new StoreValueError(`a word list needs a name of 1 to ${maxListNameLength} characters, got "${name}"`);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const w of words) {
    const t = w.trim();
    if (t.length === 0 || seen.has(t)) continue;
    seen.add(t);
    out.push(t);
  }
  if (out.length > maxListWords) throw new StoreValueError(`word list "${trimmed}": ${out.length} words, at most ${maxListWords}`);
  return { name: trimmed, words: out };
}

export function listFromRow(row: ListRow): ConceptWordList {
  return { name: row.name, words: JSON.parse(row.words_json) as string[], createdAt: row.created_at, updatedAt: row.updated_at };
}

export function whiteningToRow(w: StoredWhitening): WhiteningRow {
  const d = count(w.dModel, 'whitening dModel');
  const check = (a: Float64Array, n: number, what: string) => {
    if (a.length !== n) throw new StoreValueError(`whitening ${what}: ${a.length} values, expected ${n}`);
    return float64Blob(a, `whitening ${what}`);
  };
  return {
    fingerprint: w.fingerprint,
    algorithm: w.algorithm,
    d_model: d,
    d_vocab: count(w.dVocab, 'whitening dVocab'),
    rank: count(w.rank, 'whitening rank'),
    mean: check(w.mean, d, 'mean'),
    whiten: check(w.whiten, d * d, 'whiten'),
    unwhiten: check(w.unwhiten, d * d, 'unwhiten'),
    eigenvalues: check(w.eigenvalues, d, 'eigenvalues'),
    created_at: w.createdAt,
  };
}

export function whiteningFromRow(r: WhiteningRow): StoredWhitening {
  const d = r.d_model;
  const what = `whitening of ${r.fingerprint.slice(0, 12)}`;
  return {
    fingerprint: r.fingerprint,
    algorithm: r.algorithm,
    dModel: d,
    dVocab: r.d_vocab,
    rank: r.rank,
    mean: float64FromBlob(r.mean, d, `${what} mean`),
    whiten: float64FromBlob(r.whiten, d * d, `${what} whiten`),
    unwhiten: float64FromBlob(r.unwhiten, d * d, `${what} unwhiten`),
    eigenvalues: float64FromBlob(r.eigenvalues, d, `${what} eigenvalues`),
    createdAt: r.created_at,
  };
}

export function vectorToRow(v: StoredConceptVector): VectorRow {
  return {
    fingerprint: v.fingerprint,
    key: v.key,
    n_tokens: count(v.nTokens, 'concept nTokens'),
    shrinkage: finite(v.shrinkage, 'concept shrinkage'),
    spread: finite(v.spread, 'concept spread'),
    vector: float64Blob(v.vector, `concept ${v.key} vector`),
    created_at: v.createdAt,
  };
}

export function vectorFromRow(r: VectorRow, dModel: number): StoredConceptVector {
  return {
    fingerprint: r.fingerprint,
    key: r.key,
    nTokens: r.n_tokens,
    shrinkage: r.shrinkage,
    spread: r.spread,
    vector: float64FromBlob(r.vector, dModel, `concept ${r.key} vector`),
    createdAt: r.created_at,
  };
}

/** Reads and writes `concept_lists`, `concept_whitenings` and `concept_vectors`. */
export class ConceptsTable {
  constructor(private readonly db: Database) {}

  lists(): ConceptWordList[] {
    return this.db.all<ListRow>('SELECT * FROM concept_lists ORDER BY name COLLATE NOCASE').map(listFromRow);
  }

  getList(name: string): ConceptWordList | undefined {
    const row = this.db.get<ListRow>('SELECT * FROM concept_lists WHERE name = ?', [name.trim()]);
    return row && listFromRow(row);
  }

  /** Creates or replaces the list called `name` (its creation time is kept). */
  saveList(name: string, words: readonly string[], now = new Date().toISOString()): ConceptWordList {
    const list = normalizeWordList(name, words);
    this.db.run(
      `INSERT INTO concept_lists (name, words_json, created_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET words_json = excluded.words_json, updated_at = excluded.updated_at`,
      [list.name, JSON.stringify(list.words), now, now],
    );
    return this.getList(list.name) as ConceptWordList;
  }

  deleteList(name: string): boolean {
    return this.db.run('DELETE FROM concept_lists WHERE name = ?', [name.trim()]).changes > 0;
  }

  getWhitening(fingerprint: string, algorithm: string): StoredWhitening | undefined {
    const row = this.db.get<WhiteningRow>('SELECT * FROM concept_whitenings WHERE fingerprint = ? AND algorithm = ?', [
      fingerprint,
      algorithm,
    ]);
    return row && whiteningFromRow(row);
  }

  putWhitening(w: StoredWhitening): void {
    const r = whiteningToRow(w);
    this.db.run(
      `INSERT OR REPLACE INTO concept_whitenings (fingerprint, algorithm, d_model, d_vocab, rank, mean, whiten, unwhiten, eigenvalues, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [r.fingerprint, r.algorithm, r.d_model, r.d_vocab, r.rank, r.mean, r.whiten, r.unwhiten, r.eigenvalues, r.created_at],
    );
  }

  getVector(fingerprint: string, key: string, dModel: number): StoredConceptVector | undefined {
    const row = this.db.get<VectorRow>('SELECT * FROM concept_vectors WHERE fingerprint = ? AND key = ?', [fingerprint, key]);
    return row && vectorFromRow(row, dModel);
  }

  putVector(v: StoredConceptVector): void {
    const r = vectorToRow(v);
    this.db.run(
      'INSERT OR REPLACE INTO concept_vectors (fingerprint, key, n_tokens, shrinkage, spread, vector, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [r.fingerprint, r.key, r.n_tokens, r.shrinkage, r.spread, r.vector, r.created_at],
    );
  }
}
