import { registerModel, registerSae } from '../../registry/catalog.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

export function catalogHandlers(engine: Engine): Pick<Handlers, 'models.list' | 'saes.list' | 'models.add' | 'saes.add'> {
  return {
    'models.list': () => engine.workspace.models.list(),
    'saes.list': ({ modelId }) => engine.workspace.saes.list(modelId),
    'models.add': ({ path }) => registerModel(engine.workspace, path),
    'saes.add': ({ path, modelId, hook }) => registerSae(engine.workspace, path, modelId, undefined, hook),
  };
}
