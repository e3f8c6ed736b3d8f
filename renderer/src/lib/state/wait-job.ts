import type { JobSummary } from '../../../../native/api/types.js';
import type { ApiClient } from '../api/client.js';

/** Settles when the job finishes: resolves when done, rejects with its error when it fails or stops. */
export function waitForJob(api: ApiClient, jobId: string, onProgress?: (job: JobSummary) => void): Promise<JobSummary> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const note = (job: JobSummary) => {
      if (settled || job.id !== jobId) return;
      onProgress?.(job);
      if (job.state === 'done') finish(() => resolve(job));
      else if (job.state === 'failed' || job.state === 'cancelled' || job.state === 'interrupted')
        finish(() => reject(new Error(job.error ?? `${job.title}: ${job.state}`)));
    };
    const stop = api.on('job.progress', note);
    const finish = (settle: () => void) => {
      settled = true;
      stop();
      settle();
    };
    // A job that finished before the subscription is found in the list.
    void api.call('jobs.list', { limit: 200 }).then(
      (jobs) => jobs.forEach(note),
      () => {},
    );
  });
}
