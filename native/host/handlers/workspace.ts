import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

export function workspaceHandlers(engine: Engine): Pick<Handlers, 'workspace.open' | 'workspace.info'> {
  return {
    'workspace.open': ({ path }) => engine.open(path),
    'workspace.info': () => engine.info(),
  };
}
