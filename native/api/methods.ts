import { z } from 'zod';
import { method, type ResultOfSpec } from './define.js';
import { featureSortKeys, labelStateFilters } from './types.js';
import { searchText, storedText } from './text.js';
import { compareGroupKinds, matchMeasures, matchSortKeys } from './types.js';
import { labelFileFormats } from './types.js';
import { isNeuronpediaId } from './neuronpedia.js';
import type {
  FeatureLabel,
  FeaturePageData,
  FeatureResults,
  JobData,
  JobSummary,
  LabelEvent,
  MatmulRate,
  ModelRegistration,
  ModelSummary,
  SaeRegistration,
  SaeSummary,
  WorkspaceInfo, MapData } from './types.js';

const noParams = z.strictObject({});
const id = z.string().min(1).max(200);
const path = z.string().min(1).max(4096);
/** A corpus spec: brown, brown:SELECTION, text:PATH, jsonl:PATH#FIELD, parquet:PATH#COLUMN, or a path. */
const corpus = z.string().min(1).max(4200);
/** A feature's index in its SAE; the service checks it against the SAE's d_sae. */
const featureIndex = z.int().min(0).max(2_147_483_647);
/** Token counts: a run may index or train on billions of tokens, never more than a float64 counts exactly. */
const tokenCount = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
const contextLength = z.int().min(1).max(65_536);
const density = z.number().min(0).max(1);
const offset = z.int().min(0).max(1_000_000_000);
const pageLimit = z.int().min(1).max(1000);
// Same limits as the store's label checks (store/label-values.ts), so an overlong value never reaches it.
const neuronpediaIdText = z.string().refine(isNeuronpediaId, 'expected a Neuronpedia id: letters, digits, ".", "_" or "-"');
const labelText = storedText(1000);
const notesText = storedText(100_000);
const tags = z.array(storedText(64, 1)).max(64);
/** A concept: `wn:<synset or word>` or `list:<name>`. */
const conceptSpec = z.string().min(4).max(220).regex(/^(wn|list):\S/, 'expected wn:<synset or word> or list:<name>');

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
    dSae: z.int().min(1).max(1 << 20),
    activation,
    tokens: tokenCount,
    batchTokens: z.int().min(1).max(1 << 20).optional(),
    contextLength: contextLength.optional(),
    lr: z.number().gt(0).max(1).optional(),
    seed: z.int().min(0).max(0xffffffff).optional(),
    initFrom: path.optional(),
    normalizeInitFrom: z.boolean().optional(),
    filter: z.strictObject({ sae: path, feature: featureIndex, threshold: z.number(), /** fraction of rows drawn from all tokens, [0, 0.95] */ background: z.number().min(0).max(0.95).optional() }).optional(),
    zeroFilterFeature: z.boolean().optional(),
    /** How the latents beyond initFrom's start: 'random' (default) or 'data' (from sample rows, aimed at the filter feature). */
    newLatents: z.enum(['random', 'data']).optional(),
    /** Batches without a firing before a latent is dead and gets the AuxK loss. */
    deadBatches: z.int().min(1).max(1 << 20).optional(),
    /** Train only the filter feature and the new latents; the other copied latents and b_dec stay initFrom's. */
    freezeOthers: z.boolean().optional(),
  })
  .superRefine((p, ctx) => {
    if (p.activation.kind === 'topk' && p.activation.k > p.dSae) {
      ctx.addIssue({ code: 'custom', path: ['activation', 'k'], message: `k = ${p.activation.k} is more than the ${p.dSae} latents (dSae)` });
    }
    if (p.zeroFilterFeature && (!p.filter || p.initFrom === undefined || p.filter.sae !== p.initFrom)) {
      ctx.addIssue({ code: 'custom', path: ['zeroFilterFeature'], message: 'zeroing the filter feature needs filter.sae and initFrom to be the same SAE' });
    }
    if (p.freezeOthers && (!p.filter || p.initFrom === undefined || p.filter.sae !== p.initFrom)) {
      ctx.addIssue({ code: 'custom', path: ['freezeOthers'], message: 'freezing the other latents needs filter.sae and initFrom to be the same SAE' });
    }
    if (p.newLatents === 'data' && p.initFrom === undefined) {
      ctx.addIssue({ code: 'custom', path: ['newLatents'], message: 'starting new latents from the data needs initFrom (they are the latents beyond its own)' });
    }
  });

