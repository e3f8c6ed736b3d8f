import { ApiFailure } from '../../api/errors.js';
import type { ValidParamsOf } from '../../api/methods.js';
import { parseCorpusSpec } from '../../corpus/spec.js';
import { CorpusError } from '../../corpus/types.js';
import { saeWithModel } from '../../store/sae-with-model.js';
import type { Workspace } from '../../store/workspace.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

/** A corpus spec that cannot open fails the call, naming the field, rather than a job a moment later. */
export function checkCorpus(spec: string, field = 'corpus'): void {
  try {
    parseCorpusSpec(spec);
  } catch (e) {
    if (e instanceof CorpusError) throw new ApiFailure('failed', e.message, field);
    throw e;
  }
}

/** What can be checked before the job starts without loading weights: the SAE, its model, the sizes. */
export function checkIndexParams(ws: Workspace, params: ValidParamsOf<'index.start'>): void {
  const { model } = saeWithModel(ws, params.saeId);
  const contextLength = params.contextLength ?? 128;
  if (contextLength > model.nCtx)
    throw new ApiFailure('failed', `a context of ${contextLength} tokens is longer than ${model.name}'s ${model.nCtx}`, 'contextLength');
  if (params.tokens < contextLength)
    throw new ApiFailure('failed', `tokens is ${params.tokens}; index at least one window of ${contextLength} tokens`, 'tokens');
  checkCorpus(params.corpus);
}

export function indexingHandlers(engine: Engine): Pick<Handlers, 'index.start'> {
  return {
    'index.start': (params) => {
      checkIndexParams(engine.workspace, params);
      return engine.runner.start('index.start', params);
    },
  };
}
