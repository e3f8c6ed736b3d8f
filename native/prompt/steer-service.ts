import { ApiFailure } from '../api/errors.js';
import type { ValidParamsOf } from '../api/methods.js';
import type { SteerEditApplied, SteerResult, SteerStepData } from '../api/types.js';
import { loadTokenizer } from '../formats/tokenizer.js';
import type { Tokenizer } from '../formats/tokenizer.js';
import { logitEffects } from '../index/decoder-analysis.js';
import { hookWidth } from '../models/hooks.js';
import { loadTransformer } from '../models/load.js';
import { modelFiles } from '../models/model-files.js';
import type { TransformerWeights } from '../models/weights.js';
import type { Provider } from '../onnx/ort.js';
import type { CanonicalSae } from '../sae/canonical.js';
import { loadSae } from '../sae/formats/load.js';
import type { SteerEdit } from '../sae/steer-splice.js';
import { saeWithModel } from '../store/sae-with-model.js';
import type { Workspace } from '../store/workspace.js';
import { documentStart } from './generate.js';
import { steerGenerate } from './steer.js';
import type { SteerStepResult } from './steer.js';
import { prepareSteeringDecoder } from './steer-decoder.js';

export type SteerParams = ValidParamsOf<'steer.start'>;

/** What the workspace says about a steer.start call: checked when it is made, before a job starts. */
export interface ResolvedSteer {
  modelId: string;
  modelPath: string;
  /** one per SAE, in the order of its first edit */
  saes: { saeId: string; path: string; hookName: string; edits: SteerEdit[] }[];
  applied: SteerEditApplied[];
}

const WATCH_TOKENS = 10;

/** A model row by id, or a refusal naming `field`. */
function modelRow(ws: Workspace, modelId: string, field: string): { id: string; path: string; name: string } {
  const m = ws.models.get(modelId);
  if (!m) throw new ApiFailure('not_found', `no model "${modelId}" in this workspace`, field);
  return m;
}

/** SAEs, their model (one for all edits), hooks and clampMax values from the index; a refusal names the edit. */
export function resolveSteer(ws: Workspace, params: SteerParams): ResolvedSteer {
  let model = params.modelId === undefined ? undefined : modelRow(ws, params.modelId, 'modelId');
  const saes = new Map<string, ResolvedSteer['saes'][number]>();
  const applied: SteerEditApplied[] = params.edits.map((edit, i) => {
    const field = `edits.${i}.saeId`;
    const { sae: row, model: m } = saeWithModel(ws, edit.saeId, field);
    if (model && m.id !== model.id)
      throw new ApiFailure(
        'conflict',
        `SAE "${row.name}" reads model "${m.name}", the other edits "${model.name}": steer one model at a time`,
        field,
      );
    model = m;
    if (row.hookName === '') throw new ApiFailure('conflict', `SAE "${row.name}" names no hook, so Loupe cannot tell where to edit`, field);
    if (edit.feature >= row.dSae)
      throw new ApiFailure(
        'failed',
        `feature ${edit.feature} is out of range: SAE "${row.name}" has features 0..${row.dSae - 1}`,
        `edits.${i}.feature`,
      );
    const amount = editAmount(ws, edit, i);
    const mode = edit.mode === 'clampMax' ? 'clamp' : edit.mode;
    const entry = saes.get(row.id) ?? { saeId: row.id, path: row.path, hookName: row.hookName, edits: [] };
    entry.edits.push({
      feature: edit.feature,
      mode:
        mode === 'clamp' ? { kind: 'clamp', value: amount } : mode === 'add' ? { kind: 'add', coefficient: amount } : { kind: 'ablate' },
    });
    saes.set(row.id, entry);
    return {
      saeId: row.id,
      feature: edit.feature,
      hookName: row.hookName,
      mode,
      amount,
      label: ws.features.labels.get({ saeId: row.id, index: edit.feature }).label,
    };
  });
  if (!model) throw new ApiFailure('failed', 'a vector without feature edits needs modelId: the model to steer', 'modelId');
  if (params.vector) checkVector(model.path, params.vector);
  return { modelId: model.id, modelPath: model.path, saes: [...saes.values()], applied };
}

/** The vector's hook must be one of the model's, as wide as the vector. */
function checkVector(modelPath: string, vector: NonNullable<SteerParams['vector']>): void {
  const { config } = modelFiles(modelPath);
  let width: number;
  try {
    width = hookWidth(config, vector.hookName);
  } catch (e) {
    throw new ApiFailure('failed', (e as Error).message, 'vector.hookName');
  }
  if (width !== vector.values.length)
    throw new ApiFailure('failed', `the vector has ${vector.values.length} values, ${vector.hookName} is ${width} wide`, 'vector.values');
}

function editAmount(ws: Workspace, edit: SteerParams['edits'][number], i: number): number {
  if (edit.mode === 'clamp') return edit.value;
  if (edit.mode === 'add') return edit.coefficient;
  if (edit.mode === 'ablate') return 0;
  const run = ws.features.runs.current(edit.saeId);
  const stats = run ? ws.features.stats.get(run.id, edit.feature) : undefined;
  if (!stats || !(stats.maxAct > 0)) {
    throw new ApiFailure(
      'conflict',
      `feature ${edit.feature} of "${edit.saeId}" has no max activation yet: index the SAE, or clamp to a value`,
      `edits.${i}.mode`,
    );
  }
  return edit.multiple * stats.maxAct;
}

export interface SteerHooks {
  signal?: AbortSignal;
  /** ONNX Runtime's execution provider (default cpu) */
  provider?: Provider;
  onStep?(step: SteerStepData): void;
  onProgress?(fraction: number, message: string): void;
}

