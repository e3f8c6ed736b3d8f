import { PromptService } from '../../prompt/prompt-service.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

/** prompt.run in the engine worker: the model and SAE load here (never on the thread that serves windows) and stay cached. */
export function promptHandlers(engine: Engine, service = new PromptService()): Pick<Handlers, 'prompt.run'> {
  return {
    'prompt.run': (params) => service.run(engine.workspace, params),
  };
}
