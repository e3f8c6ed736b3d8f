import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dictionaryLearningHookName } from '../../formats/sae-hook-names.js';
import { readTorchCheckpoint } from '../../formats/torch.js';
import type { CanonicalSae } from '../canonical.js';
import { SaeError, validateSae } from '../canonical.js';
import { DICTIONARY_CLASSES } from './dictionary-learning-classes.js';
import { badKey, optionalPositiveInt, optionalString, positiveInt, readJsonObject, verbatim } from './json-config.js';
import { isJsonObject } from '../../formats/strict-json.js';
import { mapSource } from './tensors.js';

export const DICTIONARY_WEIGHTS = 'ae.pt';
export const DICTIONARY_CONFIG = 'config.json';

/**
 * A saprmarks/dictionary_learning folder: ae.pt (the dictionary's state dict) + config.json, whose
 * "trainer" object names the dictionary class (dict_class), its widths (activation_dim, dict_size),
 * k, the model (lm_name) and the submodule it reads (submodule_name).
 */
export function readDictionaryLearning(dir: string): CanonicalSae {
  const cfgPath = join(dir, DICTIONARY_CONFIG);
  const weightsPath = join(dir, DICTIONARY_WEIGHTS);
  if (!existsSync(cfgPath)) {
    throw new SaeError(
      dir,
      `has ${DICTIONARY_WEIGHTS} but no ${DICTIONARY_CONFIG}; the config names the dictionary class, which the weights alone do not`,
    );
  }
  const cfg = readJsonObject(cfgPath);
  if (!isJsonObject(cfg.trainer)) throw badKey(cfgPath, 'trainer', cfg.trainer, 'an object with dict_class, activation_dim and dict_size');
  const trainer = cfg.trainer;
  const dictClass = optionalString(cfgPath, 'trainer.dict_class', trainer.dict_class);
  const read = dictClass === undefined ? undefined : DICTIONARY_CLASSES[dictClass];
  if (dictClass === undefined || read === undefined) {
    throw badKey(cfgPath, 'trainer.dict_class', trainer.dict_class, `one of ${Object.keys(DICTIONARY_CLASSES).join(', ')}`);
  }
  const dIn = positiveInt(cfgPath, 'trainer.activation_dim', trainer.activation_dim);
  const dSae = positiveInt(cfgPath, 'trainer.dict_size', trainer.dict_size);
  const configK = optionalPositiveInt(cfgPath, 'trainer.k', trainer.k);
  const src = mapSource(weightsPath, readTorchCheckpoint(weightsPath).tensors);
  const parts = read({ src, dIn, dSae, configK });
  const submodule = optionalString(cfgPath, 'trainer.submodule_name', trainer.submodule_name);
  const sae: CanonicalSae = {
    source: { path: dir, format: 'dictionary-learning' },
    dIn,
    dSae,
    ...parts,
    inputNorm: 'none',
    inputScale: 1,
    hookName: dictionaryLearningHookName(submodule ?? dir) ?? null,
    modelName: optionalString(cfgPath, 'trainer.lm_name', trainer.lm_name) ?? null,
    config: verbatim(cfg),
  };
  validateSae(sae);
  return sae;
}
