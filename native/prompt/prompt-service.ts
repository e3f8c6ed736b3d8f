import { ApiFailure } from '../api/errors.js';
import type { PromptFeature, PromptReconstruction, PromptResult, PromptToken } from '../api/types.js';
import { FormatError } from '../formats/tensor.js';
import type { SparseActs } from '../sae/sparse-acts.js';
import type { ReconstructionError } from '../sae/index-graph.js';
import { UnknownHookError } from '../models/hooks.js';
import { saeWithModel } from '../store/sae-with-model.js';
import type { Workspace } from '../store/workspace.js';
import { dropLeadingTokens, featuresOnPrompt, heatmapValues, maxActivation, topPerToken } from './prompt-acts.js';
import type { FeatureOnPrompt } from './prompt-acts.js';
import { PromptRunnerCache } from './prompt-runner.js';
import type { PromptRunner, RunnerSource } from './prompt-runner.js';

export interface PromptRequest {
  saeId: string;
  text: string;
  /** features listed per token */
  topK: number;
  /** features in the token × feature heat map */
  heatmap: number;
  /** read a BOS (GPT-2's <|endoftext|>) before the text, as a document start */
  prependBos: boolean;
}

/** The text's tokens that fit the model's context, and the ids the model reads (with the BOS, if any). */
interface Tokenized {
  tokens: PromptToken[];
  /** [nRead] */ ids: Int32Array;
  nTextTokens: number;
  bos: boolean;
}

/** The SAE's row, its model's, and where their files are; a refusal names `saeId`. */
export function promptSource(ws: Workspace, saeId: string): RunnerSource {
  const { sae, model } = saeWithModel(ws, saeId);
  if (sae.hookName === '')
    throw new ApiFailure('conflict', `SAE "${sae.name}" names no hook, so Loupe cannot tell which activations it reads`, 'saeId');
  return {
    saeId,
    saePath: sae.path,
    saeFingerprint: sae.fingerprint,
    hookName: sae.hookName,
    modelName: model.name,
    modelPath: model.path,
    modelFingerprint: model.fingerprint,
  };
}

/** Runs prompts through an SAE's model and the SAE, with the loaded runners kept in a small LRU. */
export class PromptService {
  constructor(readonly runners = new PromptRunnerCache()) {}

  async run(ws: Workspace, request: PromptRequest): Promise<PromptResult> {
    const source = promptSource(ws, request.saeId);
    const runner = await this.runners.get(source).catch((e: unknown) => {
      if (e instanceof FormatError || e instanceof UnknownHookError)
        throw new ApiFailure('failed', `cannot load SAE "${request.saeId}" or its model: ${e.message}`, 'saeId');
      throw e;
    });
    const tokenized = tokenize(runner, request.text, request.prependBos);
    const all = await runner.pass.run(tokenized.ids, 1, tokenized.ids.length);
    const acts = tokenized.bos ? dropLeadingTokens(all, 1) : all;
    const notes = truncationNotes(tokenized, runner.nCtx, request.text);
    if (runner.pass.fallbackMessage) notes.push(runner.pass.fallbackMessage);
    const result = assemble(ws, request, tokenized, acts, { notes, nCtx: runner.nCtx, provider: runner.pass.provider });
    if (all.reconstruction) result.reconstruction = reconstructionOf(all.reconstruction, tokenized.bos ? 1 : 0);
    return result;
  }
}

/** The text's tokens with their spans, cut to what fits the context after the BOS. */
export function tokenize(runner: PromptRunner, text: string, prependBos: boolean): Tokenized {
  const { ids, offsets } = runner.tokenizer.encode(text);
  if (ids.length === 0) throw new ApiFailure('failed', 'the text has no tokens', 'text');
  // The family's BOS (Llama 3 <|begin_of_text|>, Gemma <bos>); GPT-2 and NeoX start with their end-of-text token.
  const bosId = runner.tokenizer.bosId ?? runner.tokenizer.eosId;
  const bos = prependBos && bosId !== undefined;
  const room = runner.nCtx - (bos ? 1 : 0);
  const kept = Math.min(ids.length, room);
  const read = new Int32Array(kept + (bos ? 1 : 0));
  if (bos) read[0] = bosId as number;
  read.set(ids.subarray(0, kept), bos ? 1 : 0);
  for (const id of read) {
    if (id >= runner.dVocab)
      throw new ApiFailure(
        'failed',
        `token id ${id} is outside the model's vocabulary of ${runner.dVocab}: the tokenizer does not match the model`,
        'saeId',
      );
  }
  const tokens: PromptToken[] = [];
  for (let t = 0; t < kept; t++)
    tokens.push({ id: ids[t], text: runner.tokenizer.tokenText(ids[t]), start: offsets[2 * t], end: offsets[2 * t + 1] });
  return { tokens, ids: read, nTextTokens: ids.length, bos };
}

