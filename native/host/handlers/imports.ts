import { ApiFailure } from '../../api/errors.js';
import { FormatError } from '../../formats/tensor.js';
import { detectExport } from '../../index/import/detect.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

/** What can be checked before the job starts: the model, the SAE, and that the path is an export Loupe reads (by its file names). */
export function importsHandlers(engine: Engine): Pick<Handlers, 'imports.start'> {
  return {
    'imports.start': (params) => {
      const ws = engine.workspace;
      if (!ws.models.get(params.modelId)) throw new ApiFailure('not_found', `no model "${params.modelId}" in this workspace`, 'modelId');
      if (params.saeId !== undefined) {
        const sae = ws.saes.get(params.saeId);
        if (!sae) throw new ApiFailure('not_found', `no SAE "${params.saeId}" in this workspace`, 'saeId');
        if (sae.modelId !== params.modelId)
          throw new ApiFailure('conflict', `SAE "${sae.name}" reads model ${sae.modelId ?? '(none)'}, not ${params.modelId}`, 'saeId');
      }
      try {
        detectExport(params.path);
      } catch (e) {
        if (e instanceof FormatError) throw new ApiFailure('failed', e.message, 'path');
        throw e;
      }
      return engine.runner.start('imports.start', params);
    },
  };
}
