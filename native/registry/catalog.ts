import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { ApiFailure } from '../api/errors.js';
import type { ModelRegistration, SaeRegistration } from '../api/types.js';
import { FormatError } from '../formats/tensor.js';
import { openSafetensors } from '../formats/safetensors.js';
import { SAE_LAYOUT_FILES } from '../formats/sae-layouts.js';
import { loadTokenizer } from '../formats/tokenizer.js';
import type { Tokenizer } from '../formats/tokenizer.js';
import type { TransformerConfig } from '../models/config.js';
import { UnknownHookError, hookWidth } from '../models/hooks.js';
import { SaeError, assertHookWidth, reconstructedHook } from '../sae/canonical.js';
import type { CanonicalSae } from '../sae/canonical.js';
import { loadSae } from '../sae/formats/load.js';
import { contentFingerprint } from './fingerprint.js';
import { modelFiles } from '../models/model-files.js';
import { modelSummaryOf } from '../store/models-table.js';
import type { ModelRecord } from '../store/models-table.js';
import { saeSummaryOf } from '../store/saes-table.js';
import type { SaeRecord } from '../store/saes-table.js';
import type { Workspace } from '../store/workspace.js';

/**
 * Registering models and SAEs in a workspace: by path and content fingerprint, never by copying.
 * A path registered again is the same row: unchanged when its fingerprint matches, rewritten under
 * the same id (so labels and index runs keep pointing at it) when the files changed.
 */

/**
 * Reads a model's config (not its weights) and its tokenizer, fingerprints their files and upserts
 * its row. The tokenizer is built now: every use of the model (index, prompt, training) needs it, and
 * a broken one should fail here, not freeze the first prompt.
 */
export async function registerModel(ws: Workspace, path: string, now = new Date().toISOString()): Promise<ModelRegistration> {
  const absolute = existingPath(path);
  const files = asInputError(() => modelFiles(absolute));
  // Parsing the safetensors header refuses a truncated or foreign file now rather than at the first index.
  for (const file of files.weights) if (file.endsWith('.safetensors')) asInputError(() => openSafetensors(file).close());
  const { config } = files;
  const tokenizer = await checkedTokenizer(files.dir, config, files.name);
  const fingerprint = contentFingerprint([...files.weights, ...tokenizerFiles(tokenizer.path, files.dir)], files.configText);
  const existing = ws.models.findByPath(absolute);
  const record: ModelRecord = {
    id: existing?.id ?? uniqueId(files.name, (id) => ws.models.get(id) !== undefined),
    name: existing?.name ?? files.name,
    path: absolute,
    family: config.family,
    nLayers: config.nLayers,
    dModel: config.dModel,
    dVocab: config.dVocab,
    nCtx: config.nCtx,
    fingerprint,
    addedAt: existing?.addedAt ?? now,
    config: { ...config },
  };
  if (!existing) ws.models.insert(record);
  else if (existing.fingerprint !== fingerprint) ws.models.update(record);
  else return { ...modelSummaryOf(existing), registration: 'unchanged', previousFingerprint: null };
  const previousFingerprint = existing ? existing.fingerprint : null;
  return { ...modelSummaryOf(record), registration: existing ? 'updated' : 'added', previousFingerprint };
}

/**
 * Loads an SAE (validated), fingerprints its files and upserts its row. With `modelId`, the SAE is
 * attached to that model after checking it reads activations as wide as the model's hook; without,
 * a re-registration keeps the model it had.
 */
export function registerSae(ws: Workspace, path: string, modelId?: string, now = new Date().toISOString(), hook?: string): SaeRegistration {
  const loaded = asInputError(() => loadSae(existingPath(path)));
  // A hook given by the caller stands in for (or corrects) the one the files name.
  const sae = hook === undefined ? loaded : { ...loaded, hookName: hook };
  const absolute = resolve(sae.source.path);
  const { weights, configText } = saeFiles(absolute);
  const fingerprint = contentFingerprint(weights, configText);
  const existing = ws.saes.findByPath(absolute);
  const attachTo = modelId ?? existing?.modelId ?? null;
  if (attachTo !== null) checkAgainstModel(ws, sae, attachTo, modelId !== undefined ? 'modelId' : 'path');
  const name = saeName(absolute);
  const record: SaeRecord = {
    id: existing?.id ?? uniqueId(name, (id) => ws.saes.get(id) !== undefined),
    name: existing?.name ?? name,
    path: absolute,
    format: sae.source.format,
    modelId: attachTo,
    hookName: sae.hookName ?? '',
    dIn: sae.dIn,
    dSae: sae.dSae,
    activation: sae.activation.kind,
    k: sae.activation.kind === 'topk' ? sae.activation.k : null,
    fingerprint,
    addedAt: existing?.addedAt ?? now,
    // Where a scaled SAE's input factor comes from (given, or estimated from the model when indexed), for its summary.
    config: sae.inputScaleFrom ? { ...sae.config, loupe_input_scale: sae.inputScaleFrom } : sae.config,
  };
  if (!existing) ws.saes.insert(record);
  else if (existing.fingerprint !== fingerprint || existing.modelId !== attachTo || existing.hookName !== record.hookName)
    ws.saes.update(record);
  else return { ...saeSummaryOf(existing), registration: 'unchanged', previousFingerprint: null };
  const previousFingerprint = existing && existing.fingerprint !== fingerprint ? existing.fingerprint : null;
  return { ...saeSummaryOf(record), registration: existing ? 'updated' : 'added', previousFingerprint };
}

