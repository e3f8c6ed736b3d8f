import { ApiFailure } from '../../../api/errors.js';
import type { ConceptPlane, ConceptVectorInfo } from '../../../api/types.js';
import type { Workspace } from '../../../store/workspace.js';
import type { ConceptEstimate } from '../estimator.js';
import { matVec, norm, subtract } from '../linalg.js';
import { PlaneError, axesMatrix, float32Base64, groupOfTokens, planeAxes, sampleTokens } from '../plane.js';
import type { PlaneAxes } from '../plane.js';
import { productTransposed } from '../products.js';
import { conceptModel } from './model.js';
import type { ConceptModel } from './model.js';
import { featureCosines, saeGeometry } from './sae-geometry.js';
import { countsOf, requireEnough, resolveConcept } from './sources.js';
import type { ResolvedConcept } from './sources.js';
import { conceptVector } from './vectors.js';

export interface PlaneParams {
  modelId: string;
  saeId?: string;
  x: string;
  y: string;
  yMinus?: string;
  orthogonalize: boolean;
  highlight?: string[];
  minTokens: number;
  maxTokens: number;
  seed: number;
}

function info(c: ResolvedConcept, e: ConceptEstimate, minTokens: number): ConceptVectorInfo {
  return { ...countsOf(c, minTokens), norm: e.norm, shrinkage: e.shrinkage, spread: e.spread };
}

async function estimated(
  ws: Workspace,
  cm: ConceptModel,
  ref: string,
  field: string,
  minTokens: number,
): Promise<{ c: ResolvedConcept; e: ConceptEstimate }> {
  const c = resolveConcept(ws, cm, ref, field);
  requireEnough(c, minTokens, field);
  return { c, e: await conceptVector(ws, cm, c.tokenIds) };
}

async function featurePoints(
  ws: Workspace,
  cm: ConceptModel,
  saeId: string,
  axes: PlaneAxes,
): Promise<NonNullable<ConceptPlane['features']>> {
  const geo = await saeGeometry(ws, cm, saeId);
  const s = cm.whitening.unwhiten;
  const d = cm.dModel;
  const cx = featureCosines(geo, d, matVec(s, d, d, axes.x));
  const cy = featureCosines(geo, d, matVec(s, d, d, axes.y));
  const cPerp = axes.orthogonalized ? cy : featureCosines(geo, d, matVec(s, d, d, axes.yPerp));
  const scale = Math.sqrt(d);
  const xy = new Float32Array(geo.dSae * 2);
  const inPlane = new Float32Array(geo.dSae);
  for (let i = 0; i < geo.dSae; i++) {
    xy[2 * i] = scale * cx[i];
    xy[2 * i + 1] = scale * cy[i];
    inPlane[i] = Math.min(1, Math.hypot(cx[i], cPerp[i]));
  }
  const labels = ws.features.labels
    .listForSae(saeId)
    .filter((l) => l.label !== '')
    .map((l) => ({ index: l.key.index, label: l.label }));
  return { saeId, n: geo.dSae, xy: float32Base64(xy), inPlane: float32Base64(inPlane), labels, scale };
}

/** Tokens (and an SAE's features) in the plane of two concept directions. */
export async function conceptPlane(ws: Workspace, params: PlaneParams): Promise<ConceptPlane> {
  const cm = await conceptModel(ws, params.modelId);
  const x = await estimated(ws, cm, params.x, 'x', params.minTokens);
  const y = await estimated(ws, cm, params.y, 'y', params.minTokens);
  const minus = params.yMinus === undefined ? null : await estimated(ws, cm, params.yMinus, 'yMinus', params.minTokens);
  const yVector = minus ? subtract(y.e.vector, minus.e.vector) : y.e.vector;
  let axes: PlaneAxes;
  try {
    axes = planeAxes(x.e.vector, yVector, params.orthogonalize);
  } catch (error) {
    if (error instanceof PlaneError) throw new ApiFailure('failed', error.message, 'y');
    throw error;
  }
  const refs = [...new Set([params.x, params.y, ...(params.yMinus ? [params.yMinus] : []), ...(params.highlight ?? [])])];
  const groups = refs.map((ref) => resolveConcept(ws, cm, ref, 'highlight'));
  const highlighted = new Set(groups.flatMap((g) => g.tokenIds));
  const shown = sampleTokens(cm.dVocab, highlighted, params.maxTokens, params.seed);
  const rows = new Float32Array(shown.length * cm.dModel);
  shown.forEach((id, r) => rows.set(cm.g.subarray(id * cm.dModel, (id + 1) * cm.dModel), r * cm.dModel));
  const xy = await productTransposed(rows, shown.length, axesMatrix(axes), 2, cm.dModel);
  const yName = minus ? `ℓ̄(${y.c.name}) − ℓ̄(${minus.c.name})` : `ℓ̄(${y.c.name})`;
  return {
    modelId: params.modelId,
    x: { label: `ℓ̄(${x.c.name})`, concepts: [info(x.c, x.e, params.minTokens)], norm: x.e.norm },
    y: {
      label: params.orthogonalize ? `${yName}, orthogonalised against x` : yName,
      concepts: [info(y.c, y.e, params.minTokens), ...(minus ? [info(minus.c, minus.e, params.minTokens)] : [])],
      norm: norm(yVector),
      orthogonalized: params.orthogonalize,
    },
    cosXY: axes.cosXY,
    cloud: {
      dVocab: cm.dVocab,
      n: shown.length,
      xy: float32Base64(xy),
      tokenIds: shown,
      texts: shown.map((id) => cm.vocab.texts[id]),
      group: groupOfTokens(
        shown,
        groups.map((g) => g.tokenIds),
      ),
    },
    groups: groups.map((g) => countsOf(g, params.minTokens)),
    features: params.saeId === undefined ? null : await featurePoints(ws, cm, params.saeId, axes),
  };
}
