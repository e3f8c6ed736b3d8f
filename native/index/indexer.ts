import { loadTokenizer } from '../formats/tokenizer.js';
import type { Tokenizer } from '../formats/tokenizer.js';
import { loadTransformer } from '../models/load.js';
import type { TransformerWeights } from '../models/weights.js';
import type { Provider } from '../onnx/ort.js';
import { assertHookWidth, reconstructedHook } from '../sae/canonical.js';
import type { CanonicalSae } from '../sae/canonical.js';
import { loadSae } from '../sae/formats/load.js';
import { hookWidth } from '../models/hooks.js';
import type { IndexCursor, IndexRun } from '../store/index-runs-table.js';
import type { StoredWindow } from '../store/windows-table.js';
import type { Workspace } from '../store/workspace.js';
import { COARSE_TAGS, coarseBrownTag } from '../corpus/brown-tags.js';
import { openCorpus } from '../corpus/open.js';
import { TagVocab } from '../corpus/token-tags.js';
import { CorpusError } from '../corpus/types.js';
import { logitEffects } from './decoder-analysis.js';
import { residualDirections } from './residual-directions.js';
import { resolveInputScale } from '../sae/input-scale.js';
import { cosineTopK } from '../onnx/cosine-neighbours.js';
import { tokenCountsWorstCaseBytes } from './accumulators/token-counts.js';
import { IndexAccumulator } from './index-accumulator.js';
import { acrossRows, finalRows } from './index-finish.js';
import type { AcrossNeighbours, FinishSettings } from './index-finish.js';
import { prepareIndexPass } from '../sae/index-graph.js';
import { tokenWindows } from '../corpus/windows.js';
import type { TokenWindow } from '../corpus/windows.js';

export interface IndexConfig {
  saeId: string;
  /** corpus spec: brown, brown:news, text:FILE, jsonl:FILE, parquet:FILE */
  corpus: string;
  /** tokens to index: counted tokens (windows.ts: BOS, padding and burn-in positions are read but not counted) */
  tokens: number;
  /** tokens per window (default 128) */
  contextLength?: number;
  /** tokens per model run (default 4096) */
  batchTokens?: number;
  /** at least this many tokens between store commits (default 32,768) */
  commitTokens?: number;
  /**
   * and at least this many seconds (default 10): a commit rewrites the stats of every feature and the
   * examples of those that changed, which for a wide SAE early in a run is most of them. What a killed
   * run loses is at most the work since its last commit. Commit timing never changes the result.
   */
  commitSeconds?: number;
  /** features written per store batch within a commit (default 2,048): bounds the rows in memory at once */
  chunkFeatures?: number;
  provider?: Provider;
  threads?: number;
  /** the most bytes the exact (feature, token) firing counts may hold (default 1 GiB); past it, lists say how many firings went uncounted */
  tokenCountsMaxBytes?: number;
}

/** The exact token counts' memory cap unless a run sets its own: far above what the demo SAEs need (8 MB at 4,096 features). */
export const TOKEN_COUNTS_MAX_BYTES = 1024 ** 3;

/**
 * The bytes the count tables may hold: the configured cap, or less when the run provably needs
 * less (tokens × firings per token bounds the distinct pairs, dSae × vocabulary the dense tables),
 * in which case no list can come out incomplete.
 */
function tokenCountsBudget(maxBytes: number, sae: CanonicalSae, dVocab: number, tokens: number): number {
  const firingsPerToken = sae.activation.kind === 'topk' ? sae.activation.k : sae.dSae;
  return Math.min(maxBytes, tokenCountsWorstCaseBytes(sae.dSae, dVocab, tokens * firingsPerToken));
}
/** Token counts are uint32: a run indexes at most this many tokens. */
const MAX_RUN_TOKENS = 2 ** 32 - 1;

export interface IndexHooks {
  jobId?: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
  /** after each store commit: what a run killed from now on resumes from */
  onCommit?: (cursor: IndexCursor) => void;
}

export interface IndexSummary {
  runId: number;
  saeId: string;
  tokens: number;
  windows: number;
  /** the window the run resumed at, or null for a fresh run */
  resumedAtWindow: number | null;
  deadFeatures: number;
  /** the exact (feature, token) counts: distinct pairs, bytes their tables held, firings left uncounted (memory cap; 0 when every list is exact and complete) */
  tokenCounts: { pairs: number; bytes: number; uncounted: number };
  provider: string;
  seconds: number;
}

/** Fixed settings of every run; stored with the run, so a resumed run uses the ones it started with. */
const SETTINGS = { topExamples: 20, perBin: 4, bands: 5, perBand: 5, neighbours: 10, tokensShown: 10, candidatesShown: 5, seed: 0 };

