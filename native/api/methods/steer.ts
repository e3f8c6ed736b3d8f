import { z } from 'zod';
import { method } from '../define.js';
import { id, featureIndex } from '../params.js';
import type { JobSummary } from '../jobs.js';
import type { SteeringDecomposition } from '../steer.js';

/** One feature edit of steer.start: clamp to a value or to a multiple of the feature's indexed max activation, add α · W_dec, or ablate. */
const steerEdit = z.discriminatedUnion('mode', [
  z.strictObject({ saeId: id, feature: featureIndex, mode: z.literal('clamp'), value: z.number().min(-1e6).max(1e6) }),
  z.strictObject({ saeId: id, feature: featureIndex, mode: z.literal('clampMax'), multiple: z.number().min(-1e4).max(1e4) }),
  z.strictObject({ saeId: id, feature: featureIndex, mode: z.literal('add'), coefficient: z.number().min(-1e6).max(1e6) }),
  z.strictObject({ saeId: id, feature: featureIndex, mode: z.literal('ablate') }),
]);

export const steerMethods = {
  'steer.start': method<JobSummary>()({
    summary:
      "Generate a clean and a steered continuation of a prompt side by side (same seed): clamp features of the model's SAEs (to a value or a multiple of their max activation), add α · W_dec, or ablate them, keeping or dropping the SAE error term, from a token on. Streams a SteerStepData per token as job.data; the result is a SteerResult.",
    params: z
      .strictObject({
        prompt: z.string().min(1).max(20_000),
        edits: z.array(steerEdit).max(32),
        /** a raw direction added at a hook (e.g. a steer.decompose CAA vector), alone or with the edits */
        vector: z
          .strictObject({
            hookName: z.string().min(1).max(200),
            values: z.array(z.number().min(-1e6).max(1e6)).min(1).max(65_536),
            coefficient: z.number().min(-1e6).max(1e6),
          })
          .optional(),
        /** the model to steer when there are no edits (otherwise the edits' SAEs' model) */
        modelId: id.optional(),
        keepError: z.boolean().default(true),
        /** the first prompt token (0-based, BOS not counted) where the edits apply; past the prompt: generated tokens only */
        fromToken: z.int().min(0).max(65_536).default(0),
        maxTokens: z.int().min(1).max(1024).default(32),
        /** 0 is greedy */
        temperature: z.number().min(0).max(100).default(0),
        topK: z
          .int()
          .min(0)
          .max(1 << 24)
          .optional(),
        topP: z.number().gt(0).max(1).optional(),
        seed: z.int().min(0).max(0xffffffff).default(0),
        prependBos: z.boolean().default(true),
        stopAtEos: z.boolean().default(true),
      })
      .refine((p) => p.edits.length > 0 || p.vector !== undefined, {
        message: 'give at least one feature edit or a vector',
        path: ['edits'],
      }),
    events: ['job.progress', 'job.data'],
    job: true,
  }),
  'steer.decompose': method<SteeringDecomposition>()({
    summary:
      "A contrastive steering vector (CAA: the mean activation at the SAE's hook on the last token of the positive prompts minus that of the negative ones) read in the SAE's terms: the features whose decoder directions have the highest |cosine| with it, those whose mean activation changes most between the two sets (the SAE's encoder), and the fraction of the vector each top-k set explains by least squares.",
    params: z.strictObject({
      saeId: id,
      positive: z.array(z.string().min(1).max(4000)).min(1).max(512),
      negative: z.array(z.string().min(1).max(4000)).min(1).max(512),
      /** features listed per ranking */
      k: z.int().min(1).max(100).default(10),
      prependBos: z.boolean().default(true),
    }),
  }),
};
