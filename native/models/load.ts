import { basename, dirname, join } from 'node:path';
import { openSafetensors } from '../formats/safetensors.js';
import { jsonLimits, readCappedJsonSync } from '../formats/strict-json.js';
import type { SafetensorsFile } from '../formats/safetensors.js';
import { modelFiles } from './model-files.js';
import { FormatError } from '../formats/tensor.js';
import { readTorchCheckpoint } from '../formats/torch.js';
import { loadGpt2Weights } from './load-gpt2.js';
import { loadTransformerLensWeights } from './load-tl.js';
import { loadHfDecoderWeights } from './load-hf.js';
import { loadNeoxWeights } from './load-neox.js';
import type { TransformerConfig } from './config.js';
import type { StateDict, TransformerWeights } from './weights.js';

export interface LoadedModel {
  weights: TransformerWeights;
  /** the folder holding config.json */
  dir: string;
  /** the weights file (or sharded index) read */
  weightsPath: string;
}

/**
 * Loads a model folder (config.json + weights), or a weights file with config.json beside it: a
 * Hugging Face folder (GPT-2, GPT-NeoX, Llama, Mistral, Qwen 2/3, Gemma 2/3; one file or shards) or a
 * TransformerLens state dict (`.pth`/`.pt`/`.safetensors`).
 */
export function loadTransformer(path: string): LoadedModel {
  const { dir, config, weights } = modelFiles(path);
  const weightsPath = weights[0];
  const dict = openStateDict(weightsPath);
  try {
    return { weights: loadWeights(dict, config), dir, weightsPath };
  } finally {
    dict.close();
  }
}

function loadWeights(dict: StateDict, config: TransformerConfig): TransformerWeights {
  switch (config.family) {
    case 'gpt2':
      return loadGpt2Weights(dict, config);
    case 'transformerlens':
      return loadTransformerLensWeights(dict, config);
    case 'gpt_neox':
      return loadNeoxWeights(dict, config, config.tiedEmbeddings === true);
    default:
      return loadHfDecoderWeights(dict, config, config.tiedEmbeddings !== false);
  }
}



/** A state dict with `close`: safetensors files stay open and are read tensor by tensor. */
export function openStateDict(path: string): StateDict & { close(): void } {
  const name = basename(path);
  if (name.endsWith('.index.json')) return openShardedSafetensors(path);
  if (name.endsWith('.safetensors')) {
    const f = openSafetensors(path);
    return safetensorsDict(path, (n) => (f.entries.has(n) ? f : undefined), () => f.close());
  }
  const { tensors } = readTorchCheckpoint(path);
  return {
    source: path,
    has: (n) => tensors.has(n),
    read: (n) => tensors.get(n) as NonNullable<ReturnType<typeof tensors.get>>,
    close: () => tensors.clear(),
  };
}

/** model.safetensors.index.json: `weight_map` names the shard holding each tensor. */
function openShardedSafetensors(indexPath: string): StateDict & { close(): void } {
  const index = readCappedJsonSync(indexPath, jsonLimits.shardIndex).value as { weight_map?: Record<string, unknown> };
  const map = index.weight_map;
  if (!map || typeof map !== 'object') throw new FormatError(indexPath, 'no "weight_map" object');
  const shards = new Map<string, SafetensorsFile>();
  const shard = (name: string): SafetensorsFile => {
    const file = map[name];
    if (typeof file !== 'string' || file.includes('/') || file.includes('\\')) throw new FormatError(indexPath, `bad shard name for "${name}"`);
    let f = shards.get(file);
    if (!f) shards.set(file, (f = openSafetensors(join(dirname(indexPath), file))));
    return f;
  };
  return safetensorsDict(indexPath, (n) => (Object.hasOwn(map, n) ? shard(n) : undefined), () => shards.forEach((f) => f.close()));
}

/** A state dict over one or more safetensors files; `fileOf` names the file holding a tensor (opened on first use). */
function safetensorsDict(source: string, fileOf: (name: string) => SafetensorsFile | undefined, close: () => void): StateDict & { close(): void } {
  const file = (n: string): SafetensorsFile => {
    const f = fileOf(n);
    if (!f) throw new FormatError(source, `no tensor named "${n}"`);
    return f;
  };
  return {
    source,
    has: (n) => fileOf(n)?.entries.has(n) ?? false,
    read: (n) => file(n).read(n),
    shape: (n) => fileOf(n)?.entries.get(n)?.shape,
    readFloat32Into: (n, out, offset) => file(n).readFloat32Into(n, out, offset),
    close,
  };
}
