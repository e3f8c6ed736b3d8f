import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DiscoveredItem } from './discovery.js';
import { int, readJsonConfig, str } from './discovery-json.js';
import type { JsonRecord } from './discovery-json.js';
import { peekNpzShapes, peekTorchCheckpoint } from './discovery-peek.js';
import {
  dictionaryLearningHookName,
  gemmaScopeHooks,
  openaiHookName,
  sparsifyHookName,
  sparsifyTranscoderHooks,
} from './sae-hook-names.js';
import { saeLayoutsInFolder } from './sae-layouts.js';
import type { SaeLayout } from './sae-layouts.js';
import {
  LLAMA_SCOPE_DEFAULTS,
  SPARSIFY_DEFAULTS,
  lenientInt,
  llamaScopeAverageNorm,
  saeLensArchitecture,
  saeLensKeys,
  saeLensNormalization,
  sparsifyK,
  sparsifyLatents,
} from './sae-configs.js';
import { openSafetensors } from './safetensors.js';
import { isJsonObject } from './strict-json.js';

/**
 * Recognises the SAE layouts of one folder from its file names and small configs. `hint` is the
 * folder's path as the user sees it (repo id + path inside the repo for the HF cache), whose names
 * carry the hook for formats without a config.
 */
export function saesInFolder(dir: string, files: ReadonlySet<string>, hint: string): DiscoveredItem[] {
  return saeLayoutsInFolder(dir, files).map((layout) => describe(layout, dir, files, hint));
}

/** The layout's widths, hook and architecture from its config or headers; a broken one becomes the item's problem. */
function describe(layout: SaeLayout, dir: string, files: ReadonlySet<string>, hint: string): DiscoveredItem {
  switch (layout.format) {
    case 'saelens':
      return withConfig(dir, 'cfg.json', 'saelens', saelens);
    case 'sparsify':
      return withConfig(dir, 'cfg.json', 'sparsify', sparsify);
    case 'llama-scope':
      return withConfig(dir, 'hyperparams.json', 'llama-scope', llamaScope);
    case 'dictionary-learning':
      return files.has('config.json')
        ? withConfig(dir, 'config.json', 'dictionary-learning', (c, i) => dictionaryLearning(c, i, hint))
        : {
            kind: 'sae',
            format: 'dictionary-learning',
            path: dir,
            problem: 'has ae.pt but no config.json, which names the dictionary class',
          };
    case 'gemma-scope':
      return gemmaScope(dir, hint);
    case 'openai':
      return openai(dir, basename(layout.path), files, `${hint}/${basename(layout.path)}`);
  }
}

function withConfig(dir: string, config: string, format: string, fill: (cfg: JsonRecord, item: DiscoveredItem) => void): DiscoveredItem {
  const item: DiscoveredItem = { kind: 'sae', format, path: dir };
  const read = readJsonConfig(join(dir, config));
  if ('problem' in read) item.problem = read.problem;
  else fill(read.value, item);
  return item;
}

/** SAELens cfg.json, read by the loader's key reader (formats/sae-configs), leniently. */
function saelens(cfg: JsonRecord, item: DiscoveredItem): void {
  const keys = saeLensKeys(cfg);
  item.dIn = int(keys.dIn);
  item.dSae = int(keys.dSae);
  item.hookName = str(keys.hookName);
  item.modelName = str(keys.modelName);
  item.k = int(keys.k?.value);
  item.architecture = saeLensArchitecture(str(keys.architecture) ?? 'standard', str(keys.activationFn.value) ?? 'relu');
  item.outputHookName = str(keys.hookNameOut);
  item.inputScaling = saelensScaling(cfg, item.path);
}

/** normalize_activations as the loader reads it (sae/formats/saelens-config.ts), in words. */
function saelensScaling(cfg: JsonRecord, dir: string): string | undefined {
  const mode = saeLensNormalization(cfg.normalize_activations);
  if (mode === 'expected_average_only_in') {
    const factor = typeof cfg.norm_scaling_factor === 'number' ? cfg.norm_scaling_factor : undefined;
    if (factor !== undefined) return `expected_average_only_in: × ${factor} (norm_scaling_factor, given in cfg.json)`;
    const scaler = join(dir, 'activation_scaler.json');
    const read = existsSync(scaler) ? readJsonConfig(scaler) : undefined;
    const given = read && 'value' in read && typeof read.value.scaling_factor === 'number' ? read.value.scaling_factor : undefined;
    if (given !== undefined) return `expected_average_only_in: × ${given} (scaling_factor, given in activation_scaler.json)`;
    return 'expected_average_only_in: no factor in the files; estimated as √d_in / mean ‖x‖ over the first tokens of Brown when used with its model';
  }
  if (mode === 'constant_norm_rescale') return 'constant_norm_rescale: each token scaled to norm √d_in';
  if (mode === 'layer_norm') return 'layer_norm: each token standardised';
  return undefined;
}