/** One feature edit of steer.start: clamp to a value or to a multiple of the feature's indexed max activation, add α · W_dec, or ablate. */
const steerEdit = z.discriminatedUnion('mode', [
  z.strictObject({ saeId: id, feature: featureIndex, mode: z.literal('clamp'), value: z.number().min(-1e6).max(1e6) }),
  z.strictObject({ saeId: id, feature: featureIndex, mode: z.literal('clampMax'), multiple: z.number().min(-1e4).max(1e4) }),
  z.strictObject({ saeId: id, feature: featureIndex, mode: z.literal('add'), coefficient: z.number().min(-1e6).max(1e6) }),
  z.strictObject({ saeId: id, feature: featureIndex, mode: z.literal('ablate') }),
]);

/** THE contract: every method the renderer (or a script) can call, declared once. Grow by appending. */
export const methods = {
  'workspace.open': method<WorkspaceInfo>()({
    summary: 'Create or open a workspace folder (loupe.db + artifacts/).',
    params: z.strictObject({ path: z.string().min(1).max(4096) }),
    events: ['job.progress'],
  }),
  'workspace.info': method<WorkspaceInfo>()({
    summary: 'The open workspace: path, schema version, counts.',
    params: noParams,
  }),
  'models.list': method<ModelSummary[]>()({
    summary: 'Models registered in the workspace.',
    params: noParams,
  }),
  'saes.list': method<SaeSummary[]>()({
    summary: 'SAEs registered in the workspace, optionally only those of one model.',
    params: z.strictObject({ modelId: id.optional() }),
  }),
  'jobs.list': method<JobSummary[]>()({
    summary: 'Jobs, newest first.',
    params: z.strictObject({
      states: z.array(z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'])).optional(),
      limit: z.int().min(1).max(1000).default(100),
    }),
  }),
  'jobs.cancel': method<JobSummary>()({
    summary: 'Ask a queued or running job to stop.',
    params: z.strictObject({ jobId: id }),
    events: ['job.progress'],
  }),
  'engine.measureMatmul': method<JobSummary>()({
    summary: "Measure ONNX Runtime's float32 matrix-multiply rate on this machine (the limit every benchmark compares with).",
    params: z.strictObject({ seconds: z.number().min(0.5).max(120).default(5) }),
    events: ['job.progress'],
    job: true,
  }),
  'engine.matmulRate': method<MatmulRate | null>()({
    summary: 'The last measured matrix-multiply rate, or null.',
    params: noParams,
  }),
  'models.add': method<ModelRegistration>()({
    summary:
      'Register a model folder (or weights file) by path and content fingerprint; registering the same path again returns its row, rewritten if the files changed.',
    params: z.strictObject({ path }),
  }),
  'saes.add': method<SaeRegistration>()({
    summary:
      "Register an SAE (any layout Loupe reads) by path and content fingerprint; with modelId, attach it to that model after checking its d_in against the model's hook width. hook gives the hook it reads when its files do not say (a Gemma Scope params.npz outside the hub layout) or say otherwise.",
    params: z.strictObject({ path, modelId: id.optional(), hook: z.string().min(1).max(200).optional() }),
  }),
  'index.start': method<JobSummary>()({
    summary: "Index an SAE over a corpus: per-feature statistics, examples, output tokens and neighbours (resumes the SAE's unfinished run with the same settings).",
    params: z.strictObject({ saeId: id, corpus, tokens: tokenCount, contextLength: contextLength.optional() }),
    events: ['job.progress'],
    job: true,
  }),
  'features.page': method<FeaturePageData>()({
    summary: "Everything a feature page shows: statistics, histogram, examples, output tokens, neighbours, label.",
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
  'labels.set': method<FeatureLabel>()({
    summary: "Change a feature's label, notes or tags (omitted fields are kept; tags replace the set); recorded in the history.",
    params: z.strictObject({ saeId: id, index: featureIndex, label: labelText.optional(), notes: notesText.optional(), tags: tags.optional() }),
  }),
  'labels.history': method<LabelEvent[]>()({
    summary: "Label changes, newest first: one feature's, or the whole SAE's; beforeId pages further back.",
    params: z.strictObject({ saeId: id, index: featureIndex.optional(), limit: z.int().min(1).max(10_000).default(100), beforeId: z.int().min(1).optional() }),
  }),
  'labels.undo': method<FeatureLabel | null>()({
    summary: "Undo the newest label change not yet undone (of one feature, or of any feature of the SAE); null when there is none.",
    params: z.strictObject({ saeId: id, index: featureIndex.optional() }),
  }),
  'jobs.data': method<JobData[]>()({
    summary: "A job's partial results so far (e.g. a training run's loss curve), in order; empty for jobs of earlier sessions.",
    params: z.strictObject({ jobId: id }),
  }),
  'train.start': method<JobSummary>()({
    summary:
      'Train a TopK or ReLU SAE on a model hook over a corpus (optionally split one feature of another SAE), write it to artifacts/saes/<name> and register it.',
    params: trainParams,
    events: ['job.progress', 'job.data'],
    job: true,
  }),
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
  'prompt.run': method<import('./types.js').PromptResult>()({
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
  'compare.get': method<import('./types.js').CompareRunSummary | null>()({
    summary: 'The newest stored comparison of exactly these SAEs (in any order), with their evaluations, or null.',
    params: z.strictObject({ saeIds: z.array(id).min(2).max(3) }),
  }),
  'compare.matches': method<import('./types.js').MatchPage>()({
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
  'compare.groups': method<import('./types.js').CompareGroups>()({
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
  'compare.links': method<import('./types.js').CompareLinks>()({
    summary: "Every wide feature's best parent and similarity in one pair, as packed arrays (for drawing links on a joint map).",
    params: z.strictObject({ runId: z.int().min(1), pair: z.int().min(0).max(1), by: z.enum(matchMeasures).default('cosine') }),
  }),
  'compare.tree': method<import('./types.js').SplitTree>()({
    summary:
      "A splitting tree: a feature, the features of the next wider SAE whose best parent it is (and theirs in a third SAE), each with label, density and top tokens, edges weighted by similarity.",
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
    summary: 'Evaluate an SAE over a corpus slice (FVU, L0, dead and dense latents, loss recovered, ablation sparsity, decoder cosines) and store the report.',
    params: z.strictObject({ saeId: id, corpus, tokens: tokenCount, contextLength: contextLength.optional() }),
    events: ['job.progress'],
    job: true,
  }),
  'eval.get': method<import('./types.js').SaeEvalMetrics | null>()({
    summary: "An SAE's newest stored evaluation (of its current weights), or null.",
    params: z.strictObject({ saeId: id }),
  }),
  'demo.create': method<import('./demo.js').DemoCreated>()({
    summary:
      "Make this workspace the demo: register the demo model and its two SAEs (512 and 4,096 latents) and queue what is not done yet (index both over a Brown sample, map each and both); returns the unfinished steps' jobs, none when the demo is ready.",
    params: z.strictObject({ tokens: z.int().min(128).max(1 << 24).optional() }),
    events: ['job.progress'],
  }),
  'demo.status': method<import('./demo.js').DemoStatus>()({
    summary: 'Whether this workspace is fresh or the demo, and each demo step: done, and its newest job.',
    params: z.strictObject({ tokens: z.int().min(128).max(1 << 24).optional() }),
  }),
  'concepts.synsets': method<import('./types.js').ConceptSynsetMatch[]>()({
    summary: "WordNet noun synsets for the hierarchy picker: those whose words start with `query` (or suggested roots), with their single-token counts in the model's vocabulary.",
    params: z.strictObject({
      modelId: id,
      query: z.string().max(100).optional(),
      /** a concept with fewer single-token words is refused */
      minTokens: z.int().min(2).max(100_000).default(8),
      limit: z.int().min(1).max(200).default(40),
    }),
  }),
  'concepts.hierarchy': method<import('./types.js').ConceptHierarchy>()({
    summary: "A WordNet noun hierarchy (a synset, e.g. animal.n.01, or a word) as the model's vocabulary can estimate it: a tree of concepts with word and token counts, and the hyponyms refused for too few tokens.",
    params: z.strictObject({ modelId: id, root: z.string().min(1).max(220), depth: z.int().min(0).max(4).default(2), minTokens: z.int().min(2).max(100_000).default(8) }),
  }),
  'concepts.heatmap': method<import('./types.js').ConceptHeatmap>()({
    summary: "Park et al.'s noun heat map for a hierarchy: cosines between its concept vectors and between parent-to-child differences in the causal inner product, and cos(ℓ_parent, ℓ_child − ℓ_parent) per edge against a shuffled-vocabulary baseline.",
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
  'concepts.plane': method<import('./types.js').ConceptPlane>()({
    summary: 'Tokens (a sample of the vocabulary, concept words coloured) and optionally an SAE’s features in the plane of two concept directions: x = ℓ(x), y = ℓ(y) or ℓ(y) − ℓ(yMinus), optionally orthogonalised against x.',
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
  'concepts.aligned': method<import('./types.js').ConceptAligned>()({
    summary: "The SAE's features whose decoder directions, mapped into the causal inner product's space, have the highest (and lowest) cosine with a concept's vector.",
    params: z.strictObject({
      saeId: id,
      concept: conceptSpec,
      /** default: the SAE's model */
      modelId: id.optional(),
      limit: z.int().min(1).max(200).default(20),
      minTokens: z.int().min(2).max(100_000).default(8),
    }),
  }),
  'concepts.lists': method<import('./types.js').ConceptWordList[]>()({
    summary: "The workspace's saved word lists (user-defined concepts), with how their words fall in a model's vocabulary when modelId is given.",
    params: z.strictObject({ modelId: id.optional() }),
  }),
  'concepts.saveWords': method<import('./types.js').ConceptWordList>()({
    summary: 'Create or replace a named word list (a user-defined concept, usable as list:<name>); with modelId, says which words are single tokens.',
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
  'concepts.defaultRoot': method<import('./types.js').ConceptDefaultRoot>()({
    summary: "The hierarchy root the Concepts view opens on for a model: the first of a ranked list of WordNet roots (animal, organism, person, artifact, whole, …) whose tree the model's vocabulary can hold at this minimum (two concepts under the root, one of them split again), with why each candidate holds or not.",
    params: z.strictObject({ modelId: id, minTokens: z.int().min(2).max(100_000).default(8) }),
  }),
  'features.suggest': method<import('./types.js').SuggestedFeature | null>()({
    summary: "A feature worth opening first in an indexed SAE (moderate density, its best corpus-tag candidate the most precise), or null before the SAE is indexed.",
    params: z.strictObject({ saeId: id }),
  }),
  'corpus.preview': method<import('./types.js').CorpusPreview>()({
    summary: "The start of a corpus: the spec as parsed, its first documents, and (with a model) its first window as that model reads it, with the tokens counted there (a BOS first, never counted).",
    params: z.strictObject({ corpus, modelId: id.optional(), contextLength: contextLength.optional() }),
  }),
  'features.logitHistogram': method<import('./types.js').LogitHistogram>()({
    summary: "A feature's direct logit effect W_dec[f]·W_U on every token of the vocabulary, as a histogram (sae_vis's logit histogram), computed on demand from the SAE's and model's weights.",
    params: z.strictObject({ saeId: id, index: featureIndex, bins: z.int().min(4).max(200).default(40) }),
  }),
  'features.lossEffect': method<import('./types.js').LossEffect>()({
    summary: "Per token of one stored example window, the change in next-token loss when the feature is ablated at the SAE's hook (one clean and one ablated forward pass; sae_vis's loss effect).",
    params: z.strictObject({ saeId: id, index: featureIndex, window: z.int().min(0).max(2_147_483_647) }),
  }),
  'labels.export': method<import('./types.js').LabelsFile>()({
    summary:
      "Every label of the SAE as a file, as `loupe labels export` writes it: Loupe's JSON or CSV (with the SAE, hook, model and corpus), Neuronpedia Explanation rows (.jsonl.gz) or the upload-autointerp body; Neuronpedia ids default to the SAE's neuronpedia_id.",
    params: z.strictObject({
      saeId: id,
      format: z.enum(labelFileFormats),
      neuronpedia: z.strictObject({ modelId: neuronpediaIdText.optional(), layer: neuronpediaIdText.optional(), authorId: neuronpediaIdText }).optional(),
    }),
  }),
  'imports.start': method<JobSummary>()({
    summary: "Import an exported dashboard (a Neuronpedia source folder with features/ and activations/, a folder of SAEDashboard batch-N.json files, or a delphi latent cache of one hookpoint) as the index of an SAE: with saeId, that registered SAE's; without, a row of its own. Streams, commits in chunks, resumes a killed import of the same path.",
    params: z.strictObject({ path, modelId: id, saeId: id.optional() }),
    events: ['job.progress'],
    job: true,
  }),
  'features.queue': method<import('./types.js').FeatureQueue>()({
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
  'grants.choose': method<import('./types.js').PathGrant | null>()({
    summary:
      "Desktop app: choose a file or folder in a native dialog and get an opaque grant to send wherever a path is asked for (the app refuses typed paths); null when cancelled. loupe serve has no dialog: there paths are typed.",
    params: z.strictObject({ kind: z.enum(['file', 'folder']), title: z.string().max(200).optional() }),
  }),
  'steer.start': method<JobSummary>()({
    summary:
      "Generate a clean and a steered continuation of a prompt side by side (same seed): clamp features of the model's SAEs (to a value or a multiple of their max activation), add α · W_dec, or ablate them, keeping or dropping the SAE error term, from a token on. Streams a SteerStepData per token as job.data; the result is a SteerResult.",
    params: z.strictObject({
      prompt: z.string().min(1).max(20_000),
      edits: z.array(steerEdit).max(32),
      /** a raw direction added at a hook (e.g. a steer.decompose CAA vector), alone or with the edits */
      vector: z.strictObject({ hookName: z.string().min(1).max(200), values: z.array(z.number().min(-1e6).max(1e6)).min(1).max(65_536), coefficient: z.number().min(-1e6).max(1e6) }).optional(),
      /** the model to steer when there are no edits (otherwise the edits' SAEs' model) */
      modelId: id.optional(),
      keepError: z.boolean().default(true),
      /** the first prompt token (0-based, BOS not counted) where the edits apply; past the prompt: generated tokens only */
      fromToken: z.int().min(0).max(65_536).default(0),
      maxTokens: z.int().min(1).max(1024).default(32),
      /** 0 is greedy */
      temperature: z.number().min(0).max(100).default(0),
      topK: z.int().min(0).max(1 << 24).optional(),
      topP: z.number().gt(0).max(1).optional(),
      seed: z.int().min(0).max(0xffffffff).default(0),
      prependBos: z.boolean().default(true),
      stopAtEos: z.boolean().default(true),
    }).refine((p) => p.edits.length > 0 || p.vector !== undefined, { message: 'give at least one feature edit or a vector', path: ['edits'] }),
    events: ['job.progress', 'job.data'],
    job: true,
  }),
  'steer.decompose': method<import('./types.js').SteeringDecomposition>()({
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

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** Params as a caller writes them (defaults may be omitted). */
export type ParamsOf<M extends MethodName> = z.input<Methods[M]['params']>;
/** Params as a service receives them (validated, defaults applied). */
export type ValidParamsOf<M extends MethodName> = z.output<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = ResultOfSpec<Methods[M]>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

/** The methods declared with `job: true`: each returns a job at once, and is the kind of job it starts. */
export type JobMethod = { [M in MethodName]: Methods[M]['job'] extends true ? M : never }[MethodName];
