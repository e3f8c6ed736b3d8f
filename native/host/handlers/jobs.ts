import { summaryOf } from '../../store/jobs-table.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

export function jobHandlers(engine: Engine): Pick<Handlers, 'jobs.list' | 'jobs.cancel'> {
  return {
    'jobs.list': ({ states, limit }) => engine.workspace.jobs.list({ states, limit }).map(summaryOf),
    'jobs.cancel': ({ jobId }) => engine.runner.cancel(jobId),
  };
}