/** sparsify cfg.json has d_in, k and num_latents (0 meaning d_in × expansion_factor); the folder names the hookpoint. */
function sparsify(cfg: JsonRecord, item: DiscoveredItem): void {
  item.dIn = int(cfg.d_in) ?? safetensorsWidth(join(item.path, 'sae.safetensors'));
  item.dSae = item.dIn === undefined ? undefined : sparsifyLatents(cfg, item.dIn, lenientInt);
  item.k = sparsifyK(cfg, lenientInt);
  item.architecture = str(cfg.activation) ?? SPARSIFY_DEFAULTS.activation;
  item.hookpoint = basename(item.path);
  if (cfg.transcode === true) {
    const hooks = sparsifyTranscoderHooks(item.hookpoint);
    item.architecture = 'transcoder';
    item.hookName = hooks?.input;
    item.outputHookName = hooks?.output;
  } else item.hookName = sparsifyHookName(item.hookpoint);
}

/** Llama Scope hyperparams.json: d_model, d_sae, hook_point_in/out, act_fn; a different output hook makes a transcoder. */
function llamaScope(cfg: JsonRecord, item: DiscoveredItem): void {
  item.dIn = int(cfg.d_model);
  item.dSae = int(cfg.d_sae);
  item.hookName = str(cfg.hook_point_in);
  const out = str(cfg.hook_point_out);
  if (out !== undefined && out !== item.hookName) item.outputHookName = out;
  item.architecture = str(cfg.act_fn) ?? LLAMA_SCOPE_DEFAULTS.actFn;
  if (item.architecture === 'topk') item.k = int(cfg.top_k);
  const norms = isJsonObject(cfg.dataset_average_activation_norm) ? cfg.dataset_average_activation_norm : undefined;
  const mode = str(cfg.norm_activation) ?? LLAMA_SCOPE_DEFAULTS.normActivation;
  const given = norms === undefined ? undefined : llamaScopeAverageNorm(norms, 'in', item.hookName);
  const normIn = typeof given === 'number' && Number.isFinite(given) && given > 0 ? given : undefined;
  if (mode === 'dataset-wise' && normIn !== undefined && item.dIn !== undefined) {
    item.inputScaling = `dataset-wise: × √${item.dIn} / ${normIn} = ${Math.sqrt(item.dIn) / normIn} (dataset_average_activation_norm.in, given in hyperparams.json)`;
  } else item.inputScaling = `norm_activation ${mode}`;
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

const DICT_CLASSES: [RegExp, string][] = [
  [/BatchTopK/i, 'batchtopk'],
  [/TopK/i, 'topk'],
  [/JumpRelu/i, 'jumprelu'],
  [/Gated/i, 'gated'],
];

/** dictionary_learning config.json: everything under "trainer". */
function dictionaryLearning(cfg: JsonRecord, item: DiscoveredItem, hint: string): void {
  const trainer = isJsonObject(cfg.trainer) ? cfg.trainer : {};
  item.dIn = int(trainer.activation_dim);
  item.dSae = int(trainer.dict_size);
  item.k = int(trainer.k);
  item.modelName = str(trainer.lm_name);
  const dictClass = str(trainer.dict_class) ?? '';
  item.architecture = DICT_CLASSES.find(([re]) => re.test(dictClass))?.[1] ?? 'standard';
  item.hookpoint = str(trainer.submodule_name);
  item.hookName = dictionaryLearningHookName(item.hookpoint ?? hint);
}

/** Gemma Scope params.npz (W_enc [d_in, d_sae], W_dec, b_enc, b_dec, threshold): JumpReLU SAEs, or transcoders. */
function gemmaScope(dir: string, hint: string): DiscoveredItem {
  const hooks = gemmaScopeHooks(hint);
  const item: DiscoveredItem = {
    kind: 'sae',
    format: 'gemma-scope',
    path: dir,
    architecture: 'jumprelu',
    hookName: hooks?.input,
    outputHookName: hooks?.output,
  };
  try {
    const shapes = peekNpzShapes(join(dir, 'params.npz'));
    const wEnc = shapes.get('W_enc') ?? shapes.get('w_enc');
    if (!wEnc || wEnc.length !== 2) item.problem = `params.npz has no 2-d W_enc (it has ${[...shapes.keys()].join(', ') || 'no arrays'})`;
    else [item.dIn, item.dSae] = wEnc;
  } catch (e) {
    item.problem = (e as Error).message;
  }
  return item;
}

/**
 * openai/sparse_autoencoder state dicts are bare .pt files: told apart from other checkpoints by their
 * tensor names. k comes from the file's own activation_state_dict, else from a JSON sidecar.
 */
function openai(dir: string, name: string, files: ReadonlySet<string>, hint: string): DiscoveredItem {
  const peek = peekTorchCheckpoint(join(dir, name));
  const encoder = peek.shapes.get('encoder.weight') as number[];
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