/** A problem with what was asked: the message names it. */
export class IndexError extends Error {
  override name = 'IndexError';
}

/**
 * Indexes an SAE of the workspace over a corpus: model forward and SAE encode as one ONNX graph per
 * batch of windows, per-feature bookkeeping in IndexAccumulator, and a store batch (data + cursor in
 * one transaction) every ~32k tokens. A run killed at any moment resumes at its last committed batch
 * and ends with exactly the rows an uninterrupted run writes. Labels are never touched.
 */
export async function runIndex(ws: Workspace, config: IndexConfig, hooks: IndexHooks = {}): Promise<IndexSummary> {
  return indexLoaded(ws, await loadInputs(ws, config.saeId), config, hooks);
}

/** What an index run reads, loaded. */
export interface IndexInputs {
  sae: CanonicalSae;
  model: TransformerWeights;
  tokenizer: Tokenizer;
  hook: string;
}

/** runIndex with the model, tokenizer and SAE already in memory (the SAE must be registered as config.saeId). */
export async function indexLoaded(
  ws: Workspace,
  { sae, model, tokenizer, hook }: IndexInputs,
  config: IndexConfig,
  hooks: IndexHooks = {},
): Promise<IndexSummary> {
  const started = performance.now();
  const contextLength = config.contextLength ?? 128;
  if (!Number.isSafeInteger(config.tokens) || config.tokens < 1)
    throw new IndexError(`tokens is ${config.tokens}; index at least one token`);
  if (contextLength > model.config.nCtx)
    throw new IndexError(`a context of ${contextLength} tokens is longer than the model's ${model.config.nCtx}`);
  if (config.tokens > MAX_RUN_TOKENS)
    throw new IndexError(`tokens is ${config.tokens}; one index run counts at most ${MAX_RUN_TOKENS.toLocaleString('en-US')} tokens`);
  const tokenCountsMaxBytes = config.tokenCountsMaxBytes ?? TOKEN_COUNTS_MAX_BYTES;
  const corpus = openCorpus(config.corpus);
  const batchTokens = config.batchTokens ?? 4096;
  const commitTokens = config.commitTokens ?? 32_768;
  const params = {
    ...SETTINGS,
    corpus: corpus.spec,
    contextLength,
    tokens: config.tokens,
    annotated: corpus.annotated,
    batchTokens,
    commitTokens,
    tokenCountsMaxBytes,
  };
  const run = openRun(ws, config, hooks.jobId ?? null, corpus.spec, contextLength, params);
  hooks.onProgress?.(run.tokensDone / config.tokens, 'analysing decoder directions');
  const neighbours = await cosineTopK({
    queries: sae.wDec,
    nQueries: sae.dSae,
    keys: sae.wDec,
    nKeys: sae.dSae,
    d: sae.dIn,
    k: SETTINGS.neighbours,
    excludeSelf: true,
    provider: config.provider,
    intraOpNumThreads: config.threads,
  });
  const tagNames = corpus.annotated ? [...COARSE_TAGS] : [];
  const acc = new IndexAccumulator({
    dSae: sae.dSae,
    contextLength,
    topExamples: SETTINGS.topExamples,
    perBin: SETTINGS.perBin,
    seed: SETTINGS.seed,
    tagNames,
    neighbours: neighbours.indices,
    nNeighbours: SETTINGS.neighbours,
    dVocab: tokenizer.vocabSize,
    tokenCountsMaxBytes: tokenCountsBudget(tokenCountsMaxBytes, sae, tokenizer.vocabSize, config.tokens),
  });
  if (run.batchesDone > 0) {
    const state = ws.features.state;
    acc.restore(
      (name) => state.get(run.id, name),
      (f) => ws.features.examples.listForFeature(run.id, f),
    );
  }
  const pass = await prepareIndexPass(model, sae, hook, { provider: config.provider, intraOpNumThreads: config.threads });
  let cursor: IndexCursor = { batchesDone: run.batchesDone, windowsDone: run.windowsDone, tokensDone: run.tokensDone };
  const resumedAtWindow = run.batchesDone > 0 ? run.windowsDone : null;
  const windowsPerBatch = Math.max(1, Math.floor(batchTokens / contextLength));
  const pending: StoredWindow[] = [];
  const stream = tokenWindows(corpus, tokenizer, {
    contextLength,
    maxTokens: config.tokens,
    ...(corpus.annotated ? { tagVocab: new TagVocab(COARSE_TAGS), tagMap: coarseBrownTag } : {}),
  });
  let lastCommit = performance.now();
  const commitSeconds = config.commitSeconds ?? 10;
  const commit = () => {
    lastCommit = performance.now();
    const changed = acc.takeChangedFeatures();
    const first = { windows: pending.splice(0), state: acc.state() };
    const to = { windowsDone: cursor.windowsDone + first.windows.length, tokensDone: acc.tokensSeen };
    cursor = ws.features.commitInChunks(run.id, cursor, to, sae.dSae, config.chunkFeatures ?? 2048, (from, end) => ({
      ...(from === 0 ? first : {}),
      ...acc.changes(from, end, changed),
    }));
    hooks.onCommit?.(cursor);
    hooks.onProgress?.(
      Math.min(0.99, cursor.tokensDone / config.tokens),
      `${cursor.tokensDone.toLocaleString('en-US')} of ${config.tokens.toLocaleString('en-US')} tokens`,
    );
  };
  for await (const batch of windowBatches(stream, windowsPerBatch, cursor.windowsDone)) {
    hooks.signal?.throwIfAborted();
    const ids = new Int32Array(batch.length * contextLength);
    batch.forEach((w, i) => ids.set(w.ids, i * contextLength));
    const acts = await pass.run(ids, batch.length, contextLength);
    batch.forEach((w, i) => acc.addWindow(w.index, w.ids, w.counted, w.tags, acts, i * contextLength));
    for (const w of batch)
      pending.push({ index: w.index, docId: w.docId, text: w.text, ids: w.ids, offsets: w.offsets, counted: w.counted });
    const due = acc.tokensSeen - cursor.tokensDone >= commitTokens && performance.now() - lastCommit >= commitSeconds * 1000;
    if (due) commit();
    else
      hooks.onProgress?.(
        Math.min(0.99, acc.tokensSeen / config.tokens),
        `${acc.tokensSeen.toLocaleString('en-US')} of ${config.tokens.toLocaleString('en-US')} tokens`,
      );
  }
  if (pending.length > 0) commit();
  if (acc.tokensSeen === 0) throw new CorpusError(`corpus "${corpus.spec}" yields no tokens to index`);
  await finish(ws, run, acc, { sae, model, tokenizer, hook, cursor, config, cosines: neighbours.cosines });
  const seconds = (performance.now() - started) / 1000;
  let dead = 0;
  for (let f = 0; f < sae.dSae; f++) if (acc.stats.fires[f] === 0) dead++;
  const tokenCounts = {
    pairs: acc.frequent.pairs(),
    bytes: acc.frequent.bytes,
    uncounted: acc.frequent.uncounted.reduce((a, b) => a + b, 0),
  };
  return {
    runId: run.id,
    saeId: config.saeId,
    tokens: acc.tokensSeen,
    windows: cursor.windowsDone,
    resumedAtWindow,
    deadFeatures: dead,
    tokenCounts,
    provider: pass.provider,
    seconds,
  };
}

