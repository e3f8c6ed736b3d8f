import { basename, join } from 'node:path';
import type { DiscoveredItem } from './discovery.js';
import { int, obj, readJsonConfig, str } from './discovery-json.js';
import type { JsonRecord } from './discovery-json.js';
import { peekNpzShapes, peekTorchCheckpoint } from './discovery-peek.js';
import { dictionaryLearningHookName, gemmaScopeHookName, openaiHookName, sparsifyHookName } from './sae-hook-names.js';
import { openSafetensors } from './safetensors.js';

/**
 * Recognises the SAE layouts of one folder from its file names and small configs. `hint` is the
 * folder's path as the user sees it (repo id + path inside the repo for the HF cache), whose names
 * carry the hook for formats without a config.
 */
export function saesInFolder(dir: string, files: ReadonlySet<string>, hint: string): DiscoveredItem[] {
  const items: DiscoveredItem[] = [];
  if (files.has('cfg.json') && files.has('sae_weights.safetensors')) items.push(withConfig(dir, 'cfg.json', 'saelens', saelens));
  if (files.has('cfg.json') && files.has('sae.safetensors')) items.push(withConfig(dir, 'cfg.json', 'sparsify', sparsify));
  if (files.has('ae.pt') && files.has('config.json')) items.push(withConfig(dir, 'config.json', 'dictionary-learning', (c, i) => dictionaryLearning(c, i, hint)));
  if (files.has('params.npz')) {
    const item = gemmaScope(dir, hint);
    if (item) items.push(item);
  }
  for (const name of [...files].sort()) {
    if (!/\.pth?$/.test(name) || name === 'ae.pt') continue;
    const item = openai(dir, name, files, `${hint}/${name}`);
    if (item) items.push(item);
  }
  return items;
}

function withConfig(dir: string, config: string, format: string, fill: (cfg: JsonRecord, item: DiscoveredItem) => void): DiscoveredItem {
  const item: DiscoveredItem = { kind: 'sae', format, path: dir };
  const read = readJsonConfig(join(dir, config));
  if ('problem' in read) item.problem = read.problem;
  else fill(read.value, item);
  return item;
}

/** SAELens cfg.json: flat before v6; v6 moves hook_name and model_name under "metadata". */
function saelens(cfg: JsonRecord, item: DiscoveredItem): void {
  const meta = obj(cfg.metadata) ?? {};
  item.dIn = int(cfg.d_in);
  item.dSae = int(cfg.d_sae);
  item.hookName = str(cfg.hook_name) ?? str(meta.hook_name);
  item.modelName = str(cfg.model_name) ?? str(meta.model_name);
  item.k = int(obj(cfg.activation_fn_kwargs)?.k) ?? int(cfg.k);
  item.architecture = str(cfg.architecture) ?? (str(cfg.activation_fn_str) === 'topk' ? 'topk' : 'standard');
}

/** sparsify cfg.json has d_in, k and num_latents (0 meaning d_in × expansion_factor); the folder names the hookpoint. */
function sparsify(cfg: JsonRecord, item: DiscoveredItem): void {
  item.dIn = int(cfg.d_in) ?? safetensorsWidth(join(item.path, 'sae.safetensors'));
  const expansion = int(cfg.expansion_factor);
  item.dSae = int(cfg.num_latents) || (item.dIn !== undefined && expansion !== undefined ? item.dIn * expansion : undefined);
  item.k = int(cfg.k);
  item.architecture = str(cfg.activation) ?? 'topk';
  item.hookpoint = basename(item.path);
  item.hookName = sparsifyHookName(item.hookpoint);
}

/** d_in from encoder.weight [d_sae, d_in] in the header, for sparsify configs older than the d_in key. */
function safetensorsWidth(path: string): number | undefined {
  try {
    const file = openSafetensors(path);
    file.close();
    return file.entries.get('encoder.weight')?.shape[1];
  } catch {
    return undefined;
  }
}

const DICT_CLASSES: [RegExp, string][] = [[/BatchTopK/i, 'batchtopk'], [/TopK/i, 'topk'], [/JumpRelu/i, 'jumprelu'], [/Gated/i, 'gated']];

/** dictionary_learning config.json: everything under "trainer". */
function dictionaryLearning(cfg: JsonRecord, item: DiscoveredItem, hint: string): void {
  const trainer = obj(cfg.trainer) ?? {};
  item.dIn = int(trainer.activation_dim);
  item.dSae = int(trainer.dict_size);
  item.k = int(trainer.k);
  item.modelName = str(trainer.lm_name);
  const dictClass = str(trainer.dict_class) ?? '';
  item.architecture = DICT_CLASSES.find(([re]) => re.test(dictClass))?.[1] ?? 'standard';
  item.hookpoint = str(trainer.submodule_name);
  item.hookName = dictionaryLearningHookName(item.hookpoint ?? hint);
}

/** Gemma Scope params.npz (W_enc [d_in, d_sae], W_dec, b_enc, b_dec, threshold): JumpReLU SAEs. */
function gemmaScope(dir: string, hint: string): DiscoveredItem | null {
  const item: DiscoveredItem = { kind: 'sae', format: 'gemma-scope', path: dir, architecture: 'jumprelu', hookName: gemmaScopeHookName(hint) };
  try {
    const shapes = peekNpzShapes(join(dir, 'params.npz'));
    if (!shapes.has('W_enc') || !shapes.has('W_dec')) return null;
    [item.dIn, item.dSae] = shapes.get('W_enc') as number[];
  } catch (e) {
    item.problem = (e as Error).message;
  }
  return item;
}

/**
 * openai/sparse_autoencoder state dicts are bare .pt files: told apart from other checkpoints by their
 * tensor names. k comes from the file's own activation_state_dict, else from a JSON sidecar.
 */
function openai(dir: string, name: string, files: ReadonlySet<string>, hint: string): DiscoveredItem | null {
  let peek: ReturnType<typeof peekTorchCheckpoint>;
  try {
    peek = peekTorchCheckpoint(join(dir, name));
  } catch {
    return null; // not a readable checkpoint, so not one we can call an SAE
  }
  const encoder = peek.shapes.get('encoder.weight');
  if (!encoder || !peek.shapes.has('decoder.weight') || !peek.shapes.has('latent_bias')) return null;
  const sidecar = openaiSidecar(dir, name, files);
  const k = int(peek.scalars.get('activation_state_dict.k')) ?? int(sidecar.k);
  const activation = str(peek.scalars.get('activation'));
  return {
    kind: 'sae',
    format: 'openai',
    path: join(dir, name),
    dSae: encoder[0],
    dIn: encoder[1],
    k,
    architecture: k !== undefined || activation === 'TopK' ? 'topk' : activation === 'ReLU' ? 'standard' : activation,
    hookName: str(sidecar.hook_name) ?? openaiHookName(hint),
  };
}

/** A JSON next to the file: `<stem>.json`, else NOTE.json or cfg.json. */
function openaiSidecar(dir: string, name: string, files: ReadonlySet<string>): JsonRecord {
  const stem = name.replace(/\.pth?$/, '');
  const sidecar = [`${stem}.json`, 'NOTE.json', 'cfg.json'].find((f) => files.has(f));
  if (sidecar === undefined) return {};
  const read = readJsonConfig(join(dir, sidecar));
  return 'value' in read ? read.value : {};
}
