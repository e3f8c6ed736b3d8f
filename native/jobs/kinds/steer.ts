import type { ValidParamsOf } from '../../api/methods.js';
import { openWorkspace } from '../../store/workspace.js';
import type { JobKind } from '../job.js';

export type SteerJobParams = ValidParamsOf<'steer.start'>;

/** steer.start: clean and steered continuations, each token a job.data item as it is generated. */
export const steerJob: JobKind<SteerJobParams> = {
  title: ({ edits, vector, maxTokens }) => {
    const what = [
      edits.length === 1 ? `feature ${edits[0].feature} of ${edits[0].saeId}` : edits.length > 1 ? `${edits.length} features` : '',
      vector ? `a vector at ${vector.hookName}` : '',
    ];
    return `Steer with ${what.filter((w) => w !== '').join(' and ')} (${maxTokens} tokens)`;
  },
  async run({ params, workspacePath, signal, progress, data }) {
    // Imported here: the engine loads this module for `title`, and must not load ONNX Runtime with it.
    const { resolveSteer, runSteer } = await import('../../prompt/steer-service.js');
    const ws = openWorkspace(workspacePath, { markInterrupted: false });
    let resolved;
    try {
      resolved = resolveSteer(ws, params);
    } finally {
      ws.close();
    }
    return runSteer(resolved, params, { signal, onStep: data, onProgress: progress });
  },
};
