import { ApiFailure } from '../../api/errors.js';
import { summaryOf } from '../../store/jobs-table.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

export function jobHandlers(engine: Engine): Pick<Handlers, 'jobs.list' | 'jobs.cancel' | 'jobs.data'> {
  return {
    'jobs.list': ({ states, limit }) => engine.workspace.jobs.list({ states, limit }).map(summaryOf),
    'jobs.cancel': ({ jobId }) => engine.runner.cancel(jobId),
    'jobs.data': ({ jobId }) => {
      if (!engine.workspace.jobs.get(jobId)) throw new ApiFailure('not_found', `no job with id "${jobId}"`, 'jobId');
      return engine.runner.data(jobId);
    },
  };
}
