import type { SaeSummary } from '../api/types.js';
import type { NeuronpediaSource } from '../api/types.js';
import type { Database } from './database.js';
import { saeNeuronpediaSource } from './neuronpedia-source.js';

interface SaeRow {
  id: string;
  name: string;
  path: string;
  format: string;
  model_id: string | null;
  hook_name: string;
  d_in: number;
  d_sae: number;
  activation: string;
  k: number | null;
  config_json: string;
  fingerprint: string;
  added_at: string;
}

/** A registered SAE: its summary plus its library's config, verbatim (e.g. SAELens's neuronpedia_id). */
export interface SaeRecord extends SaeSummary {
  config: Record<string, unknown>;
}

export function fromRow(row: SaeRow): SaeRecord {
  const config = JSON.parse(row.config_json) as unknown;
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    format: row.format,
    modelId: row.model_id,
    hookName: row.hook_name,
    dIn: row.d_in,
    dSae: row.d_sae,
    activation: row.activation,
    k: row.k,
    fingerprint: row.fingerprint,
    addedAt: row.added_at,
    config: typeof config === 'object' && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>) : {},
  };
}

export function toRow(sae: SaeRecord): SaeRow {
  return {
    id: sae.id,
    name: sae.name,
    path: sae.path,
    format: sae.format,
    model_id: sae.modelId,
    hook_name: sae.hookName,
    d_in: sae.dIn,
    d_sae: sae.dSae,
    activation: sae.activation,
    k: sae.k,
    config_json: JSON.stringify(sae.config),
    fingerprint: sae.fingerprint,
    added_at: sae.addedAt,
  };
}

export function saeSummaryOf(sae: SaeRecord): SaeSummary {
  const { config: _config, ...summary } = sae;
  return summary;
}

type Params = Record<string, string | number | null>;

/** Reads and writes the `saes` table. SAEs are registered by native/registry/catalog.ts. */
export class SaesTable {
  constructor(private readonly db: Database) {}

  list(modelId?: string): SaeSummary[] {
    const rows =
      modelId === undefined
        ? this.db.all<SaeRow>('SELECT * FROM saes ORDER BY added_at, id')
        : this.db.all<SaeRow>('SELECT * FROM saes WHERE model_id = ? ORDER BY added_at, id', [modelId]);
    return rows.map((r) => saeSummaryOf(fromRow(r)));
  }

  count(): number {
    return this.db.get<{ n: number }>('SELECT count(*) AS n FROM saes')?.n ?? 0;
  }

  get(id: string): SaeRecord | undefined {
    const row = this.db.get<SaeRow>('SELECT * FROM saes WHERE id = ?', [id]);
    return row && fromRow(row);
  }

  /** The SAE registered from this (absolute) path, if any; the oldest if several were. */
  findByPath(path: string): SaeRecord | undefined {
    const row = this.db.get<SaeRow>('SELECT * FROM saes WHERE path = ? ORDER BY added_at, id LIMIT 1', [path]);
    return row && fromRow(row);
  }

  insert(sae: SaeRecord): void {
    this.db.run(
      `INSERT INTO saes (id, name, path, format, model_id, hook_name, d_in, d_sae, activation, k, config_json, fingerprint, added_at)
       VALUES (@id, @name, @path, @format, @model_id, @hook_name, @d_in, @d_sae, @activation, @k, @config_json, @fingerprint, @added_at)`,
      toRow(sae) as unknown as Params,
    );
  }

  /** Rewrites every column but the id and added_at (a re-registration of changed files). */
  update(sae: SaeRecord): void {
    this.db.run(
      `UPDATE saes SET name = @name, path = @path, format = @format, model_id = @model_id, hook_name = @hook_name, d_in = @d_in,
         d_sae = @d_sae, activation = @activation, k = @k, config_json = @config_json, fingerprint = @fingerprint WHERE id = @id`,
      toRow(sae) as unknown as Params,
    );
  }

  /** A row without weights grows to the features an import has seen (call in the import's commit). */
  setDSae(id: string, dSae: number): void {
    this.db.run('UPDATE saes SET d_sae = ? WHERE id = ?', [dSae, id]);
  }

  /** Which Neuronpedia source the SAE is (its config's neuronpedia_id), or null. */
  neuronpediaSource(id: string): NeuronpediaSource | null {
    return saeNeuronpediaSource(this.db, id);
  }
}
