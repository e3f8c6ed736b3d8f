import { loadSae } from '../../sae/formats/load.js';
import type { FeatureNeighbour } from '../../store/feature-neighbours-table.js';
import type { PerFeature } from '../../store/index-batch.js';
import { nearestByCosine } from '../decoder-analysis.js';
import { commitImport } from './import-target.js';
import type { ImportTarget } from './import-target.js';

const NEIGHBOURS = 10;
const FEATURES_PER_COMMIT = 2048;

/**
 * With the SAE's weights, an import gets what an index run computes from the decoder alone: each
 * feature's nearest decoder directions (cosine; no correlations, which need activations on shared
 * tokens the export does not give). The map reads the weights itself.
 */
export async function importNeighbours(t: ImportTarget): Promise<void> {
  const sae = loadSae(t.sae.path);
  const { indices, cosines } = await nearestByCosine(sae.wDec, sae.dSae, sae.wDec, sae.dSae, sae.dIn, NEIGHBOURS, true);
  for (let from = 0; from < sae.dSae; from += FEATURES_PER_COMMIT) {
    const rows: PerFeature<FeatureNeighbour>[] = [];
    for (let f = from; f < Math.min(sae.dSae, from + FEATURES_PER_COMMIT); f++) {
      const items: FeatureNeighbour[] = [];
      for (let r = 0; r < NEIGHBOURS; r++) {
        const other = indices[f * NEIGHBOURS + r];
        if (other >= 0) items.push({ other: { saeId: t.sae.id, index: other }, rank: items.length, cosine: cosines[f * NEIGHBOURS + r], correlation: null });
      }
      rows.push({ feature: f, items });
    }
    commitImport(t, { neighbours: rows }, { windows: 0, tokens: 0, features: 0 }, t.reader);
  }
}
