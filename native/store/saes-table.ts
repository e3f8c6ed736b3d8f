import type { SaeSummary } from '../api/types.js';
import type { Database } from './database.js';

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

function fromRow(row: SaeRow): SaeSummary {
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
  };
}

/** Reads the `saes` table. SAEs are registered by the SAE services. */
export class SaesTable {
  constructor(readonly db: Database) {}

  list(modelId?: string): SaeSummary[] {
    const rows =
      modelId === undefined
        ? this.db.all<SaeRow>('SELECT * FROM saes ORDER BY added_at, id')
        : this.db.all<SaeRow>('SELECT * FROM saes WHERE model_id = ? ORDER BY added_at, id', [modelId]);
    return rows.map(fromRow);
  }

  count(): number {
    return this.db.get<{ n: number }>('SELECT count(*) AS n FROM saes')?.n ?? 0;
  }
}
