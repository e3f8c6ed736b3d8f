import { ApiFailure } from '../api/errors.js';
import type { ModelRecord } from './models-table.js';
import type { SaeRecord } from './saes-table.js';
import type { Workspace } from './workspace.js';

/** A registered SAE and the model it is attached to; the not_found or conflict names `field`. */
export function saeWithModel(ws: Workspace, saeId: string, field = 'saeId'): { sae: SaeRecord; model: ModelRecord } {
  const sae = ws.saes.get(saeId);
  if (!sae) throw new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, field);
  const model = sae.modelId === null ? undefined : ws.models.get(sae.modelId);
  if (!model)
    throw new ApiFailure(
      'conflict',
      `SAE "${sae.name}" is not attached to a model: register it again with saes.add {path, modelId}`,
      field,
    );
  return { sae, model };
}
