import { decomposeSteering } from '../../prompt/caa-service.js';
import { resolveSteer } from '../../prompt/steer-service.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

/** steer.start: the edits are checked against the workspace now (a bad SAE or feature fails the call), the generation runs as a job. */
export function steerHandlers(engine: Engine): Pick<Handlers, 'steer.start' | 'steer.decompose'> {
  return {
    'steer.start': (params) => {
      resolveSteer(engine.workspace, params);
      return engine.runner.start('steer.start', params);
    },
    'steer.decompose': (params) => decomposeSteering(engine.workspace, params),
  };
}
