import { firstFeature } from '../../demo/first-feature.js';
import { ApiFailure } from '../../api/errors.js';
import { LogitHistogramService } from '../../index/logit-histogram.js';
import type { FeatureQuery } from '../../api/types.js';
import type { ValidParamsOf } from '../../api/methods.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

/** features.search's flat params as the store's query (density bounds nest there). */
export function searchQuery(params: ValidParamsOf<'features.search'>): FeatureQuery {
  const { minDensity, maxDensity, ...rest } = params;
  const density = minDensity === undefined && maxDensity === undefined ? undefined : { min: minDensity, max: maxDensity };
  return { ...rest, ...(density ? { density } : {}) };
}

export function featureHandlers(
  engine: Engine,
  logits = new LogitHistogramService(),
): Pick<
  Handlers,
  'features.page' | 'features.search' | 'features.list' | 'features.suggest' | 'features.logitHistogram' | 'features.queue'
> {
  return {
    'features.logitHistogram': ({ saeId, index, bins }) => logits.histogram(engine.workspace, saeId, index, bins),
    'features.suggest': ({ saeId }) => {
      const ws = engine.workspace;
      if (!ws.saes.get(saeId)) throw new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, 'saeId');
      const key = firstFeature(ws, saeId);
      if (!key) return null;
      const page = ws.features.page(key);
      return { key, topTokens: page.frequent.slice(0, 4).map((t) => t.token), candidate: page.candidates[0]?.tag ?? null };
    },
    'features.page': ({ saeId, index }) => engine.workspace.features.page({ saeId, index }),
    'features.search': (params) => engine.workspace.features.query(searchQuery(params)),
    'features.list': (params) => engine.workspace.features.query(params),
    'features.queue': (params) => engine.workspace.features.queue(params),
  };
}
