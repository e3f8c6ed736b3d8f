import { z } from 'zod';
import { method } from '../define.js';
import { id, path } from '../params.js';
import type { JobSummary } from '../jobs.js';

export const importsMethods = {
  'imports.start': method<JobSummary>()({
    summary:
      "Import an exported dashboard (a Neuronpedia source folder with features/ and activations/, a folder of SAEDashboard batch-N.json files, or a delphi latent cache of one hookpoint) as the index of an SAE: with saeId, that registered SAE's; without, a row of its own. Streams, commits in chunks, resumes a killed import of the same path.",
    params: z.strictObject({ path, modelId: id, saeId: id.optional() }),
    events: ['job.progress'],
    job: true,
  }),
};
