import type { JobRecord } from '../../native/store/jobs-table.js';

/**
 * A job row as a live engine leaves one mid-run (state running, half done, started `at`): what tests
 * insert to stand for a job that another process holds. `fields` overrides any of it.
 */
export function runningJobRecord(fields: Pick<JobRecord, 'id' | 'kind' | 'title'> & Partial<JobRecord>, at: string): JobRecord {
  return {
    params: {},
    state: 'running',
    progress: 0.5,
    message: '',
    error: null,
    result: null,
    createdAt: at,
    startedAt: at,
    finishedAt: null,
    ...fields,
  };
}
