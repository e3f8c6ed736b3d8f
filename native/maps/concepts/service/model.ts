import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ApiFailure } from '../../../api/errors.js';
import { loadTokenizer } from '../../../formats/index.js';
import { loadTransformer } from '../../../models/index.js';
import type { TransformerWeights } from '../../../models/index.js';
import type { Workspace } from '../../../store/workspace.js';
import type { ConceptEstimate } from '../estimator.js';
import type { SynsetTokens } from '../synset-tokens.js';
import { vocabularyOfTokenizer } from '../vocabulary.js';
import type { Vocabulary } from '../vocabulary.js';
import { computeWhitening, whitenRows } from '../whitening.js';
import type { Whitening } from '../whitening.js';

/** Names the whitening code: part of the stored whitening's key (bump when its output changes). */
export const whiteningAlgorithm = 'park2024-unembedding-whitening/tred2-tql2/v1';

/** One model as the concept views need it: its vocabulary, whitened. Lives in the engine worker. */
export interface ConceptModel {
  modelId: string;
  fingerprint: string;
  dModel: number;
  dVocab: number;
  vocab: Vocabulary;
  /** [dVocab, dModel] g(y) for every token, float32 */
  g: Float32Array;
  whitening: Whitening;
  /** estimated vectors by token-set key (see `tokenSetKey`) */
  vectors: Map<string, ConceptEstimate>;
  /** WordNet synsets' token sets in this vocabulary, made on first use */
  synsets?: SynsetTokens;
  /** per SAE: its decoder and the norms of its mapped rows */
  saes: Map<string, Promise<SaeGeometry>>;
}

export interface SaeGeometry {
  saeId: string;
  dSae: number;
  /** [dSae, dModel] decoder rows */
  wDec: Float32Array;
  /** [dSae] ‖Cov(γ)^(1/2) d_i‖ */
  mappedNorms: Float64Array;
}

/** Two models' whitened vocabularies stay in memory (GPT-2 small: 154 MB each). */
const capacity = 2;
const models = new Map<string, Promise<ConceptModel>>();

/** γ as [dVocab, dModel] rows, whatever layout the model stores. */
export function unembeddingRows(weights: TransformerWeights): Float32Array {
  const { w, layout } = weights.unembed;
  if (layout === 'vocabByDModel') return w.data;
  const [dModel, dVocab] = w.shape;
  const rows = new Float32Array(dVocab * dModel);
  for (let i = 0; i < dModel; i++) for (let v = 0; v < dVocab; v++) rows[v * dModel + i] = w.data[i * dVocab + v];
  return rows;
}

/** The model's vocabulary, read through its tokenizer (texts, spellings, and Brown cut into its tokens). */
async function conceptVocabulary(modelPath: string, dVocab: number): Promise<Vocabulary> {
  const dir = statSync(modelPath).isFile() ? dirname(modelPath) : modelPath;
  let tokenizer;
  try {
    tokenizer = await loadTokenizer(dir);
  } catch (error) {
    throw new ApiFailure('failed', `concepts need the model's tokenizer to find words: ${(error as Error).message}`, 'modelId');
  }
  return vocabularyOfTokenizer(tokenizer, dVocab);
}

async function loadConceptModel(ws: Workspace, modelId: string): Promise<ConceptModel> {
  const record = ws.models.get(modelId);
  if (!record) throw new ApiFailure('not_found', `no model "${modelId}" in this workspace`, 'modelId');
  let weights: TransformerWeights;
  try {
    weights = loadTransformer(record.path).weights;
  } catch (error) {
    throw new ApiFailure('failed', `model ${modelId} could not be read for its unembedding: ${(error as Error).message}`, 'modelId');
  }
  const dModel = weights.config.dModel;
  const dVocab = weights.config.dVocab;
  const gamma = unembeddingRows(weights);
  const table = ws.concepts;
  let whitening: Whitening | undefined = table.getWhitening(record.fingerprint, whiteningAlgorithm);
  if (!whitening || whitening.dModel !== dModel || whitening.dVocab !== dVocab) {
    whitening = await computeWhitening(gamma, dVocab, dModel);
    table.putWhitening({
      ...whitening,
      fingerprint: record.fingerprint,
      algorithm: whiteningAlgorithm,
      createdAt: new Date().toISOString(),
    });
  }
  const g = await whitenRows(gamma, dVocab, whitening);
  const vocab = await conceptVocabulary(record.path, dVocab);
  return { modelId, fingerprint: record.fingerprint, dModel, dVocab, vocab, g, whitening, vectors: new Map(), saes: new Map() };
}

/**
 * The model's whitened vocabulary, computed once per model (the whitening is also stored in the
 * workspace, so a restart only repeats the [dVocab, d] × [d, d] product).
 */
export function conceptModel(ws: Workspace, modelId: string): Promise<ConceptModel> {
  const record = ws.models.get(modelId);
  if (!record) return Promise.reject(new ApiFailure('not_found', `no model "${modelId}" in this workspace`, 'modelId'));
  const key = `${ws.path}\u0000${modelId}\u0000${record.fingerprint}`;
  let entry = models.get(key);
  if (entry) {
    models.delete(key);
    models.set(key, entry);
    return entry;
  }
  entry = loadConceptModel(ws, modelId);
  models.set(key, entry);
  entry.catch(() => models.delete(key));
  while (models.size > capacity) models.delete(models.keys().next().value as string);
  return entry;
}

/** Which tokens, by which estimator: the cache key of a concept vector. */
export function tokenSetKey(tokenIds: readonly number[], estimator: string): string {
  return `${estimator}#${createHash('sha256').update(tokenIds.join(',')).digest('hex').slice(0, 32)}`;
}