async function loadInputs(ws: Workspace, saeId: string): Promise<IndexInputs> {
  const row = ws.saes.get(saeId);
  if (!row) throw new IndexError(`no SAE "${saeId}" in this workspace: register it first`);
  if (!row.modelId) throw new IndexError(`SAE "${row.name}" has no model: register it with the model it reads`);
  const modelRow = ws.models.get(row.modelId);
  if (!modelRow) throw new IndexError(`SAE "${row.name}" names model "${row.modelId}", which is not in this workspace`);
  if (row.hookName === '')
    throw new IndexError(
      `SAE "${row.name}" names no hook and none was given: register it again with the hook it reads (saes.add hook, loupe index --hook)`,
    );
  const { weights, dir } = loadTransformer(modelRow.path);
  const tokenizer = await loadTokenizer(dir);
  const loaded = loadSae(row.path);
  assertHookWidth(loaded, hookWidth(weights.config, row.hookName), modelRow.name, row.hookName);
  const out = reconstructedHook(loaded, row.hookName);
  if (out !== row.hookName) assertHookWidth(loaded, hookWidth(weights.config, out), modelRow.name, out);
  const sae = await resolveInputScale(loaded, weights, tokenizer, row.hookName);
  // The SAE's summary says the factor it is indexed with once it has been estimated.
  if (sae !== loaded && sae.inputScaleFrom) ws.saes.update({ ...row, config: { ...row.config, loupe_input_scale: sae.inputScaleFrom } });
  return { sae, model: weights, tokenizer, hook: row.hookName };
}

/** The SAE's unfinished run with the same settings (resumed), else a new run (an unfinished one with other settings is cancelled). */
function openRun(
  ws: Workspace,
  config: IndexConfig,
  jobId: string | null,
  corpusSpec: string,
  contextLength: number,
  params: Record<string, unknown>,
): IndexRun {
  const runs = ws.features.runs;
  const open = runs.resumable(config.saeId);
  if (open && JSON.stringify(open.params) === JSON.stringify(params)) return open;
  if (open) runs.setState(open.id, 'cancelled', 'superseded by a run with other settings', new Date().toISOString());
  const modelId = ws.saes.get(config.saeId)?.modelId ?? null;
  return runs.create({ saeId: config.saeId, modelId, jobId, corpusSpec, contextLength, tokensTarget: config.tokens, params });
}

