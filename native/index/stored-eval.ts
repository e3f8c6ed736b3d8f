import type { Provider } from '../onnx/ort.js';
import { evaluateSae } from '../sae/eval/evaluate.js';
import type { StoredEval } from '../store/evals-table.js';
import type { Workspace } from '../store/workspace.js';
import { openCorpus } from '../corpus/open.js';
import type { TransformerWeights } from '../models/weights.js';
import type { Tokenizer } from '../formats/tokenizer.js';
import type { CanonicalSae } from '../sae/canonical.js';
import { tokenWindows } from '../corpus/windows.js';

export interface StoredEvalConfig {
  corpus: string;
  tokens: number;
  /** default 128 */
  contextLength?: number;
  provider?: Provider;
  threads?: number;
}

/** The SAE to evaluate, with the model and tokenizer it reads (loaded). */
export interface EvalInputs {
  sae: CanonicalSae;
  model: TransformerWeights;
  tokenizer: Tokenizer;
  hook: string;
}

export interface StoredEvalHooks {
  jobId?: string;
  signal?: AbortSignal;
  /** fraction of this evaluation in 0..1 */
  onProgress?: (fraction: number, message: string) => void;
}

/**
 * `loupe eval` on a registered SAE over a corpus slice, stored in `sae_evals` against the
 * SAE's fingerprint. An evaluation of the same weights on the same tokens is reused, not recomputed.
 */
export async function storedEval(
  ws: Workspace,
  inputs: EvalInputs,
  saeId: string,
  config: StoredEvalConfig,
  hooks: StoredEvalHooks = {},
): Promise<StoredEval> {
  const row = ws.saes.get(saeId);
  if (!row) throw new Error(`no SAE "${saeId}" in this workspace`);
  const contextLength = config.contextLength ?? 128;
  const corpus = openCorpus(config.corpus);
  const table = ws.evals;
  const done = table.find(saeId, row.fingerprint, corpus.spec, config.tokens, contextLength);
  if (done) return done;
  const windows = tokenWindows(corpus, inputs.tokenizer, { contextLength, maxTokens: config.tokens });
  const onProgress = (tokens: number) => {
    // evaluateSae has no signal of its own: throwing here stops it between batches and releases its sessions.
    hooks.signal?.throwIfAborted();
    hooks.onProgress?.(
      Math.min(0.9, (0.9 * tokens) / config.tokens),
      `evaluating ${row.name}: ${tokens.toLocaleString('en-US')} of ${config.tokens.toLocaleString('en-US')} tokens`,
    );
  };
  const report = await evaluateSae(inputs.model, inputs.sae, windows, {
    hook: inputs.hook,
    modelName: row.modelId ?? 'the model',
    provider: config.provider,
    intraOpNumThreads: config.threads,
    onProgress,
  });
  hooks.onProgress?.(1, `evaluated ${row.name}`);
  return table.put({
    saeId,
    fingerprint: row.fingerprint,
    corpusSpec: corpus.spec,
    tokens: config.tokens,
    contextLength,
    jobId: hooks.jobId ?? null,
    createdAt: new Date().toISOString(),
    report: { ...report, corpus: corpus.spec },
  });
}
