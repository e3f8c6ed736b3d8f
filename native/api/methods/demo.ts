import { z } from 'zod';
import { method } from '../define.js';
import type { DemoCreated, DemoStatus } from '../demo.js';

/** Both calls name the same demo: the Brown tokens each SAE is indexed over (DEMO_TOKENS when left out). */
const demoParams = z.strictObject({
  tokens: z
    .int()
    .min(128)
    .max(1 << 24)
    .optional(),
});

export const demoMethods = {
  'demo.create': method<DemoCreated>()({
    summary:
      "Make this workspace the demo: register the demo model and its two SAEs (512 and 4,096 latents) and queue what is not done yet (index both over a Brown sample, map each and both); returns the unfinished steps' jobs, none when the demo is ready.",
    params: demoParams,
    events: ['job.progress'],
  }),
  'demo.status': method<DemoStatus>()({
    summary: 'Whether this workspace is fresh or the demo, and each demo step: done, and its newest job.',
    params: demoParams,
  }),
};
