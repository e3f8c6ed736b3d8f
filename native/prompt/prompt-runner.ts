import { loadTokenizer } from '../formats/tokenizer.js';
import type { Tokenizer } from '../formats/tokenizer.js';
import { prepareIndexPass } from '../sae/index-graph.js';
import type { IndexPass } from '../sae/index-graph.js';
import { loadTransformer } from '../models/load.js';
import { hookWidth } from '../models/hooks.js';
import type { SessionOptions } from '../onnx/ort.js';
import { assertHookWidth } from '../sae/canonical.js';
import { loadSae } from '../sae/formats/load.js';
import { resolveInputScale } from '../sae/input-scale.js';

/** What a prompt run needs of one SAE, kept between prompts: loading weights and building the session is the slow part. */
export interface PromptRunner {
  tokenizer: Tokenizer;
  /** the model's context, in tokens */
  nCtx: number;
  dVocab: number;
  /** the model forward to the SAE's hook and the SAE encode, as one graph */
  pass: IndexPass;
}

/** Where the weights are and what they are (the fingerprints name the content, so changed files load again). */
export interface RunnerSource {
  saeId: string;
  saePath: string;
  saeFingerprint: string;
  hookName: string;
  modelName: string;
  modelPath: string;
  modelFingerprint: string;
}

/** Loads the model (its weights live only until the session has them), tokenizer and SAE, and builds the session. */
export async function loadPromptRunner(source: RunnerSource, options: SessionOptions = {}): Promise<PromptRunner> {
  const { weights, dir } = loadTransformer(source.modelPath);
  const tokenizer = await loadTokenizer(dir);
  const loaded = loadSae(source.saePath);
  assertHookWidth(loaded, hookWidth(weights.config, source.hookName), source.modelName, source.hookName);
  const sae = await resolveInputScale(loaded, weights, tokenizer, source.hookName, options);
  const pass = await prepareIndexPass(weights, sae, source.hookName, options, { reconstructionError: true });
  return { tokenizer, nCtx: weights.config.nCtx, dVocab: weights.config.dVocab, pass };
}

/**
 * The few most recently used runners, by SAE and content. A second prompt on the same SAE reuses
 * the session; concurrent first prompts share one load; a failed load is forgotten so a fixed file
 * loads on the next try.
 */
export class PromptRunnerCache {
  readonly #entries = new Map<string, Promise<PromptRunner>>();

  constructor(
    readonly capacity = 3,
    readonly load: (source: RunnerSource) => Promise<PromptRunner> = (s) => loadPromptRunner(s),
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  has(source: RunnerSource): boolean {
    return this.#entries.has(cacheKey(source));
  }

  get(source: RunnerSource): Promise<PromptRunner> {
    const key = cacheKey(source);
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return entry;
    }
    entry = this.load(source);
    this.#entries.set(key, entry);
    entry.catch(() => {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
    });
    // Evicted sessions are not released here: a prompt may still be running on one; the binding frees it when collected.
    while (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as string);
    return entry;
  }
}

function cacheKey(s: RunnerSource): string {
  return JSON.stringify([s.saeId, s.saePath, s.saeFingerprint, s.hookName, s.modelPath, s.modelFingerprint]);
}
