import { LossEffectService } from '../../prompt/loss-effect.js';
import { PromptService } from '../../prompt/prompt-service.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';

/** prompt.run in the engine worker: the model and SAE load here (never on the thread that serves windows) and stay cached. */
export function promptHandlers(
  engine: Engine,
  service = new PromptService(),
  lossEffects = new LossEffectService(),
): Pick<Handlers, 'prompt.run' | 'features.lossEffect'> {
  return {
    'features.lossEffect': (params) => lossEffects.run(engine.workspace, params),
    'prompt.run': (params) => service.run(engine.workspace, params),
  };
}
