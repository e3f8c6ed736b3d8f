/** The "split this feature" form: defaults from the narrow SAE and checks before anything starts. */

export interface SplitSettings {
  name: string;
  dSae: number;
  k: number;
  tokens: number;
  batchTokens: number;
  /** null: the trainer's default for the width */
  lr: number | null;
  threshold: number;
  initFrom: boolean;
  normalizeInit: boolean;
  zeroFeature: boolean;
  corpus: string;
}

/** A training run's name: a-z, 0-9, "-" and "_" (train.start's rule), at most 64 characters. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'sae';
}

/**
 * Defaults of the feature-splitting recipe: the narrow SAE's latents copied and 64 new ones, its k,
 * trained on the tokens where the feature fires at all, with the feature itself zeroed so that the
 * new latents must take over what it did. A short run (64 steps) with a learning rate about four
 * times a full run's: on the demo SAEs the default rate leaves the new latents near their random
 * start after 64 steps, while 4e-3 turns a dozen of them towards the split feature.
 */
export function splitDefaults(sae: { id: string; dSae: number; k: number | null }, index: number, stamp: string): SplitSettings {
  return {
    name: slug(`${sae.id}-f${index}-split-${stamp}`),
    dSae: sae.dSae + 64,
    k: sae.k ?? 32,
    tokens: 16_384,
    batchTokens: 256,
    lr: 0.004,
    threshold: 0,
    initFrom: true,
    normalizeInit: false,
    zeroFeature: true,
    corpus: 'brown',
  };
}

/** The first thing wrong with the settings, as a sentence, or null. */
export function splitProblem(s: SplitSettings, narrowDSae: number): string | null {
  if (!/^[a-z0-9_-]{1,64}$/.test(s.name)) return 'The name may hold only a–z, 0–9, “-” and “_” (1 to 64 characters).';
  if (!Number.isInteger(s.dSae) || s.dSae < 1) return 'The width must be a positive whole number.';
  if (s.initFrom && s.dSae < narrowDSae) return `Initialising from the narrow SAE copies its ${narrowDSae} latents: the width must be at least ${narrowDSae}.`;
  if (!Number.isInteger(s.k) || s.k < 1 || s.k > s.dSae) return `k must be a whole number from 1 to the width (${s.dSae}).`;
  if (!Number.isInteger(s.tokens) || s.tokens < s.batchTokens) return `Train on at least one batch (${s.batchTokens} tokens).`;
  if (!Number.isInteger(s.batchTokens) || s.batchTokens < 1) return 'The batch must be a positive whole number of tokens.';
  if (s.lr !== null && !(s.lr > 0 && s.lr <= 1)) return 'The learning rate must be above 0 and at most 1 (or empty for the default).';
  if (!Number.isFinite(s.threshold)) return 'The threshold must be a number.';
  if (s.zeroFeature && !s.initFrom) return 'Zeroing the feature needs the new SAE initialised from the narrow one (it zeroes that latent).';
  if (s.corpus.trim() === '') return 'Name a corpus (e.g. brown).';
  return null;
}
