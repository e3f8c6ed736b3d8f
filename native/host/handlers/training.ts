import { existsSync } from 'node:fs';
import { ApiFailure } from '../../api/errors.js';
import type { ValidParamsOf } from '../../api/methods.js';
import { hookWidth } from '../../models/hooks.js';
import { modelFiles } from '../../models/model-files.js';
import type { ModelFiles } from '../../models/model-files.js';
import { FormatError } from '../../formats/tensor.js';
import { UnknownHookError } from '../../models/hooks.js';
import { checkTrainOut, trainOutDir } from '../../jobs/kinds/train-sae.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';
import { checkCorpus } from './indexing.js';

function readModel(path: string): ModelFiles {
  try {
    return modelFiles(path);
  } catch (e) {
    if (e instanceof FormatError) throw new ApiFailure('failed', e.message, 'model');
    throw e;
  }
}

/**
 * The checks that cost no weights (the folder to write, the model's config and hook, the corpus spec,
 * the SAE paths), so a mistake fails the call instead of a job minutes later.
 */
export function checkTrainParams(workspacePath: string, params: ValidParamsOf<'train.start'>): void {
  checkTrainOut(trainOutDir(workspacePath, params.name));
  const { config, name } = readModel(params.model);
  try {
    hookWidth(config, params.hook);
  } catch (e) {
    if (e instanceof UnknownHookError) throw new ApiFailure('failed', e.message, 'hook');
    throw e;
  }
  const context = params.contextLength ?? 128;
  if (context > config.nCtx)
    throw new ApiFailure('failed', `a context of ${context} tokens is longer than ${name}'s ${config.nCtx}`, 'contextLength');
  const batch = params.batchTokens ?? 4096;
  if (params.tokens < batch) {
    throw new ApiFailure(
      'failed',
      `${params.tokens.toLocaleString('en-US')} training tokens are fewer than one batch of ${batch.toLocaleString('en-US')}: train on at least one batch, or use a smaller batch`,
      'tokens',
    );
  }
  checkCorpus(params.corpus);
  for (const [field, path] of [
    ['initFrom', params.initFrom],
    ['filter.sae', params.filter?.sae],
  ] as const) {
    if (path !== undefined && !existsSync(path)) throw new ApiFailure('not_found', `${path}: no such file or folder`, field);
  }
}

export function trainingHandlers(engine: Engine): Pick<Handlers, 'train.start'> {
  return {
    'train.start': (params) => {
      checkTrainParams(engine.workspace.path, params);
      return engine.runner.start('train.start', params);
    },
  };
}
