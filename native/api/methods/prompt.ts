import { z } from 'zod';
import { method } from '../define.js';
import { id } from '../params.js';
import type { PromptResult } from '../prompt.js';

export const promptMethods = {
  'prompt.run': method<PromptResult>()({
    summary:
      "Run an SAE's model and the SAE on a text (cut to the model's context): its tokens with their spans, each token's strongest features, a token × feature heat map of the prompt's strongest features, and every activation, to colour the tokens by any feature.",
    params: z.strictObject({
      saeId: id,
      text: z.string().min(1, 'type some text to run').max(20_000),
      /** features listed per token */
      topK: z.int().min(1).max(64).default(8),
      /** strongest features in the token × feature heat map */
      heatmap: z.int().min(1).max(128).default(24),
      /** read the model's BOS (GPT-2's <|endoftext|>, Llama 3's <|begin_of_text|>, Gemma's <bos>) before the text, as at a document start; it is not among the result's tokens */
      prependBos: z.boolean().default(true),
    }),
  }),
};
