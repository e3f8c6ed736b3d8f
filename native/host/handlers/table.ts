import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';
import { catalogHandlers } from './catalog.js';
import { compareHandlers } from './compare.js';
import { conceptHandlers } from './concepts.js';
import { corpusHandlers } from './corpus.js';
import { demoHandlers } from './demo.js';
import { engineHandlers } from './engine.js';
import { featureHandlers } from './features.js';
import { indexingHandlers } from './indexing.js';
import { jobHandlers } from './jobs.js';
import { labelHandlers } from './labels.js';
import { mapHandlers } from './maps.js';
import { promptHandlers } from './prompt.js';
import { trainingHandlers } from './training.js';
import { workspaceHandlers } from './workspace.js';
import { importsHandlers } from './imports.js';

/** The handler table: one entry per contract method (the `Handlers` type makes a missing one an error). */
export function createHandlers(engine: Engine): Handlers {
  return {
    ...workspaceHandlers(engine),
    ...demoHandlers(engine),
    ...catalogHandlers(engine),
    ...jobHandlers(engine),
    ...engineHandlers(engine),
    ...featureHandlers(engine),
    ...labelHandlers(engine),
    ...indexingHandlers(engine),
    ...trainingHandlers(engine),
    ...mapHandlers(engine),
    ...compareHandlers(engine),
    ...promptHandlers(engine),
    ...conceptHandlers(engine),
    ...corpusHandlers(engine),
    ...importsHandlers(engine),
  };
}
