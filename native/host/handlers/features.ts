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

export function featureHandlers(engine: Engine): Pick<Handlers, 'features.page' | 'features.search' | 'features.list'> {
  return {
    'features.page': ({ saeId, index }) => engine.workspace.features.page({ saeId, index }),
    'features.search': (params) => engine.workspace.features.query(searchQuery(params)),
    'features.list': (params) => engine.workspace.features.query(params),
  };
}
