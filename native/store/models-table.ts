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

function fromRow(row: ModelRow): ModelSummary {
  const config = JSON.parse(row.config_json) as StoredModelConfig;
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
  };
}

/** Reads the `models` table. Models are registered by the model-loading services. */
export class ModelsTable {
  constructor(readonly db: Database) {}

  list(): ModelSummary[] {
    return this.db.all<ModelRow>('SELECT * FROM models ORDER BY added_at, id').map(fromRow);
  }

  count(): number {
    return this.db.get<{ n: number }>('SELECT count(*) AS n FROM models')?.n ?? 0;
  }
}
