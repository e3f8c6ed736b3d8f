import { loadTransformer } from '../../models/load.js';
import { loadSae } from '../../sae/formats/load.js';
import type { FeatureToken } from '../../store/feature-logits-table.js';
import type { FeatureNeighbour } from '../../store/feature-neighbours-table.js';
import type { PerFeature } from '../../store/index-batch.js';
import { logitEffects } from '../decoder-analysis.js';
import { cosineTopK } from '../../onnx/cosine-neighbours.js';
import { commitImport } from './import-target.js';
import type { ImportTarget } from './import-target.js';

const NEIGHBOURS = 10;
const LOGITS_SHOWN = 10;
const FEATURES_PER_COMMIT = 2048;

/**
 * With the SAE's weights, an import gets what an index run computes from the decoder alone: each
 * feature's nearest decoder directions (cosine; no correlations, which need activations on shared
 * tokens the export does not give), and, when the export has no output-token effects (delphi), the
 * direct logit effects through the model's unembedding. The map reads the weights itself.
 */
export async function importNeighbours(t: ImportTarget): Promise<void> {
  const sae = loadSae(t.sae.path);
  const source = t.ws.imports.source(t.run.id);
  if (source?.absent.includes('logits')) await importLogits(t, sae.wDec, sae.dSae);
  const { indices, cosines } = await cosineTopK({
    queries: sae.wDec,
    nQueries: sae.dSae,
    keys: sae.wDec,
    nKeys: sae.dSae,
    d: sae.dIn,
    k: NEIGHBOURS,
    excludeSelf: true,
  });
  for (let from = 0; from < sae.dSae; from += FEATURES_PER_COMMIT) {
    const rows: PerFeature<FeatureNeighbour>[] = [];
    for (let f = from; f < Math.min(sae.dSae, from + FEATURES_PER_COMMIT); f++) {
      const items: FeatureNeighbour[] = [];
      for (let r = 0; r < NEIGHBOURS; r++) {
        const other = indices[f * NEIGHBOURS + r];
        if (other >= 0)
          items.push({
            other: { saeId: t.sae.id, index: other },
            rank: items.length,
            cosine: cosines[f * NEIGHBOURS + r],
            correlation: null,
          });
      }
      rows.push({ feature: f, items });
    }
    commitImport(t, { neighbours: rows }, { windows: 0, tokens: 0, features: 0 }, t.reader);
  }
}

/** Boosted and suppressed tokens next to the rows the export gave (delphi's exact frequent tokens); then logits are no longer absent. */
async function importLogits(t: ImportTarget, wDec: Float32Array, dSae: number): Promise<void> {
  const model = t.ws.models.get(t.run.modelId ?? '');
  if (!model) return;
  const effects = await logitEffects(wDec, dSae, loadTransformer(model.path).weights, LOGITS_SHOWN);
  const text = (id: number) => t.tokenizer.tokenText(id);
  for (let from = 0; from < dSae; from += FEATURES_PER_COMMIT) {
    const rows: PerFeature<FeatureToken>[] = [];
    for (let f = from; f < Math.min(dSae, from + FEATURES_PER_COMMIT); f++) {
      const kept = t.ws.features.tokens.listForFeature(t.run.id, f).filter((r) => r.kind === 'frequent');
      const items: FeatureToken[] = [...kept];
      for (let r = 0; r < LOGITS_SHOWN; r++) {
        const up = effects.boostedIds[f * LOGITS_SHOWN + r];
        const down = effects.suppressedIds[f * LOGITS_SHOWN + r];
        items.push({ kind: 'boosted', rank: r, tokenId: up, token: text(up), value: effects.boostedValues[f * LOGITS_SHOWN + r] });
        items.push({
          kind: 'suppressed',
          rank: r,
          tokenId: down,
          token: text(down),
          value: effects.suppressedValues[f * LOGITS_SHOWN + r],
        });
      }
      rows.push({ feature: f, items });
    }
    commitImport(t, { tokens: rows }, { windows: 0, tokens: 0, features: 0 }, t.reader);
  }
  const source = t.ws.imports.source(t.run.id);
  if (source) t.ws.imports.setSource(t.run.id, { ...source, absent: source.absent.filter((a) => a !== 'logits') });
}