/** Windows in batches of `size`, starting at window `skip` (those before are tokenised, not kept). */
async function* windowBatches(stream: AsyncIterable<TokenWindow>, size: number, skip: number): AsyncGenerator<TokenWindow[]> {
  let batch: TokenWindow[] = [];
  for await (const w of stream) {
    if (w.index < skip) continue;
    batch.push(w);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The decoder analyses and final rows, committed as the run's last batch; then the run becomes the SAE's index. */
interface FinishInputs {
  sae: CanonicalSae;
  model: TransformerWeights;
  tokenizer: Tokenizer;
  /** the hook the SAE reads; a transcoder's decoder writes to its output hook */
  hook: string;
  cursor: IndexCursor;
  config: IndexConfig;
  /** [dSae, neighbours] decoder cosines of acc.settings.neighbours */
  cosines: Float32Array;
}

async function finish(
  ws: Workspace,
  run: IndexRun,
  acc: IndexAccumulator,
  { sae, model, tokenizer, hook, cursor, config, cosines }: FinishInputs,
): Promise<void> {
  const logitsK = SETTINGS.tokensShown;
  const siblings = siblingSaes(ws, config.saeId, sae);
  const options = { provider: config.provider, intraOpNumThreads: config.threads };
  const k = SETTINGS.neighbours;
  const across: AcrossNeighbours[] = [];
  for (const other of siblings) {
    const found = await cosineTopK({
      ...options,
      queries: sae.wDec,
      nQueries: sae.dSae,
      keys: other.sae.wDec,
      nKeys: other.sae.dSae,
      d: sae.dIn,
      k,
    });
    across.push({ saeId: other.id, ...found, k });
  }
  const directions = residualDirections(model, reconstructedHook(sae, hook), sae.wDec, sae.dSae, sae.dIn);
  const logits = await logitEffects(directions, sae.dSae, model, logitsK, { provider: config.provider, intraOpNumThreads: config.threads });
  const settings: FinishSettings = {
    saeId: config.saeId,
    bands: SETTINGS.bands,
    perBand: SETTINGS.perBand,
    tokensShown: SETTINGS.tokensShown,
    candidatesShown: SETTINGS.candidatesShown,
    logits,
    logitsK,
    neighbours: { indices: acc.settings.neighbours, cosines, k: SETTINGS.neighbours },
    tokenText: (id) => tokenizer.tokenText(id),
    across,
  };
  ws.features.commitInChunks(
    run.id,
    cursor,
    { windowsDone: cursor.windowsDone, tokensDone: cursor.tokensDone },
    sae.dSae,
    config.chunkFeatures ?? 2048,
    (from, end) => finalRows(acc, settings, from, end),
  );
  ws.features.finishRun(run.id);
  for (const other of siblings) await linkBack(ws, other, config.saeId, sae, options);
}

/** The workspace's other SAEs on the same model and hooks (read and written), with an index to link to. */
function siblingSaes(ws: Workspace, saeId: string, sae: CanonicalSae): { id: string; runId: number; sae: CanonicalSae }[] {
  const self = ws.saes.get(saeId);
  const out: { id: string; runId: number; sae: CanonicalSae }[] = [];
  for (const other of ws.saes.list()) {
    if (other.id === saeId || other.hookName !== self?.hookName || other.modelId !== self?.modelId || other.dIn !== sae.dIn) continue;
    const run = ws.features.runs.current(other.id);
    if (run?.state !== 'done') continue;
    const otherSae = loadSae(other.path);
    // Decoder directions compare only where both decoders write: a transcoder's go to its output hook.
    if (reconstructedHook(otherSae, other.hookName) !== reconstructedHook(sae, self.hookName)) continue;
    out.push({ id: other.id, runId: run.id, sae: otherSae });
  }
  return out;
}

/** Adds this SAE to a sibling's finished index as its across-SAE neighbours (replacing older rows for this SAE). */
async function linkBack(
  ws: Workspace,
  other: { id: string; runId: number; sae: CanonicalSae },
  saeId: string,
  sae: CanonicalSae,
  options: { provider?: Provider; intraOpNumThreads?: number },
): Promise<void> {
  const k = SETTINGS.neighbours;
  const found = await cosineTopK({
    ...options,
    queries: other.sae.wDec,
    nQueries: other.sae.dSae,
    keys: sae.wDec,
    nKeys: sae.dSae,
    d: sae.dIn,
    k,
  });
  ws.features.relinkNeighbours(other.runId, other.sae.dSae, saeId, (f) => acrossRows({ saeId, ...found, k }, f));
}
