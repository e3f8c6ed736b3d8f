import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { peekTorchCheckpoint } from './discovery-peek.js';

/**
 * What is an SAE on disk, decided in one place: `loupe inspect` (discovery) and the SAE loaders
 * (native/sae/formats/load.ts) both ask this module, so a folder inspect lists as an SAE is one the
 * loaders read, in the same format, and the other way round. Only file names are looked at, except
 * for bare .pt/.pth files, which are SAEs only when their tensor names are openai/sparse_autoencoder's.
 */

export type SaeLayoutFormat = 'saelens' | 'sparsify' | 'llama-scope' | 'dictionary-learning' | 'gemma-scope' | 'openai';

export const SAE_LAYOUT_FILES = {
  saelens: { config: 'cfg.json', weights: 'sae_weights.safetensors' },
  sparsify: { config: 'cfg.json', weights: 'sae.safetensors' },
  llamaScope: { config: 'hyperparams.json', weights: join('checkpoints', 'final.safetensors') },
  dictionaryLearning: { config: 'config.json', weights: 'ae.pt' },
  gemmaScope: { weights: 'params.npz' },
} as const;

export interface SaeLayout {
  format: SaeLayoutFormat;
  /** the SAE's path: its folder, or the file itself for an openai .pt */
  path: string;
  /** the weights file */
  weights: string;
  /** the config file, where the layout has one */
  config?: string;
}

/** Files that stand for their folder: naming one names the SAE in that folder. */
export const SAE_FOLDER_FILES: ReadonlySet<string> = new Set([
  SAE_LAYOUT_FILES.saelens.config,
  SAE_LAYOUT_FILES.saelens.weights,
  SAE_LAYOUT_FILES.sparsify.weights,
  SAE_LAYOUT_FILES.llamaScope.config,
  SAE_LAYOUT_FILES.dictionaryLearning.weights,
  SAE_LAYOUT_FILES.dictionaryLearning.config,
  SAE_LAYOUT_FILES.gemmaScope.weights,
]);

/**
 * The SAEs in folder `dir`, whose plain files are `files`. One folder can hold several (a SAELens
 * and a sparsify SAE side by side, or many openai checkpoints); the order is the order in which a
 * loader given the folder tries them.
 */
export function saeLayoutsInFolder(dir: string, files: ReadonlySet<string>): SaeLayout[] {
  const f = SAE_LAYOUT_FILES;
  const out: SaeLayout[] = [];
  const add = (format: SaeLayoutFormat, weights: string, config?: string) =>
    out.push({ format, path: dir, weights: join(dir, weights), ...(config ? { config: join(dir, config) } : {}) });
  if (files.has(f.saelens.config) && files.has(f.saelens.weights)) add('saelens', f.saelens.weights, f.saelens.config);
  if (files.has(f.sparsify.config) && files.has(f.sparsify.weights)) add('sparsify', f.sparsify.weights, f.sparsify.config);
  if (files.has(f.llamaScope.config) && existsSync(join(dir, f.llamaScope.weights)))
    add('llama-scope', f.llamaScope.weights, f.llamaScope.config);
  if (files.has(f.dictionaryLearning.weights)) add('dictionary-learning', f.dictionaryLearning.weights, f.dictionaryLearning.config);
  if (files.has(f.gemmaScope.weights)) add('gemma-scope', f.gemmaScope.weights);
  for (const name of [...files].sort()) {
    if (!/\.pth?$/i.test(name) || name === f.dictionaryLearning.weights) continue;
    if (isOpenaiCheckpoint(join(dir, name))) out.push({ format: 'openai', path: join(dir, name), weights: join(dir, name) });
  }
  return out;
}

/** openai/sparse_autoencoder state dicts: encoder.weight, decoder.weight and latent_bias, read from the pickle alone. */
export function isOpenaiCheckpoint(path: string): boolean {
  try {
    const { shapes } = peekTorchCheckpoint(path);
    return (
      shapes.has('encoder.weight') && shapes.has('latent_bias') && (shapes.has('decoder.weight') || shapes.has('decoder.linear.weight'))
    );
  } catch {
    return false; // not a readable checkpoint, so not one we can call an SAE
  }
}
