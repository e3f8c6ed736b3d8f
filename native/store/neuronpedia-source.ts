import { neuronpediaIdOfConfig } from '../api/neuronpedia.js';
import type { NeuronpediaSource } from '../api/types.js';
import type { Database } from './database.js';

/**
 * Which Neuronpedia source an SAE of the workspace is, from its config's neuronpedia_id (SAELens:
 * top level up to v5, `metadata.neuronpedia_id` in v6). Feature links, label exports and
 * label-import checks all ask here. Null for an unknown SAE or one without the id.
 */
export function saeNeuronpediaSource(db: Database, saeId: string): NeuronpediaSource | null {
  const row = db.get<{ config_json: string }>('SELECT config_json FROM saes WHERE id = ?', [saeId]);
  if (!row) return null;
  const config = JSON.parse(row.config_json) as unknown;
  return typeof config === 'object' && config !== null && !Array.isArray(config)
    ? neuronpediaIdOfConfig(config as Record<string, unknown>)
    : null;
}
