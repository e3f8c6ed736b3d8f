import { z } from 'zod';
import { method } from '../define.js';
import { id } from '../params.js';
import type { JobSummary } from '../jobs.js';
import type { MapData } from '../maps.js';

export const mapsMethods = {
  'maps.compute': method<JobSummary>()({
    summary: "Compute (or find cached) a UMAP map of 1–3 SAEs' decoder directions on one hook.",
    params: z.strictObject({
      saeIds: z.array(id).min(1).max(3),
      nNeighbors: z.int().min(2).max(200).optional(),
      minDist: z.number().min(0).max(1).optional(),
      seed: z.int().min(0).max(2147483647).optional(),
    }),
    events: ['job.progress'],
    job: true,
  }),
  'maps.get': method<MapData | null>()({
    summary: 'The newest stored map of exactly these SAEs (in any order), or null.',
    params: z.strictObject({ saeIds: z.array(id).min(1).max(3) }),
  }),
};
