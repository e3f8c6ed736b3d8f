import { openCorpus } from '../corpus/open.js';
import { CorpusError } from '../corpus/types.js';
import { RegisteredInputError, loadRegistered, registeredRows } from '../registry/registered-inputs.js';
import type { RegisteredInputs } from '../registry/registered-inputs.js';
import { storedEval } from '../index/stored-eval.js';
import { tokenWindows } from '../corpus/windows.js';
import type { TokenWindow } from '../corpus/windows.js';
import type { Provider } from '../onnx/ort.js';
import type { CanonicalSae } from '../sae/canonical.js';
import { compareKey } from '../store/compare-table.js';
import type { CompareParams, CompareRun, PairMatches } from '../store/compare-table.js';
import type { Workspace } from '../store/workspace.js';
import { prepareEncodePass } from '../sae/index-graph.js';
import { keepRows } from '../sae/sparse-acts.js';
import { CoactivationStats, bestMatches, parentCandidates } from './matching.js';

/** Names the matching code; part of each comparison's key (bump it when the output changes). */
export const compareAlgorithm = 'decoder-cosine-candidates/pearson/counted-tokens/v2';

export const compareDefaults = { contextLength: 128, candidates: 8, batchTokens: 4096 } as const;

export interface CompareConfig {
  /** 2–3 registered SAEs on one hook of one model, in any order */
  saeIds: string[];
  corpus: string;
  tokens: number;
  contextLength?: number;
  candidates?: number;
  batchTokens?: number;
  /** also evaluate each SAE on the same tokens (default true; an existing evaluation is reused) */
  evaluate?: boolean;
  provider?: Provider;
  threads?: number;
}

export interface CompareHooks {
  jobId?: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
}

export interface CompareOutcome {
  runId: number;
  /** narrowest first */
  saeIds: string[];
  /** true when an identical comparison was stored already */
  cached: boolean;
  tokens: number;
  /** SAEs evaluated by this job (the others had an evaluation on these tokens) */
  evaluated: string[];
}

/**
 * Compares 2–3 SAEs of one hook: orders them by width, matches each wider SAE's features to the
 * next narrower one's (matching.ts) over the corpus slice, stores the run, then evaluates each SAE
 * on the same tokens. An identical stored run, or evaluation, is reused.
 */
export async function runCompare(ws: Workspace, config: CompareConfig, hooks: CompareHooks = {}): Promise<CompareOutcome> {
  const rows = registeredRows(ws, config.saeIds);
  // Stable: SAEs of one width keep the order they were given in.
  const saes = [...rows.saes].sort((a, b) => a.dSae - b.dSae);
  const contextLength = config.contextLength ?? compareDefaults.contextLength;
  if (contextLength > rows.model.nCtx)
    throw new RegisteredInputError(`a context of ${contextLength} tokens is longer than ${rows.model.name}'s ${rows.model.nCtx}`);
  if (!Number.isSafeInteger(config.tokens) || config.tokens < 1)
    throw new RegisteredInputError(`tokens is ${config.tokens}; compare on at least one token`);
  const corpus = openCorpus(config.corpus);
  const params: CompareParams = {
    algorithm: compareAlgorithm,
    corpus: corpus.spec,
    tokens: config.tokens,
    contextLength,
    candidates: config.candidates ?? compareDefaults.candidates,
  };
  const table = ws.compare;
  const key = compareKey(saes, params);
  const stored = table.getByKey(key);
  const evaluate = config.evaluate !== false;
  const evals = ws.evals;
  const toEvaluate = evaluate ? saes.filter((s) => !evals.find(s.id, s.fingerprint, corpus.spec, config.tokens, contextLength)) : [];
  const outcome = (run: CompareRun, cached: boolean): CompareOutcome => ({
    runId: run.id,
    saeIds: run.saeIds,
    cached,
    tokens: run.tokens,
    evaluated: toEvaluate.map((s) => s.id),
  });
  if (stored && toEvaluate.length === 0) return outcome(stored, true);

  const progress = hooks.onProgress ?? (() => {});
  const matchShare = stored ? 0 : toEvaluate.length === 0 ? 1 : 0.5;
  progress(0, 'loading the model and SAEs');
  const inputs = await loadRegistered({ ...rows, saes });
  let run = stored;
  if (!run) {
    const found = await computeMatches(inputs, params, config, { signal: hooks.signal, onProgress: (f, m) => progress(f * matchShare, m) });
    progress(matchShare, 'saving the matches');
    run = table.put({
      key,
      saeIds: saes.map((s) => s.id),
      params,
      tokens: found.tokens,
      jobId: hooks.jobId ?? null,
      createdAt: new Date().toISOString(),
      densities: found.densities,
      pairs: found.pairs,
    });
  }
  for (const [i, s] of toEvaluate.entries()) {
    const at = matchShare + ((1 - matchShare) * i) / toEvaluate.length;
    const share = (1 - matchShare) / toEvaluate.length;
    const sae = inputs.saes[saes.indexOf(s)];
    await storedEval(
      ws,
      { sae, model: inputs.model, tokenizer: inputs.tokenizer, hook: inputs.hook },
      s.id,
      { corpus: corpus.spec, tokens: config.tokens, contextLength, provider: config.provider, threads: config.threads },
      {
        jobId: hooks.jobId,
        signal: hooks.signal,
        onProgress: (f, m) => progress(at + f * share, m),
      },
    );
  }
  return outcome(run, stored !== undefined);
}