/** Loads the model, tokenizer and SAEs, and generates both continuations, streaming each step. */
export async function runSteer(resolved: ResolvedSteer, params: SteerParams, hooks: SteerHooks = {}): Promise<SteerResult> {
  hooks.onProgress?.(0, 'loading the model and SAEs');
  const { weights, dir } = loadTransformer(resolved.modelPath);
  const tokenizer = await loadTokenizer(dir);
  const saes = resolved.saes.map((s) => ({ sae: loadSae(s.path), hookName: s.hookName, edits: s.edits }));
  const vector = params.vector
    ? { hookName: params.vector.hookName, values: Float32Array.from(params.vector.values), coefficient: params.vector.coefficient }
    : undefined;
  const { decoder, feeds } = await prepareSteeringDecoder(
    weights,
    saes,
    params.keepError,
    hooks.provider ? { provider: hooks.provider } : {},
    vector,
  );
  const notes: string[] = decoder.fallbackMessage ? [decoder.fallbackMessage] : [];
  const prompt = promptIds(tokenizer, params, weights.config.nCtx, notes);
  const bos = prompt.length - prompt.textIds.length;
  // Past the prompt's end: the edits apply to the generated tokens only.
  const fromToken = Math.min(params.fromToken, prompt.textIds.length);
  const watchIds = saes.length > 0 ? await watchTokens(weights, saes[0].sae, resolved.applied[0]) : [];
  const text = (id: number) => tokenizer.tokenText(id);
  const steps: SteerStepData[] = [];
  const run = await steerGenerate(
    decoder,
    prompt.ids,
    feeds,
    {
      maxTokens: Math.min(params.maxTokens, weights.config.nCtx - prompt.ids.length),
      temperature: params.temperature,
      ...(params.topK !== undefined ? { topK: params.topK } : {}),
      ...(params.topP !== undefined ? { topP: params.topP } : {}),
      seed: params.seed,
      ...(params.stopAtEos && tokenizer.eosId !== undefined ? { eosId: tokenizer.eosId } : {}),
      fromPosition: bos + fromToken,
      ...(watchIds.length > 0 ? { watch: watchIds } : {}),
    },
    (s) => {
      const step = stepData(s, text);
      steps.push(step);
      hooks.onStep?.(step);
      hooks.onProgress?.((s.step + 1) / params.maxTokens, `token ${s.step + 1} of ${params.maxTokens}`);
    },
    hooks.signal,
  );
  const continuation = (pick: (s: SteerStepData) => { id: number } | null) =>
    tokenizer.decode(
      steps
        .map(pick)
        .filter((t) => t !== null)
        .map((t) => t.id),
    );
  return {
    modelId: resolved.modelId,
    prompt: prompt.textIds.map((id) => ({ id, text: text(id) })),
    edits: resolved.applied,
    keepError: params.keepError,
    fromToken,
    watch: watchIds.map(text),
    clean: { text: continuation((s) => s.clean), stop: run.cleanStop },
    steered: { text: continuation((s) => s.steered), stop: run.steeredStop },
    steps,
    provider: decoder.provider,
    notes,
    ...(params.vector
      ? {
          vector: {
            hookName: params.vector.hookName,
            norm: Number(Math.hypot(...params.vector.values).toPrecision(6)),
            coefficient: params.vector.coefficient,
          },
        }
      : {}),
  };
}

function stepData(s: SteerStepResult, text: (id: number) => string): SteerStepData {
  const r6 = (x: number) => Number(x.toPrecision(6));
  return {
    step: s.step,
    clean: s.clean ? { id: s.clean.id, text: text(s.clean.id), prob: r6(s.clean.prob) } : null,
    steered: s.steered
      ? { id: s.steered.id, text: text(s.steered.id), prob: r6(s.steered.prob), cleanProb: r6(s.steered.cleanProb) }
      : null,
    kl: s.kl === null ? null : r6(s.kl),
    ...(s.watched ? { watched: { steered: r6(s.watched.steered), clean: r6(s.watched.clean) } } : {}),
  };
}

/** The ids the model reads (a BOS first when asked and the tokenizer has one), cut so a token can still be generated. */
function promptIds(
  tokenizer: Tokenizer,
  params: SteerParams,
  nCtx: number,
  notes: string[],
): { ids: number[]; textIds: number[]; length: number } {
  const all = Array.from(tokenizer.encode(params.prompt).ids);
  if (all.length === 0) throw new ApiFailure('failed', 'the prompt has no tokens', 'prompt');
  const start = documentStart(tokenizer);
  const bos = params.prependBos && start !== undefined ? [start] : [];
  const room = nCtx - bos.length - 1;
  const textIds = all.slice(0, room);
  if (textIds.length < all.length)
    notes.push(`The model reads at most ${nCtx} tokens: the prompt was cut to its first ${textIds.length} of ${all.length} tokens.`);
  const ids = [...bos, ...textIds];
  return { ids, textIds, length: ids.length };
}

/** The first edit's feature's top output tokens (W_dec · W_U), for a clamp or a positive addition; none otherwise. */
async function watchTokens(model: TransformerWeights, sae: CanonicalSae, edit: SteerEditApplied): Promise<number[]> {
  const pushes = (edit.mode === 'clamp' || edit.mode === 'add') && edit.amount > 0;
  if (!pushes || sae.dIn !== model.config.dModel) return [];
  const row = sae.wDec.subarray(edit.feature * sae.dIn, (edit.feature + 1) * sae.dIn);
  return Array.from((await logitEffects(row, 1, model, WATCH_TOKENS)).boostedIds);
}
