import { z } from 'zod';
import { method } from '../define.js';
import { id, corpus, featureIndex, tokenCount, contextLength, offset, pageLimit } from '../params.js';
import {
  compareGroupKinds,
  matchMeasures,
  matchSortKeys,
  type CompareGroups,
  type CompareLinks,
  type CompareRunSummary,
  type MatchPage,
  type SaeEvalMetrics,
  type SplitTree,
} from '../compare.js';
import type { JobSummary } from '../jobs.js';

export const compareMethods = {
  'compare.start': method<JobSummary>()({
    summary:
      "Compare 2–3 SAEs on one hook (any order; stored narrowest first): match each wider SAE's features to the next narrower one's by decoder cosine (a blocked matmul) and by activation correlation over a corpus slice (the model runs once, every SAE encodes in the same graph), evaluate each SAE that has no evaluation on those tokens (unless evaluate is false), and store it all (a stored identical comparison is reused).",
    params: z.strictObject({
      saeIds: z.array(id).min(2).max(3),
      corpus,
      tokens: tokenCount,
      contextLength: contextLength.optional(),
      /** parents considered per wide feature by cosine, among which the correlation match is chosen (default 8) */
      candidates: z.int().min(1).max(64).optional(),
      evaluate: z.boolean().optional(),
    }),
    events: ['job.progress'],
    job: true,
  }),
  'compare.get': method<CompareRunSummary | null>()({
    summary: 'The newest stored comparison of exactly these SAEs (in any order), with their evaluations, or null.',
    params: z.strictObject({ saeIds: z.array(id).min(2).max(3) }),
  }),
  'compare.matches': method<MatchPage>()({
    summary: "A page of a comparison's matches: each feature of the pair's wider SAE with its best parent by cosine and by correlation.",
    params: z.strictObject({
      runId: z.int().min(1),
      pair: z.int().min(0).max(1),
      sort: z.enum(matchSortKeys).default('feature'),
      descending: z.boolean().optional(),
      /** only the features whose two best parents differ */
      disagreeing: z.boolean().optional(),
      offset: offset.optional(),
      limit: pageLimit.optional(),
    }),
  }),
  'compare.groups': method<CompareGroups>()({
    summary:
      'At a similarity threshold: narrow features split into several wide ones (one-to-many), wide features without a parent, narrow features without a child; the counts of all three and a page of one.',
    params: z.strictObject({
      runId: z.int().min(1),
      pair: z.int().min(0).max(1),
      by: z.enum(matchMeasures).default('cosine'),
      threshold: z.number().min(-1).max(1),
      kind: z.enum(compareGroupKinds),
      offset: offset.optional(),
      limit: pageLimit.optional(),
    }),
  }),
  'compare.links': method<CompareLinks>()({
    summary: "Every wide feature's best parent and similarity in one pair, as packed arrays (for drawing links on a joint map).",
    params: z.strictObject({ runId: z.int().min(1), pair: z.int().min(0).max(1), by: z.enum(matchMeasures).default('cosine') }),
  }),
  'compare.tree': method<SplitTree>()({
    summary:
      'A splitting tree: a feature, the features of the next wider SAE whose best parent it is (and theirs in a third SAE), each with label, density and top tokens, edges weighted by similarity.',
    params: z.strictObject({
      runId: z.int().min(1),
      root: z.strictObject({ saeId: id, index: featureIndex }),
      by: z.enum(matchMeasures).default('cosine'),
      /** children below this similarity are left out (the view's slider filters above it) */
      minSimilarity: z.number().min(-1).max(1).default(0),
      /** most similar children kept per node */
      maxChildren: z.int().min(1).max(256).default(32),
    }),
  }),
  'eval.start': method<JobSummary>()({
    summary:
      'Evaluate an SAE over a corpus slice (FVU, L0, dead and dense latents, loss recovered, ablation sparsity, decoder cosines) and store the report.',
    params: z.strictObject({ saeId: id, corpus, tokens: tokenCount, contextLength: contextLength.optional() }),
    events: ['job.progress'],
    job: true,
  }),
  'eval.get': method<SaeEvalMetrics | null>()({
    summary: "An SAE's newest stored evaluation (of its current weights), or null.",
    params: z.strictObject({ saeId: id }),
  }),
};
