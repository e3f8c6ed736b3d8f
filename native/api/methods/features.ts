import { z } from 'zod';
import { method } from '../define.js';
import { id, corpus, featureIndex, tokenCount, contextLength, density, offset, pageLimit } from '../params.js';
import { searchText } from '../text.js';
import {
  featureSortKeys,
  labelStateFilters,
  type FeaturePageData,
  type FeatureQueue,
  type FeatureResults,
  type LogitHistogram,
  type LossEffect,
  type SuggestedFeature,
} from '../features.js';
import type { JobSummary } from '../jobs.js';

export const featuresMethods = {
  'index.start': method<JobSummary>()({
    summary:
      "Index an SAE over a corpus: per-feature statistics, examples, output tokens and neighbours (resumes the SAE's unfinished run with the same settings).",
    params: z.strictObject({ saeId: id, corpus, tokens: tokenCount, contextLength: contextLength.optional() }),
    events: ['job.progress'],
    job: true,
  }),
  'features.page': method<FeaturePageData>()({
    summary: 'Everything a feature page shows: statistics, histogram, examples, output tokens, neighbours, label.',
    params: z.strictObject({ saeId: id, index: featureIndex }),
  }),
  'features.search': method<FeatureResults>()({
    summary:
      "Search an SAE's features (or, with allSaes, every SAE's) by text (labels, notes, tags, the tokens they fire on or boost), token, label state and firing density; ranked by relevance, each result says what matched.",
    params: z.strictObject({
      saeId: id,
      text: searchText(1000).optional(),
      token: searchText(200).optional(),
      labelState: z.enum(labelStateFilters).optional(),
      minDensity: density.optional(),
      maxDensity: density.optional(),
      sort: z.enum(featureSortKeys).optional(),
      descending: z.boolean().optional(),
      offset: offset.optional(),
      limit: pageLimit.optional(),
      /** search every SAE of the workspace; results carry their saeId and saeName */
      allSaes: z.boolean().optional(),
    }),
  }),
  'features.list': method<FeatureResults>()({
    summary: "A page of an SAE's features in a chosen order.",
    params: z.strictObject({ saeId: id, sort: z.enum(featureSortKeys), descending: z.boolean().optional(), offset, limit: pageLimit }),
  }),
  'features.suggest': method<SuggestedFeature | null>()({
    summary:
      'A feature worth opening first in an indexed SAE (moderate density, its best corpus-tag candidate the most precise), or null before the SAE is indexed.',
    params: z.strictObject({ saeId: id }),
  }),
  'features.logitHistogram': method<LogitHistogram>()({
    summary:
      "A feature's direct logit effect W_dec[f]·W_U on every token of the vocabulary, as a histogram (sae_vis's logit histogram), computed on demand from the SAE's and model's weights.",
    params: z.strictObject({ saeId: id, index: featureIndex, bins: z.int().min(4).max(200).default(40) }),
  }),
  'features.lossEffect': method<LossEffect>()({
    summary:
      "Per token of one stored example window, the change in next-token loss when the feature is ablated at the SAE's hook (one clean and one ablated forward pass; sae_vis's loss effect).",
    params: z.strictObject({ saeId: id, index: featureIndex, window: z.int().min(0).max(2_147_483_647) }),
  }),
  'features.queue': method<FeatureQueue>()({
    summary:
      "A label queue in one call: every feature of an SAE matching the filters (text over labels, notes, tags and top tokens; unlabelled only, where a feature marked uninterpretable counts as done; firing density bounds), ascending, with the SAE's labelling progress.",
    params: z.strictObject({
      saeId: id,
      text: searchText(1000).optional(),
      unlabelledOnly: z.boolean().default(true),
      minDensity: density.optional(),
      maxDensity: density.optional(),
    }),
  }),
};
