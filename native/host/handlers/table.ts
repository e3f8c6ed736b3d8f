import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';
import { catalogHandlers } from './catalog.js';
import { engineHandlers } from './engine.js';
import { jobHandlers } from './jobs.js';
import { workspaceHandlers } from './workspace.js';

/** The handler table: one entry per contract method (the `Handlers` type makes a missing one an error). */
export function createHandlers(engine: Engine): Handlers {
  return {
    ...workspaceHandlers(engine),
    ...catalogHandlers(engine),
    ...jobHandlers(engine),
    ...engineHandlers(engine),
  };
}
