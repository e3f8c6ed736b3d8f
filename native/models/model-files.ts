import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { jsonLimits, readCappedJsonSync } from '../formats/strict-json.js';
import { FormatError } from '../formats/tensor.js';
import { parseModelConfig } from './config.js';
import type { TransformerConfig } from './config.js';
import { fileKind } from '../formats/file-kind.js';

/** What registering a model reads: the config and the names of the weights files, never the weights. */
export interface ModelFiles {
  /** The folder holding config.json. */
  dir: string;
  config: TransformerConfig;
  configText: string;
  /** The weights file, or a sharded index followed by its shards. */
  weights: string[];
  /** A display name: ORG/NAME for a Hugging Face cache snapshot, else the folder's name. */
  name: string;
}

const HF_WEIGHTS = ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin'];

/**
 * Finds a model's config and weights files (Hugging Face names first, else one TransformerLens
 * state dict), reading only config.json and, for a sharded model, its index: what registering a
 * model needs, and where loadTransformer reads the weights from.
 */
export function modelFiles(path: string): ModelFiles {
  if (!existsSync(path)) throw new FormatError(path, 'no such file or folder');
  const stat = statSync(path);
  const isFile = stat.isFile();
  if (!isFile && !stat.isDirectory()) throw new FormatError(path, `is ${fileKind(stat)}, not a model folder or weights file`);
  const dir = isFile ? dirname(path) : path;
  const { config, configText } = readModelConfig(dir);
  const main = isFile ? path : findWeights(dir, config.family === 'transformerlens');
  const weights = main.endsWith('.index.json') ? [main, ...shards(main)] : [main];
  return { dir, config, configText, weights, name: displayName(dir) };
}

/** A model folder's config.json, parsed (either naming) and as written: the one place that reads it. */
export function readModelConfig(dir: string): { config: TransformerConfig; configText: string; json: unknown } {
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath))
    throw new FormatError(dir, 'no config.json: a model folder needs one (Hugging Face or TransformerLens naming)');
  const { text: configText, value: json } = readCappedJsonSync(configPath, jsonLimits.config);
  return { config: parseModelConfig(json, configPath), configText, json };
}

function findWeights(dir: string, transformerLens: boolean): string {
  const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
  const hf = HF_WEIGHTS.find((f) => files.includes(f));
  if (hf) return join(dir, hf);
  if (transformerLens) {
    const candidates = files.filter((f) => /\.(pth?|safetensors)$/.test(f) && !f.startsWith('refs.'));
    const checkpoints = candidates.filter((f) => /\.pth?$/.test(f));
    const pick = checkpoints.length > 0 ? checkpoints : candidates;
    if (pick.length === 1) return join(dir, pick[0]);
    if (pick.length > 1) throw new FormatError(dir, `several state dicts (${pick.join(', ')}): pass the file itself as the model`);
  }
  throw new FormatError(
    dir,
    `no weights file: expected one of ${HF_WEIGHTS.join(', ')}${transformerLens ? ', or a .pth/.pt/.safetensors state dict' : ''}`,
  );
}

/** The shard files a model.safetensors.index.json names, each once, sorted. */
function shards(indexPath: string): string[] {
  const names = [...new Set(readShardIndex(indexPath).values())];
  return names.sort().map((f) => {
    const shard = join(dirname(indexPath), f);
    if (!existsSync(shard)) throw new FormatError(indexPath, `shard ${f} is missing`);
    return shard;
  });
}

/**
 * model.safetensors.index.json's `weight_map`: tensor name -> shard file name (a bare name beside
 * the index, never a path).
 */
export function readShardIndex(indexPath: string): Map<string, string> {
  const index = readCappedJsonSync(indexPath, jsonLimits.shardIndex).value;
  const map =
    index !== null && typeof index === 'object' && !Array.isArray(index) ? (index as { weight_map?: unknown }).weight_map : undefined;
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new FormatError(indexPath, 'no "weight_map" object');
  const out = new Map<string, string>();
  for (const [tensor, file] of Object.entries(map as Record<string, unknown>)) {
    if (typeof file !== 'string' || file.length === 0 || file.includes('/') || file.includes('\\') || file === '.' || file === '..') {
      throw new FormatError(
        indexPath,
        `bad shard name ${JSON.stringify(file)} for tensor "${tensor}": expected a file name beside the index`,
      );
    }
    out.set(tensor, file);
  }
  return out;
}

/** `…/models--ORG--NAME/snapshots/REV` is the Hugging Face cache: the repo id names the model better than REV. */
function displayName(dir: string): string {
  const parts = dir.split(sep).filter((p) => p.length > 0);
  const at = parts.length - 3;
  if (at >= 0 && parts[at].startsWith('models--') && parts[at + 1] === 'snapshots')
    return parts[at].slice('models--'.length).split('--').join('/');
  return basename(dir);
}
