import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openSafetensors } from '../formats/safetensors.js';
import type { SafetensorsFile } from '../formats/safetensors.js';
import { modelFiles, readShardIndex } from './model-files.js';
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
    return safetensorsDict(
      path,
      (n) => (f.entries.has(n) ? f : undefined),
      () => f.close(),
    );
  }
  const { tensors } = readTorchCheckpoint(path);
  return {
    source: path,
    has: (n) => tensors.has(n),
    read: (n) => tensors.get(n) as NonNullable<ReturnType<typeof tensors.get>>,
    close: () => tensors.clear(),
  };
}

/**
 * model.safetensors.index.json: `weight_map` names the shard holding each tensor. A shard is opened
 * (its header read) when one of its tensors is first asked for, and tensors are read one at a time
 * by position, so no shard is ever held whole in memory.
 */
function openShardedSafetensors(indexPath: string): StateDict & { close(): void } {
  const map = readShardIndex(indexPath);
  const index = basename(indexPath);
  const shards = new Map<string, SafetensorsFile>();
  const shardOf = (name: string): SafetensorsFile | undefined => {
    const file = map.get(name);
    if (file === undefined) return undefined;
    let f = shards.get(file);
    if (!f) {
      const path = join(dirname(indexPath), file);
      if (!existsSync(path)) throw new FormatError(indexPath, `shard ${file} is missing (${index} puts tensor "${name}" there)`);
      shards.set(file, (f = openSafetensors(path)));
    }
    if (!f.entries.has(name))
      throw new FormatError(f.path, `no tensor "${name}", though ${index} puts it in this shard (the shard has ${f.entries.size} tensors)`);
    return f;
  };
  return safetensorsDict(indexPath, shardOf, () => shards.forEach((f) => f.close()));
}

/** A state dict over one or more safetensors files; `fileOf` names the file holding a tensor (opened on first use). */
function safetensorsDict(
  source: string,
  fileOf: (name: string) => SafetensorsFile | undefined,
  close: () => void,
): StateDict & { close(): void } {
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