function truncationNotes({ tokens, nTextTokens, bos }: Tokenized, nCtx: number, text: string): string[] {
  if (tokens.length === nTextTokens) return [];
  const end = tokens[tokens.length - 1].end;
  const bosNote = bos ? ' (one of them is the BOS read before the text)' : '';
  return [
    `The model reads at most ${nCtx} tokens${bosNote}: showing the first ${tokens.length} of the text's ${nTextTokens} tokens (characters 0–${end} of ${text.length}).`,
  ];
}

interface RunFacts {
  notes: string[];
  nCtx: number;
  provider: string;
}

function assemble(ws: Workspace, request: PromptRequest, tokenized: Tokenized, acts: SparseActs, facts: RunFacts): PromptResult {
  const fired = featuresOnPrompt(acts);
  const labels = labelsOf(ws, request.saeId);
  const corpus = corpusStats(ws, request.saeId, fired);
  const tokens = ws.features.topTokens(
    request.saeId,
    fired.map((f) => f.index),
  );
  const features: PromptFeature[] = fired.map((f) => ({
    ...f,
    max: sig6(f.max),
    label: labels.get(f.index) ?? '',
    corpusMax: corpus.get(f.index)?.maxAct ?? null,
    topTokens: tokens.get(f.index) ?? [],
    density: corpus.get(f.index)?.density ?? null,
  }));
  const strongest = fired.slice(0, request.heatmap).map((f) => f.index);
  return {
    saeId: request.saeId,
    tokens: tokenized.tokens,
    perToken: topPerToken(acts, request.topK).map((row) => ({ features: row.features, values: row.values.map(sig6) })),
    heatmap: {
      features: strongest.map((index) => ({ index, label: labels.get(index) ?? '' })),
      values: Array.from(heatmapValues(acts, strongest), sig6),
    },
    maxAct: sig6(maxActivation(acts)),
    features,
    acts: { rowStart: Array.from(acts.rowStart), features: Array.from(acts.features), values: Array.from(acts.values, sig6) },
    nTextTokens: tokenized.nTextTokens,
    truncated: tokenized.tokens.length < tokenized.nTextTokens,
    prependedBos: tokenized.bos,
    nCtx: facts.nCtx,
    notes: facts.notes,
    provider: facts.provider,
  };
}

/** The text's tokens' reconstruction errors (the BOS, read first when there is one, left out: its activation is an outlier the text did not cause). */
export function reconstructionOf(r: ReconstructionError, from: number): PromptReconstruction {
  const errorSq = Array.from(r.errorSq.subarray(from));
  const inputSq = Array.from(r.inputSq.subarray(from));
  let [num, den] = [0, 0];
  for (let t = 0; t < errorSq.length; t++) [num, den] = [num + errorSq[t], den + inputSq[t]];
  return {
    relativeError: errorSq.map((e, t) => (inputSq[t] > 0 ? sig6(e / inputSq[t]) : null)),
    errorSq: errorSq.map(sig6),
    inputSq: inputSq.map(sig6),
    overall: den > 0 ? sig6(num / den) : null,
  };
}

/** Six significant digits: float32 activations printed in full take three times the JSON for nothing a view shows. */
export function sig6(value: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(6));
}

function labelsOf(ws: Workspace, saeId: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const l of ws.features.labels.listForSae(saeId)) if (l.label !== '') out.set(l.key.index, l.label);
  return out;
}

/** Each fired feature's max and density over the SAE's current index run, to say how strong a value is for that feature. */
function corpusStats(
  ws: Workspace,
  saeId: string,
  fired: readonly FeatureOnPrompt[],
): Map<number, { maxAct: number | null; density: number }> {
  const out = new Map<number, { maxAct: number | null; density: number }>();
  const run = ws.features.runs.current(saeId);
  if (!run) return out;
  for (const f of fired) {
    const stats = ws.features.stats.get(run.id, f.index);
    if (stats) out.set(f.index, { maxAct: stats.maxAct > 0 ? stats.maxAct : null, density: stats.density });
  }
  return out;
}
