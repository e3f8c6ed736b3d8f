import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

export function catalogHandlers(engine: Engine): Pick<Handlers, 'models.list' | 'saes.list'> {
  return {
    'models.list': () => engine.workspace.models.list(),
    'saes.list': ({ modelId }) => engine.workspace.saes.list(modelId),
  };
}
