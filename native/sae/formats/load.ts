import { readdirSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SAE_FOLDER_FILES, saeLayoutsInFolder } from '../../formats/sae-layouts.js';
import type { SaeLayout } from '../../formats/sae-layouts.js';
import type { CanonicalSae } from '../canonical.js';
import { SaeError } from '../canonical.js';
import { DICTIONARY_CONFIG, DICTIONARY_WEIGHTS, readDictionaryLearning } from './dictionary-learning.js';
import { GEMMA_SCOPE_PARAMS, readGemmaScope } from './gemma-scope.js';
import { LLAMA_SCOPE_LAYOUT, readLlamaScope } from './llama-scope.js';
import { readOpenai } from './openai.js';
import { SAELENS_CONFIG, SAELENS_WEIGHTS, readSaeLens } from './saelens.js';
import { SPARSIFY_WEIGHTS, readSparsify } from './sparsify.js';
import { fileKind } from '../../formats/file-kind.js';

export const KNOWN_SAE_LAYOUTS: readonly string[] = [
  `SAELens (a folder with ${SAELENS_CONFIG} + ${SAELENS_WEIGHTS})`,
  `EleutherAI sparsify (a folder with cfg.json + ${SPARSIFY_WEIGHTS})`,
  `Llama Scope (a folder with ${LLAMA_SCOPE_LAYOUT})`,
  `dictionary_learning (a folder with ${DICTIONARY_WEIGHTS} + ${DICTIONARY_CONFIG})`,
  `Gemma Scope (${GEMMA_SCOPE_PARAMS}, or any .npz with W_enc, W_dec, b_enc, b_dec, threshold)`,
  'openai/sparse_autoencoder (a .pt or .pth state dict)',
];

/** Reads an SAE from a folder or file in any known layout, validated; the layout is told by the files present (formats/sae-layouts.ts, which `loupe inspect` uses too). */
export function loadSae(path: string): CanonicalSae {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    throw new SaeError(path, 'does not exist or cannot be read');
  }
  const isDir = stat.isDirectory();
  // Reading a FIFO would wait forever for a writer; a device never ends.
  if (!isDir && !stat.isFile()) throw new SaeError(path, `is ${fileKind(stat)}, not an SAE file or folder`);
  if (isDir) return loadFolder(path);
  const name = basename(path);
  if (SAE_FOLDER_FILES.has(name)) return loadFolder(dirname(path));
  if (name === 'final.safetensors' && basename(dirname(path)) === 'checkpoints') return loadFolder(dirname(dirname(path)));
  if (/\.npz$/i.test(name)) return readGemmaScope(path);
  if (/\.pth?$/i.test(name)) return readOpenai(path);
  throw unknownLayout(path, `"${name}" is not a file of any SAE layout Loupe reads`);
}

function loadFolder(dir: string): CanonicalSae {
  const files = new Set(readdirSync(dir).filter((f) => isFile(join(dir, f))));
  const layouts = saeLayoutsInFolder(dir, files);
  const openai = layouts.filter((l) => l.format === 'openai');
  const first = layouts.find((l) => l.format !== 'openai');
  if (first) return readLayout(first);
  if (openai.length === 1) return readOpenai(openai[0].path);
  if (openai.length > 1) {
    const names = openai.map((l) => basename(l.path));
    throw new SaeError(dir, `holds ${names.length} checkpoints (${names.join(', ')}); pass the path of the one to load`);
  }
  const listed = [...readdirSync(dir)].sort();
  const has = listed.length === 0 ? 'is empty' : `has ${listed.slice(0, 10).join(', ')}${listed.length > 10 ? ', …' : ''}`;
  throw unknownLayout(dir, `holds no SAE in a layout Loupe reads (the folder ${has})`);
}

function readLayout(layout: SaeLayout): CanonicalSae {
  switch (layout.format) {
    case 'saelens':
      return readSaeLens(layout.path);
    case 'sparsify':
      return readSparsify(layout.path);
    case 'llama-scope':
      return readLlamaScope(layout.path);
    case 'dictionary-learning':
      return readDictionaryLearning(layout.path);
    case 'gemma-scope':
      return readGemmaScope(layout.weights);
    case 'openai':
      return readOpenai(layout.path);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function unknownLayout(path: string, what: string): SaeError {
  return new SaeError(path, `${what}. Known layouts: ${KNOWN_SAE_LAYOUTS.join('; ')}`);
}
