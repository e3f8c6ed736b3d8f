import { z } from 'zod';
import { method } from '../define.js';
import { id } from '../params.js';
import { jobStates, type JobData, type JobSummary } from '../jobs.js';

export const jobsMethods = {
  'jobs.list': method<JobSummary[]>()({
    summary: 'Jobs, newest first.',
    params: z.strictObject({
      states: z.array(z.enum(jobStates)).optional(),
      limit: z.int().min(1).max(1000).default(100),
    }),
  }),
  'jobs.cancel': method<JobSummary>()({
    summary: 'Ask a queued or running job to stop.',
    params: z.strictObject({ jobId: id }),
    events: ['job.progress'],
  }),
  'jobs.data': method<JobData[]>()({
    summary: "A job's partial results so far (e.g. a training run's loss curve), in order; empty for jobs of earlier sessions.",
    params: z.strictObject({ jobId: id }),
  }),
};
