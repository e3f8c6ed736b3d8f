import type { ValidParamsOf } from '../../api/methods.js';
import { openWorkspace } from '../../store/workspace.js';
import type { JobKind } from '../job.js';

export type EvalJobParams = ValidParamsOf<'eval.start'>;

/** eval.start: `loupe eval` on a registered SAE, the report stored (an evaluation on the same tokens is reused). */
export const evalSaeJob: JobKind<EvalJobParams> = {
  title: ({ saeId, tokens }) => `Evaluate ${saeId} on ${tokens.toLocaleString('en-US')} tokens`,
  async run({ jobId, params, workspacePath, signal, progress }) {
    // Imported here: the engine loads this module for `title`, and must not load ONNX Runtime with it.
    const { loadRegistered, registeredRows } = await import('../../registry/registered-inputs.js');
    const { storedEval } = await import('../../index/stored-eval.js');
    const { evalMetrics } = await import('../../store/evals-table.js');
    const ws = openWorkspace(workspacePath, { markInterrupted: false });
    try {
      progress(0, 'loading the model and SAE');
      const {
        saes: [sae],
        model,
        tokenizer,
        hook,
      } = await loadRegistered(registeredRows(ws, [params.saeId]));
      const stored = await storedEval(ws, { sae, model, tokenizer, hook }, params.saeId, params, { jobId, signal, onProgress: progress });
      return evalMetrics(stored);
    } finally {
      ws.close();
    }
  },
};
