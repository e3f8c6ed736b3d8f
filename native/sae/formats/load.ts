import { readdirSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CanonicalSae } from '../canonical.js';
import { SaeError } from '../canonical.js';
import { DICTIONARY_CONFIG, DICTIONARY_WEIGHTS, readDictionaryLearning } from './dictionary-learning.js';
import { GEMMA_SCOPE_PARAMS, readGemmaScope } from './gemma-scope.js';
import { readOpenai } from './openai.js';
import { SAELENS_CONFIG, SAELENS_WEIGHTS, readSaeLens } from './saelens.js';
import { SPARSIFY_WEIGHTS, readSparsify } from './sparsify.js';
import { fileKind } from '../../formats/file-kind.js';

export const KNOWN_SAE_LAYOUTS: readonly string[] = [
  `SAELens (a folder with ${SAELENS_CONFIG} + ${SAELENS_WEIGHTS})`,
  `EleutherAI sparsify (a folder with cfg.json + ${SPARSIFY_WEIGHTS})`,
  `dictionary_learning (a folder with ${DICTIONARY_WEIGHTS} + ${DICTIONARY_CONFIG})`,
  `Gemma Scope (${GEMMA_SCOPE_PARAMS}, or any .npz with W_enc, W_dec, b_enc, b_dec, threshold)`,
  'openai/sparse_autoencoder (a .pt or .pth state dict)',
];

/** Files that only make sense with their folder: naming one loads the folder. */
const FOLDER_FILES = new Set([SAELENS_CONFIG, SAELENS_WEIGHTS, SPARSIFY_WEIGHTS, DICTIONARY_WEIGHTS, DICTIONARY_CONFIG]);

/** Reads an SAE from a folder or file in any known layout, validated; the layout is told by the files present. */
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
  if (FOLDER_FILES.has(name)) return loadFolder(dirname(path));
  if (/\.npz$/i.test(name)) return readGemmaScope(path);
  if (/\.pth?$/i.test(name)) return readOpenai(path);
  throw unknownLayout(path, `"${name}" is not a file of any SAE layout Loupe reads`);
}

function loadFolder(dir: string): CanonicalSae {
  const files = new Set(readdirSync(dir));
  if (files.has(SAELENS_CONFIG) && files.has(SAELENS_WEIGHTS)) return readSaeLens(dir);
  if (files.has(SAELENS_CONFIG) && files.has(SPARSIFY_WEIGHTS)) return readSparsify(dir);
  if (files.has(DICTIONARY_WEIGHTS)) return readDictionaryLearning(dir);
  if (files.has(GEMMA_SCOPE_PARAMS)) return readGemmaScope(join(dir, GEMMA_SCOPE_PARAMS));
  const checkpoints = [...files].filter((f) => /\.pth?$/i.test(f)).sort();
  if (checkpoints.length === 1) return readOpenai(join(dir, checkpoints[0]));
  if (checkpoints.length > 1) {
    throw new SaeError(dir, `holds ${checkpoints.length} checkpoints (${checkpoints.join(', ')}); pass the path of the one to load`);
  }
  const listed = [...files].sort();
  const has = listed.length === 0 ? 'is empty' : `has ${listed.slice(0, 10).join(', ')}${listed.length > 10 ? ', …' : ''}`;
  throw unknownLayout(dir, `holds no SAE in a layout Loupe reads (the folder ${has})`);
}

function unknownLayout(path: string, what: string): SaeError {
  return new SaeError(path, `${what}. Known layouts: ${KNOWN_SAE_LAYOUTS.join('; ')}`);
}
