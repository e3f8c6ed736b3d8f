import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openSafetensors } from '../formats/safetensors.js';
import type { SafetensorsFile } from '../formats/safetensors.js';
import { modelFiles } from './model-files.js';
import { FormatError } from '../formats/tensor.js';
import { readTorchCheckpoint } from '../formats/torch.js';
import { loadGpt2Weights } from './load-gpt2.js';
import { loadTransformerLensWeights } from './load-tl.js';
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
 * Hugging Face GPT-2 folder or a TransformerLens state dict (`.pth`/`.pt`/`.safetensors`).
 */
export function loadTransformer(path: string): LoadedModel {
  const { dir, config, weights } = modelFiles(path);
  const weightsPath = weights[0];
  const dict = openStateDict(weightsPath);
  try {
    const load = config.family === 'gpt2' ? loadGpt2Weights : loadTransformerLensWeights;
    return { weights: load(dict, config), dir, weightsPath };
  } finally {
    dict.close();
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new FormatError(path, `not readable JSON (${(e as Error).message})`);
  }
}


/** A state dict with `close`: safetensors files stay open and are read tensor by tensor. */
export function openStateDict(path: string): StateDict & { close(): void } {
  const name = basename(path);
  if (name.endsWith('.index.json')) return openShardedSafetensors(path);
  if (name.endsWith('.safetensors')) {
    const f = openSafetensors(path);
    return { source: path, has: (n) => f.entries.has(n), read: (n) => f.read(n), close: () => f.close() };
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
  const index = readJson(indexPath) as { weight_map?: Record<string, unknown> };
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
  return {
    source: indexPath,
    has: (n) => Object.hasOwn(map, n),
    read: (n) => shard(n).read(n),
    close: () => shards.forEach((f) => f.close()),
  };
}
