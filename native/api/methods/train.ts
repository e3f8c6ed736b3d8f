import { z } from 'zod';
import { method } from '../define.js';
import { path, corpus, featureIndex, tokenCount, contextLength } from '../params.js';
import type { JobSummary } from '../jobs.js';

const activation = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('topk'),
    k: z.int().min(1).max(65_536),
    /** AuxK loss coefficient (default 1/32; 0 turns it off). */
    auxKCoefficient: z.number().min(0).max(1000).optional(),
  }),
  z.strictObject({ kind: z.literal('relu'), l1Coefficient: z.number().min(0).max(1e6) }),
]);

const trainParams = z
  .strictObject({
    /** The SAE goes to <workspace>/artifacts/saes/<name>: the renderer never picks a folder to write. */
    name: z.string().regex(/^[a-z0-9_-]{1,64}$/, 'expected 1 to 64 characters of a-z, 0-9, "-" and "_"'),
    model: path,
    hook: z.string().min(1).max(200),
    corpus,
    dSae: z
      .int()
      .min(1)
      .max(1 << 20),
    activation,
    tokens: tokenCount,
    batchTokens: z
      .int()
      .min(1)
      .max(1 << 20)
      .optional(),
    contextLength: contextLength.optional(),
    lr: z.number().gt(0).max(1).optional(),
    seed: z.int().min(0).max(0xffffffff).optional(),
    initFrom: path.optional(),
    normalizeInitFrom: z.boolean().optional(),
    filter: z
      .strictObject({
        sae: path,
        feature: featureIndex,
        threshold: z.number(),
        /** fraction of rows drawn from all tokens, [0, 0.95] */ background: z.number().min(0).max(0.95).optional(),
      })
      .optional(),
    zeroFilterFeature: z.boolean().optional(),
    /** How the latents beyond initFrom's start: 'random' (default) or 'data' (from sample rows, aimed at the filter feature). */
    newLatents: z.enum(['random', 'data']).optional(),
    /** Batches without a firing before a latent is dead and gets the AuxK loss. */
    deadBatches: z
      .int()
      .min(1)
      .max(1 << 20)
      .optional(),
    /** Train only the filter feature and the new latents; the other copied latents and b_dec stay initFrom's. */
    freezeOthers: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.activation.kind === 'topk' && p.activation.k > p.dSae) {
      ctx.addIssue({
        code: 'custom',
        path: ['activation', 'k'],
        message: `k = ${p.activation.k} is more than the ${p.dSae} latents (dSae)`,
      });
    }
    if (p.zeroFilterFeature && (!p.filter || p.initFrom === undefined || p.filter.sae !== p.initFrom)) {
      ctx.addIssue({
        code: 'custom',
        path: ['zeroFilterFeature'],
        message: 'zeroing the filter feature needs filter.sae and initFrom to be the same SAE',
      });
    }
    if (p.freezeOthers && (!p.filter || p.initFrom === undefined || p.filter.sae !== p.initFrom)) {
      ctx.addIssue({
        code: 'custom',
        path: ['freezeOthers'],
        message: 'freezing the other latents needs filter.sae and initFrom to be the same SAE',
      });
    }
    if (p.newLatents === 'data' && p.initFrom === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['newLatents'],
        message: 'starting new latents from the data needs initFrom (they are the latents beyond its own)',
      });
    }
  });

export const trainMethods = {
  'train.start': method<JobSummary>()({
    summary:
      'Train a TopK or ReLU SAE on a model hook over a corpus (optionally split one feature of another SAE), write it to artifacts/saes/<name> and register it.',
    params: trainParams,
    events: ['job.progress', 'job.data'],
    job: true,
  }),
};
