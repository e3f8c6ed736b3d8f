import type { MatmulRate } from '../../api/types.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

export function engineHandlers(engine: Engine): Pick<Handlers, 'engine.measureMatmul' | 'engine.matmulRate'> {
  return {
    'engine.measureMatmul': (params) => engine.runner.start('engine.measureMatmul', params),
    'engine.matmulRate': () => (engine.workspace.jobs.lastDone('engine.measureMatmul')?.result as MatmulRate | undefined) ?? null,
  };
}
