import { ApiFailure } from '../../../api/errors.js';
import type { ConceptAligned, ConceptWordList } from '../../../api/types.js';
import type { ConceptWordList as StoredList } from '../../../store/concepts-table.js';
import { StoreValueError } from '../../../store/checks.js';
import type { Workspace } from '../../../store/workspace.js';
import { matVec, norm } from '../linalg.js';
import { matchWords } from '../whole-words.js';
import { conceptModel } from './model.js';
import { featureCosines, featureInfo, saeGeometry } from './sae-geometry.js';
import { countsOf, requireEnough, resolveConcept } from './sources.js';
import { conceptVector } from './vectors.js';

/** The SAE's features whose mapped decoder directions have the highest (and lowest) cosine with a concept. */
export async function conceptAligned(
  ws: Workspace,
  params: { saeId: string; concept: string; limit: number; minTokens: number; modelId?: string },
): Promise<ConceptAligned> {
  const sae = ws.saes.get(params.saeId);
  if (!sae) throw new ApiFailure('not_found', `no SAE "${params.saeId}" in this workspace`, 'saeId');
  const modelId = params.modelId ?? sae.modelId;
  if (modelId === null)
    throw new ApiFailure(
      'failed',
      `SAE ${params.saeId} is not attached to a model: name one (modelId) or register the SAE with its model`,
      'modelId',
    );
  const cm = await conceptModel(ws, modelId);
  const concept = resolveConcept(ws, cm, params.concept, 'concept');
  requireEnough(concept, params.minTokens, 'concept');
  const estimate = await conceptVector(ws, cm, concept.tokenIds);
  const geo = await saeGeometry(ws, cm, params.saeId);
  const unit = estimate.vector.map((v) => v / norm(estimate.vector));
  const cosines = featureCosines(geo, cm.dModel, matVec(cm.whitening.unwhiten, cm.dModel, cm.dModel, unit));
  const order = Array.from({ length: geo.dSae }, (_, i) => i).sort((a, b) => cosines[b] - cosines[a]);
  const limit = Math.min(params.limit, geo.dSae);
  return {
    modelId,
    saeId: params.saeId,
    concept: { ...countsOf(concept, params.minTokens), norm: estimate.norm, shrinkage: estimate.shrinkage, spread: estimate.spread },
    top: featureInfo(ws, params.saeId, order.slice(0, limit), cosines),
    bottom: featureInfo(ws, params.saeId, order.slice(-limit).reverse(), cosines),
  };
}

async function withMatch(ws: Workspace, list: StoredList, modelId: string | undefined): Promise<ConceptWordList> {
  if (modelId === undefined) return { name: list.name, words: list.words, updatedAt: list.updatedAt, match: null };
  const cm = await conceptModel(ws, modelId);
  const m = matchWords(list.words, cm.vocab);
  return {
    name: list.name,
    words: list.words,
    updatedAt: list.updatedAt,
    match: { found: m.found, missing: m.missing, nTokens: m.tokenIds.length, dropped: m.dropped },
  };
}

export async function conceptLists(ws: Workspace, modelId?: string): Promise<ConceptWordList[]> {
  const out: ConceptWordList[] = [];
  for (const list of ws.concepts.lists()) out.push(await withMatch(ws, list, modelId));
  return out;
}

export async function saveConceptWords(
  ws: Workspace,
  params: { name: string; words: string[]; modelId?: string },
): Promise<ConceptWordList> {
  try {
    return await withMatch(ws, ws.concepts.saveList(params.name, params.words), params.modelId);
  } catch (error) {
    if (error instanceof StoreValueError) throw new ApiFailure('failed', error.message, 'words');
    throw error;
  }
}

export function deleteConceptWords(ws: Workspace, name: string): { deleted: boolean } {
  return { deleted: ws.concepts.deleteList(name) };
}