export interface FoundMatches {
  tokens: number;
  /** per SAE, [dSae] */
  densities: Float32Array[];
  /** per consecutive pair */
  pairs: PairMatches[];
}

/** Candidate parents by decoder cosine (~10 % of the time), then one pass over the corpus for the correlations. */
export async function computeMatches(
  inputs: RegisteredInputs,
  params: CompareParams,
  config: { batchTokens?: number; provider?: Provider; threads?: number },
  hooks: CompareHooks = {},
): Promise<FoundMatches> {
  const { saes, model, tokenizer, hook } = inputs;
  const session = { provider: config.provider, intraOpNumThreads: config.threads };
  const progress = hooks.onProgress ?? (() => {});
  const candidates = [];
  for (let p = 0; p + 1 < saes.length; p++) {
    hooks.signal?.throwIfAborted();
    progress(
      (0.1 * p) / (saes.length - 1),
      `matching decoder directions: ${saes[p + 1].dSae.toLocaleString('en-US')} × ${saes[p].dSae.toLocaleString('en-US')}`,
    );
    candidates.push(await parentCandidates(saes[p], saes[p + 1], params.candidates, session));
  }
  const stats = new CoactivationStats(
    saes.map((s) => s.dSae),
    candidates,
  );
  const pass = await prepareEncodePass(model, saes, hook, session);
  const windowsPerBatch = Math.max(
    1,
    Math.floor(compareBatchTokens(saes, config.batchTokens ?? compareDefaults.batchTokens) / params.contextLength),
  );
  const corpus = openCorpus(params.corpus);
  const windows = tokenWindows(corpus, tokenizer, { contextLength: params.contextLength, maxTokens: params.tokens });
  for await (const batch of batches(windows, windowsPerBatch)) {
    hooks.signal?.throwIfAborted();
    const ids = new Int32Array(batch.length * params.contextLength);
    const counted = new Uint8Array(batch.length * params.contextLength);
    batch.forEach((w, i) => {
      ids.set(w.ids, i * params.contextLength);
      counted.set(w.counted, i * params.contextLength);
    });
    stats.add((await pass.run(ids, batch.length, params.contextLength)).map((acts) => keepRows(acts, counted)));
    progress(
      0.1 + (0.9 * stats.tokens) / params.tokens,
      `co-activations: ${stats.tokens.toLocaleString('en-US')} of ${params.tokens.toLocaleString('en-US')} tokens`,
    );
  }
  if (stats.tokens === 0) throw new CorpusError(`corpus "${corpus.spec}" yields no tokens to compare on`);
  return { tokens: stats.tokens, densities: saes.map((_, s) => stats.density(s)), pairs: candidates.map((_, p) => bestMatches(stats, p)) };
}

async function* batches(windows: AsyncIterable<TokenWindow>, size: number): AsyncGenerator<TokenWindow[]> {
  let batch: TokenWindow[] = [];
  for await (const w of windows) {
    batch.push(w);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Tokens per run: dense SAEs return [n, dSae] floats, so a wide one gets smaller batches (≤ 64 MB of output). */
function compareBatchTokens(saes: readonly CanonicalSae[], asked: number): number {
  const widestDense = Math.max(0, ...saes.filter((s) => s.activation.kind !== 'topk').map((s) => s.dSae));
  return widestDense === 0 ? asked : Math.max(1, Math.min(asked, Math.floor(2 ** 24 / widestDense)));
}
