import { z } from 'zod';
import { method } from '../define.js';
import { id } from '../params.js';
import type {
  ConceptAligned,
  ConceptDefaultRoot,
  ConceptHeatmap,
  ConceptHierarchy,
  ConceptPlane,
  ConceptSynsetMatch,
  ConceptWordList,
} from '../concepts.js';

/** A concept: `wn:<synset or word>` or `list:<name>`. */
const conceptSpec = z
  .string()
  .min(4)
  .max(220)
  .regex(/^(wn|list):\S/, 'expected wn:<synset or word> or list:<name>');

export const conceptsMethods = {
  'concepts.synsets': method<ConceptSynsetMatch[]>()({
    summary:
      "WordNet noun synsets for the hierarchy picker: those whose words start with `query` (or suggested roots), with their single-token counts in the model's vocabulary.",
    params: z.strictObject({
      modelId: id,
      query: z.string().max(100).optional(),
      /** a concept with fewer single-token words is refused */
      minTokens: z.int().min(2).max(100_000).default(8),
      limit: z.int().min(1).max(200).default(40),
    }),
  }),
  'concepts.hierarchy': method<ConceptHierarchy>()({
    summary:
      "A WordNet noun hierarchy (a synset, e.g. animal.n.01, or a word) as the model's vocabulary can estimate it: a tree of concepts with word and token counts, and the hyponyms refused for too few tokens.",
    params: z.strictObject({
      modelId: id,
      root: z.string().min(1).max(220),
      depth: z.int().min(0).max(4).default(2),
      minTokens: z.int().min(2).max(100_000).default(8),
    }),
  }),
  'concepts.heatmap': method<ConceptHeatmap>()({
    summary:
      "Park et al.'s noun heat map for a hierarchy: cosines between its concept vectors and between parent-to-child differences in the causal inner product, and cos(ℓ_parent, ℓ_child − ℓ_parent) per edge against a shuffled-vocabulary baseline.",
    params: z.strictObject({
      modelId: id,
      root: z.string().min(1).max(220),
      depth: z.int().min(0).max(4).default(2),
      minTokens: z.int().min(2).max(100_000).default(8),
      /** permutations of the vocabulary for the baseline; a verdict at 5% needs at least 19 */
      shuffles: z.int().min(0).max(100).default(40),
      seed: z.int().min(0).max(2_147_483_647).default(1),
    }),
  }),
  'concepts.plane': method<ConceptPlane>()({
    summary:
      'Tokens (a sample of the vocabulary, concept words coloured) and optionally an SAE’s features in the plane of two concept directions: x = ℓ(x), y = ℓ(y) or ℓ(y) − ℓ(yMinus), optionally orthogonalised against x.',
    params: z.strictObject({
      modelId: id,
      saeId: id.optional(),
      x: conceptSpec,
      y: conceptSpec,
      yMinus: conceptSpec.optional(),
      orthogonalize: z.boolean().default(false),
      highlight: z.array(conceptSpec).max(12).optional(),
      minTokens: z.int().min(2).max(100_000).default(8),
      maxTokens: z.int().min(100).max(300_000).default(20_000),
      seed: z.int().min(0).max(2_147_483_647).default(1),
    }),
  }),
  'concepts.aligned': method<ConceptAligned>()({
    summary:
      "The SAE's features whose decoder directions, mapped into the causal inner product's space, have the highest (and lowest) cosine with a concept's vector.",
    params: z.strictObject({
      saeId: id,
      concept: conceptSpec,
      /** default: the SAE's model */
      modelId: id.optional(),
      limit: z.int().min(1).max(200).default(20),
      minTokens: z.int().min(2).max(100_000).default(8),
    }),
  }),
  'concepts.lists': method<ConceptWordList[]>()({
    summary:
      "The workspace's saved word lists (user-defined concepts), with how their words fall in a model's vocabulary when modelId is given.",
    params: z.strictObject({ modelId: id.optional() }),
  }),
  'concepts.saveWords': method<ConceptWordList>()({
    summary:
      'Create or replace a named word list (a user-defined concept, usable as list:<name>); with modelId, says which words are single tokens.',
    params: z.strictObject({
      name: z.string().min(1).max(100).regex(/\S/, 'expected a name with some visible characters'),
      words: z.array(z.string().max(100)).max(5000),
      modelId: id.optional(),
    }),
  }),
  'concepts.deleteWords': method<{ deleted: boolean }>()({
    summary: 'Delete a saved word list.',
    params: z.strictObject({ name: z.string().min(1).max(100) }),
  }),
  'concepts.defaultRoot': method<ConceptDefaultRoot>()({
    summary:
      "The hierarchy root the Concepts view opens on for a model: the first of a ranked list of WordNet roots (animal, organism, person, artifact, whole, …) whose tree the model's vocabulary can hold at this minimum (two concepts under the root, one of them split again), with why each candidate holds or not.",
    params: z.strictObject({ modelId: id, minTokens: z.int().min(2).max(100_000).default(8) }),
  }),
};
