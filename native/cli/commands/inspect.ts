import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { discover, discoverHfCache, hfCacheDir } from '../../formats/discovery.js';
import type { DiscoveredItem } from '../../formats/discovery.js';
import { readNpy, readNpz } from '../../formats/numpy.js';
import { openSafetensors } from '../../formats/safetensors.js';
import { jsonLimits, readCappedJsonSync } from '../../formats/strict-json.js';
import { FormatError } from '../../formats/tensor.js';
import type { HostTensor } from '../../formats/tensor.js';
import { loadTokenizer } from '../../formats/tokenizer.js';
import { readTorchCheckpoint } from '../../formats/torch.js';
import { readModelConfig } from '../../models/model-files.js';
import { parseFlags } from '../args.js';
import { CliError } from '../command.js';
import type { CliCommand } from '../command.js';

const KNOWN = 'a folder, or a .safetensors, .pt, .pth, .bin (PyTorch zip), .npy, .npz, tokenizer.json, vocab.json or merges.txt file';

type Json = Record<string, unknown>;

function tensorList(tensors: Iterable<[string, { dtype: string; shape: number[] }]>): Json[] {
  return [...tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));
}

function inspectSafetensors(path: string): Json {
  const file = openSafetensors(path);
  file.close();
  return { type: 'safetensors', metadata: file.metadata, tensors: tensorList(file.entries) };
}

function inspectTorch(path: string): Json {
  const { tensors, extra } = readTorchCheckpoint(path);
  return { type: 'torch-checkpoint', tensors: tensorList(tensors), extra };
}

function inspectNumpy(path: string, ext: string): Json {
  if (ext === '.npy') {
    const t: HostTensor = readNpy(readFileSync(path), path);
    return { type: 'npy', dtype: t.dtype, shape: t.shape };
  }
  return { type: 'npz', arrays: tensorList(readNpz(path)) };
}

async function describeTokenizer(path: string): Promise<Json> {
  const tokenizer = await loadTokenizer(path);
  return {
    type: 'tokenizer',
    format: tokenizer.format,
    model: tokenizer.kind === 'byte-level' ? 'byte-level BPE' : 'SentencePiece-style BPE with byte fallback',
    vocabSize: tokenizer.vocabSize,
    specialTokens: tokenizer.specialTokens,
    eosId: tokenizer.eosId,
    bosId: tokenizer.bosId,
  };
}

/** The model's config as the engine reads it (either naming), and the file as written. */
function modelConfig(item: DiscoveredItem): Json {
  try {
    const { config, json } = readModelConfig(item.path);
    return { config, rawConfig: json };
  } catch (e) {
    return { problem: `config.json: ${(e as Error).message}` };
  }
}

/** The config file each SAE format keeps beside its weights, printed as written. */
const SAE_CONFIGS: Record<string, string> = {
  saelens: 'cfg.json',
  sparsify: 'cfg.json',
  'dictionary-learning': 'config.json',
  'llama-scope': 'hyperparams.json',
};

async function describeItem(item: DiscoveredItem): Promise<Json> {
  if (item.kind === 'model') return { ...item, ...modelConfig(item) };
  if (item.kind === 'tokenizer') {
    try {
      const { vocabSize, specialTokens, eosId } = await describeTokenizer(item.path);
      return { ...item, vocabSize, specialTokens, eosId };
    } catch (e) {
      return { ...item, problem: (e as Error).message };
    }
  }
  const config = SAE_CONFIGS[item.format];
  if (config === undefined) return { ...item };
  try {
    return { ...item, config: readCappedJsonSync(join(item.path, config), jsonLimits.config).value as Json };
  } catch {
    return { ...item }; // discovery already put the broken config in item.problem
  }
}

async function inspectFolder(path: string): Promise<Json> {
  const items = discover(path);
  return { type: 'folder', items: await Promise.all(items.map(describeItem)) };
}

async function inspectFile(path: string): Promise<Json> {
  const name = basename(path);
  const ext = extname(name).toLowerCase();
  if (name === 'config.json' || name === 'cfg.json') return { ...(await inspectFolder(dirname(path))), folder: dirname(path) };
  if (name === 'vocab.json' || name === 'merges.txt' || name.endsWith('tokenizer.json')) return describeTokenizer(path);
  let described: Json;
  if (ext === '.safetensors') described = inspectSafetensors(path);
  else if (ext === '.pt' || ext === '.pth' || ext === '.bin') described = inspectTorch(path);
  else if (ext === '.npy' || ext === '.npz') described = inspectNumpy(path, ext);
  else throw new CliError(`${path}: unknown file type "${ext || name}": expected ${KNOWN}`);
  // A weights file also says what it belongs to (the SAE or model its folder holds).
  const items = discover(path);
  return items.length > 0 ? { ...described, items: await Promise.all(items.map(describeItem)) } : described;
}

/** JSON that survives what readers return: 64-bit ints as numbers where exact, bytes as a count. */
function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
      if (ArrayBuffer.isView(v)) return `<${v.byteLength} bytes>`;
      return v;
    },
    2,
  );
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'Print what a model, SAE, tokenizer or tensor file (or a folder of them) is, as JSON',
  usage: `Usage: loupe inspect PATH
       loupe inspect --hf-cache

  PATH        ${KNOWN}.
              A folder lists the models, SAEs and tokenizers in it and a few levels below it,
              with each model's config and each SAE's format, d_in, d_sae, hook and architecture.
  --hf-cache  the same list for the Hugging Face cache (HF_HUB_CACHE, HF_HOME/hub or
              ~/.cache/huggingface/hub): each repo at the snapshot refs/main names, with its
              repo id and revision; register one with its snapshot path.`,
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { 'hf-cache': { type: 'boolean' } }, true);
    if (values['hf-cache']) {
      if (positionals.length > 0) throw new CliError('--hf-cache takes no PATH', 2);
      const items = await Promise.all(discoverHfCache().map(describeItem));
      process.stdout.write(`${toJson({ path: hfCacheDir(), type: 'hf-cache', items })}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new CliError(`expected one PATH, got ${positionals.length}`, 2);
    const path = positionals[0];
    if (!existsSync(path)) throw new CliError(`${path}: no such file or folder`);
    try {
      const described = statSync(path).isDirectory() ? await inspectFolder(path) : await inspectFile(path);
      process.stdout.write(`${toJson({ path, ...described })}\n`);
      return 0;
    } catch (e) {
      if (e instanceof FormatError) throw new CliError(e.message);
      throw e;
    }
  },
};
