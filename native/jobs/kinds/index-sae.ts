import type { ValidParamsOf } from '../../api/methods.js';
import { openWorkspace } from '../../store/workspace.js';
import type { JobKind } from '../job.js';

export type IndexJobParams = ValidParamsOf<'index.start'>;

/** index.start: runIndex in the job's worker, on the job's own connection to the workspace. */
export const indexSaeJob: JobKind<IndexJobParams> = {
  title: ({ saeId, corpus, tokens }) => `Index ${saeId} on ${corpus} (${tokens.toLocaleString('en-US')} tokens)`,
  async run({ jobId, params, workspacePath, signal, progress }) {
    // Imported here: the engine loads this module for `title`, and must not load ONNX Runtime with it.
    const { runIndex } = await import('../../index/indexer.js');
    // This job is one of the running jobs the engine owns: marking "interrupted" jobs would mark itself.
    const ws = openWorkspace(workspacePath, { markInterrupted: false });
    try {
      const { saeId, corpus, tokens, contextLength } = params;
      return await runIndex(
        ws,
        { saeId, corpus, tokens, contextLength },
        { jobId, signal, onProgress: (fraction, message) => progress(fraction, message) },
      );
    } finally {
      ws.close();
    }
  },
};