/** The model's full config: the stored one, or config.json again for a row written without it. */
export function storedModelConfig(model: ModelRecord): TransformerConfig {
  const c = model.config;
  if (typeof c.family === 'string' && typeof c.dMlp === 'number' && typeof c.nLayers === 'number') return c as unknown as TransformerConfig;
  return asInputError(() => modelFiles(model.path).config, 'modelId');
}

function checkAgainstModel(ws: Workspace, sae: CanonicalSae, modelId: string, field: string): void {
  const model = ws.models.get(modelId);
  if (!model) throw new ApiFailure('not_found', `no model "${modelId}" in this workspace`, field);
  const config = storedModelConfig(model);
  if (sae.hookName === null) {
    // An SAE file that names no hook (openai .pt, bare .npz) can only be checked against the widths the model has.
    if (sae.dIn !== config.dModel && sae.dIn !== config.dMlp) {
      throw new ApiFailure(
        'failed',
        `${sae.source.path}: SAE reads d_in = ${sae.dIn} values per token, but ${model.name} has no hook that wide (d_model ${config.dModel}, d_mlp ${config.dMlp})`,
        field,
      );
    }
    return;
  }
  const hook = sae.hookName;
  asInputError(() => assertHookWidth(sae, hookWidth(config, hook), model.name, hook), field);
  const out = reconstructedHook(sae, hook);
  if (out !== hook) asInputError(() => assertHookWidth(sae, hookWidth(config, out), model.name, out), field);
}

/** Weights files (by extension) and config files of an SAE folder, or the file itself. */
function saeFiles(path: string): { weights: string[]; configText: string } {
  if (statSync(path).isFile()) return { weights: [path], configText: '' };
  const names = readdirSync(path)
    .filter((f) => !f.startsWith('.') && statSync(join(path, f)).isFile())
    .sort();
  const weights = names.filter((f) => /\.(safetensors|pt|pth|npz|bin)$/i.test(f)).map((f) => join(path, f));
  // Llama Scope keeps its weights one folder down (checkpoints/final.safetensors) and its config in hyperparams.json.
  const nested = join(path, SAE_LAYOUT_FILES.llamaScope.weights);
  if (existsSync(nested)) weights.push(nested);
  const configs = ['cfg.json', 'config.json', SAE_LAYOUT_FILES.llamaScope.config];
  const configText = names
    .filter((f) => configs.includes(f))
    .map((f) => `${f}\0${readFileSync(join(path, f), 'utf8')}`)
    .join('\0');
  return { weights, configText };
}

/** A file named like every SAE of its library (params.npz, ae.pt) is named by its folder. */
function saeName(path: string): string {
  const stem = basename(path, extname(path));
  if (extname(path) === '' || !/^(params|ae|sae|sae_weights|model|checkpoint)$/i.test(stem)) return stem;
  return basename(dirname(path));
}

/** A readable, stable id for CLIs (`loupe labels --sae ID`): the name as a slug, numbered when taken. */
export function uniqueId(name: string, taken: (id: string) => boolean): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 64) || 'item';
  if (!taken(slug)) return slug;
  for (let n = 2; ; n++) if (!taken(`${slug}-${n}`)) return `${slug}-${n}`;
}

/** The model's tokenizer, loaded (so validated) and checked against the embedding it indexes. */
async function checkedTokenizer(dir: string, config: TransformerConfig, name: string): Promise<Tokenizer> {
  let tokenizer: Tokenizer;
  try {
    tokenizer = await loadTokenizer(dir);
  } catch (e) {
    if (e instanceof FormatError) throw new ApiFailure('failed', `the model's tokenizer: ${e.message}`, 'path');
    throw e;
  }
  if (tokenizer.vocabSize > config.dVocab) {
    throw new ApiFailure(
      'failed',
      `${tokenizer.path}: the tokenizer has ${tokenizer.vocabSize} tokens, but ${name}'s embedding has ${config.dVocab} rows`,
      'path',
    );
  }
  return tokenizer;
}

/** The files a tokenizer was read from (tokenizer.json, or vocab.json + merges.txt) and tokenizer_config.json, which names the EOS. */
function tokenizerFiles(tokenizerPath: string, dir: string): string[] {
  const main = statSync(tokenizerPath).isFile()
    ? [tokenizerPath]
    : ['vocab.json', 'merges.txt'].map((f) => join(tokenizerPath, f)).filter((f) => existsSync(f));
  const config = join(dir, 'tokenizer_config.json');
  return existsSync(config) ? [...main, config] : main;
}

function existingPath(path: string): string {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new ApiFailure('not_found', `${absolute}: no such file or folder`, 'path');
  return absolute;
}

/** Bad files are the caller's input: a structured failure naming the field, not an internal error. */
function asInputError<T>(f: () => T, field = 'path'): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FormatError || e instanceof SaeError || e instanceof UnknownHookError)
      throw new ApiFailure('failed', e.message, field);
    throw e;
  }
}
