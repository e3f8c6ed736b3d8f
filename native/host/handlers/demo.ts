import { createDemo } from '../../demo/create.js';
import { demoStatus } from '../../demo/plan.js';
import { demoResources } from '../../demo/resources.js';
import type { Engine } from '../engine.js';
import { resourcesDir } from '../paths.js';
import type { Handlers } from '../router.js';

export function demoHandlers(engine: Engine): Pick<Handlers, 'demo.create' | 'demo.status'> {
  return {
    'demo.create': ({ tokens }) =>
      createDemo(engine.workspace, demoResources(resourcesDir()), (kind, params) => engine.runner.start(kind, params), { tokens }),
    'demo.status': ({ tokens }) => demoStatus(engine.workspace, demoResources(resourcesDir()), { tokens }),
  };
}
