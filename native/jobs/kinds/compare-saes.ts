import type { ValidParamsOf } from '../../api/methods.js';
import { openWorkspace } from '../../store/workspace.js';
import type { JobKind } from '../job.js';

export type CompareJobParams = ValidParamsOf<'compare.start'>;

/** compare.start: matching (and evaluations) of 2–3 SAEs, stored; the result names the stored run. */
export const compareSaesJob: JobKind<CompareJobParams> = {
  title: ({ saeIds }) => `Compare ${saeIds.join(' vs ')}`,
  async run({ jobId, params, workspacePath, signal, progress }) {
    // Imported here: the engine loads this module for `title`, and must not load ONNX Runtime with it.
    const { runCompare } = await import('../../maps/compare.js');
    // The job's own connection; the engine owns the running jobs, so none is marked interrupted.
    const ws = openWorkspace(workspacePath, { markInterrupted: false });
    try {
      return await runCompare(ws, { ...params, evaluate: params.evaluate ?? true }, { jobId, signal, onProgress: progress });
    } finally {
      ws.close();
    }
  },
};
