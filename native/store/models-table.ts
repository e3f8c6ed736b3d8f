import type { ModelSummary } from '../api/types.js';
import type { Database } from './database.js';

interface ModelRow {
  id: string;
  name: string;
  path: string;
  family: string;
  config_json: string;
  fingerprint: string;
  added_at: string;
}

interface StoredModelConfig {
  nLayers: number;
  dModel: number;
  dVocab: number;
  nCtx: number;
}

/** A registered model: its summary plus the whole parsed config (the model's TransformerConfig). */
export interface ModelRecord extends ModelSummary {
  config: Record<string, unknown>;
}

export function fromRow(row: ModelRow): ModelRecord {
  const config = JSON.parse(row.config_json) as StoredModelConfig & Record<string, unknown>;
  return {
    id: row.id,
    name: row.name,
    path: row.path,
    family: row.family,
    nLayers: config.nLayers,
    dModel: config.dModel,
    dVocab: config.dVocab,
    nCtx: config.nCtx,
    fingerprint: row.fingerprint,
    addedAt: row.added_at,
    config,
  };
}

/** The summary's sizes win over the same keys in `config`: they are what `fromRow` reads back. */
export function toRow(model: ModelRecord): ModelRow {
  const { nLayers, dModel, dVocab, nCtx } = model;
  return {
    id: model.id,
    name: model.name,
    path: model.path,
    family: model.family,
    config_json: JSON.stringify({ ...model.config, nLayers, dModel, dVocab, nCtx }),
    fingerprint: model.fingerprint,
    added_at: model.addedAt,
  };
}

export function modelSummaryOf(model: ModelRecord): ModelSummary {
  const { config: _config, ...summary } = model;
  return summary;
}

/** Reads and writes the `models` table. Models are registered by native/registry/catalog.ts. */
export class ModelsTable {
  constructor(private readonly db: Database) {}

  list(): ModelSummary[] {
    return this.db.all<ModelRow>('SELECT * FROM models ORDER BY added_at, id').map((r) => modelSummaryOf(fromRow(r)));
  }

  count(): number {
    return this.db.get<{ n: number }>('SELECT count(*) AS n FROM models')?.n ?? 0;
  }

  get(id: string): ModelRecord | undefined {
    const row = this.db.get<ModelRow>('SELECT * FROM models WHERE id = ?', [id]);
    return row && fromRow(row);
  }

  /** The model registered from this (absolute) path, if any; the oldest if several were. */
  findByPath(path: string): ModelRecord | undefined {
    const row = this.db.get<ModelRow>('SELECT * FROM models WHERE path = ? ORDER BY added_at, id LIMIT 1', [path]);
    return row && fromRow(row);
  }

  insert(model: ModelRecord): void {
    this.db.run(
      `INSERT INTO models (id, name, path, family, config_json, fingerprint, added_at)
       VALUES (@id, @name, @path, @family, @config_json, @fingerprint, @added_at)`,
      toRow(model) as unknown as Record<string, string>,
    );
  }

  /** Rewrites every column but the id and added_at (a re-registration of changed files). */
  update(model: ModelRecord): void {
    this.db.run(
      `UPDATE models SET name = @name, path = @path, family = @family, config_json = @config_json, fingerprint = @fingerprint WHERE id = @id`,
      toRow(model) as unknown as Record<string, string>,
    );
  }
}
