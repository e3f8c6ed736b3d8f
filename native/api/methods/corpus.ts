import { z } from 'zod';
import { method } from '../define.js';
import { id, corpus, contextLength } from '../params.js';
import type { CorpusPreview } from '../corpus.js';

export const corpusMethods = {
  'corpus.preview': method<CorpusPreview>()({
    summary:
      'The start of a corpus: the spec as parsed, its first documents, and (with a model) its first window as that model reads it, with the tokens counted there (a BOS first, never counted).',
    params: z.strictObject({ corpus, modelId: id.optional(), contextLength: contextLength.optional() }),
  }),
};
