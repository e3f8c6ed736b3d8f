import { ApiFailure } from '../../../api/errors.js';
import type { ConceptAlignedFeature } from '../../../api/types.js';
import { loadSae } from '../../../sae/index.js';
import type { Workspace } from '../../../store/workspace.js';
import { mapResidualDirections } from '../whitening.js';
import type { ConceptModel, SaeGeometry } from './model.js';

const saesPerModel = 2;

async function loadGeometry(ws: Workspace, cm: ConceptModel, saeId: string): Promise<SaeGeometry> {
  const record = ws.saes.get(saeId);
  if (!record) throw new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, 'saeId');
  const sae = loadSae(record.path);
  if (sae.dIn !== cm.dModel) {
    throw new ApiFailure(
      'failed',
      `SAE ${saeId} reads ${record.hookName} of width ${sae.dIn}; concept geometry maps residual-stream directions of width ${cm.dModel} (d_model)`,
      'saeId',
    );
  }
  const mapped = await mapResidualDirections(sae.wDec, sae.dSae, cm.whitening);
  const mappedNorms = new Float64Array(sae.dSae);
  for (let i = 0; i < sae.dSae; i++) {
    let s = 0;
    for (let c = 0; c < cm.dModel; c++) s += mapped[i * cm.dModel + c] ** 2;
    mappedNorms[i] = Math.sqrt(s);
  }
  return { saeId, dSae: sae.dSae, wDec: sae.wDec, mappedNorms };
}

/** The SAE's decoder and mapped-row norms for this model (memoised per model, two SAEs at a time). */
export function saeGeometry(ws: Workspace, cm: ConceptModel, saeId: string): Promise<SaeGeometry> {
  const record = ws.saes.get(saeId);
  if (!record) return Promise.reject(new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, 'saeId'));
  if (record.modelId !== null && record.modelId !== cm.modelId) {
    return Promise.reject(new ApiFailure('failed', `SAE ${saeId} belongs to model ${record.modelId}, not ${cm.modelId}`, 'saeId'));
  }
  const key = `${saeId}\u0000${record.fingerprint}`;
  let entry = cm.saes.get(key);
  if (!entry) {
    entry = loadGeometry(ws, cm, saeId);
    cm.saes.set(key, entry);
    entry.catch(() => cm.saes.delete(key));
    while (cm.saes.size > saesPerModel) cm.saes.delete(cm.saes.keys().next().value as string);
  }
  return entry;
}

/**
 * cos(Cov^(1/2) d_i, v̂) for every feature i and a unit vector v̂ of the whitened space, given
 * `mappedUnit` = Cov^(1/2) v̂: (Cov^(1/2) d_i)ᵀ v̂ = d_iᵀ (Cov^(1/2) v̂), so one [dSae, d] × [d]
 * product per call instead of mapping the whole decoder again.
 */
export function featureCosines(geo: SaeGeometry, dModel: number, mappedUnit: Float64Array): Float64Array {
  const out = new Float64Array(geo.dSae);
  for (let i = 0; i < geo.dSae; i++) {
    const n = geo.mappedNorms[i];
    if (n === 0) continue;
    let s = 0;
    const row = i * dModel;
    for (let c = 0; c < dModel; c++) s += geo.wDec[row + c] * mappedUnit[c];
    out[i] = s / n;
  }
  return out;
}

/** Label, density and most frequent tokens of some features, from the SAE's current index run. */
export function featureInfo(ws: Workspace, saeId: string, indices: readonly number[], cosines: Float64Array): ConceptAlignedFeature[] {
  const features = ws.features;
  const labels = new Map(features.labels.listForSae(saeId).map((l) => [l.key.index, l.label]));
  const run = features.runs.current(saeId);
  return indices.map((index) => {
    const stats = run ? features.stats.get(run.id, index) : undefined;
    const tokens = run ? features.tokens.listForFeature(run.id, index).filter((t) => t.kind === 'frequent') : [];
    return {
      index,
      cosine: cosines[index],
      label: labels.get(index) ?? '',
      density: stats?.density ?? null,
      topTokens: tokens.slice(0, 5).map((t) => t.token),
    };
  });
}
