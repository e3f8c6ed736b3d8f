import type { ValidParamsOf } from '../../api/methods.js';
import { openWorkspace } from '../../store/workspace.js';
import type { JobKind } from '../job.js';

export type ImportJobParams = ValidParamsOf<'imports.start'>;

/** imports.start: runImport in the job's worker, on the job's own connection to the workspace. */
export const importDashboardsJob: JobKind<ImportJobParams> = {
  title: ({ path }) => `Import ${path.split(/[\\/]/).filter(Boolean).slice(-2).join('/')}`,
  async run({ jobId, params, workspacePath, signal, progress }) {
    const { runImport } = await import('../../index/import/run-import.js');
    // This job is one of the running jobs the engine owns: marking "interrupted" jobs would mark itself.
    const ws = openWorkspace(workspacePath, { markInterrupted: false });
    try {
      return await runImport(
        ws,
        { path: params.path, modelId: params.modelId, saeId: params.saeId },
        { jobId, signal, onProgress: (fraction, message) => progress(fraction, message) },
      );
    } finally {
      ws.close();
    }
  },
};
