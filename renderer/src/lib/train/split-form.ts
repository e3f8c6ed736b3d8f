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
  /** start the new latents from the feature's own tokens (tilted copies of it) rather than at random */
  newFromData: boolean;
  /** train only the feature and the new latents: every other copied latent stays the narrow SAE's */
  freezeOthers: boolean;
  /** fraction of training tokens drawn from the whole corpus, so the new latents learn where not to fire */
  background: number;
  corpus: string;
}

/** A training run's name: a-z, 0-9, "-" and "_" (train.start's rule), at most 64 characters. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'sae'
  );
}

/** The default threshold as a share of the feature's strongest activation in its index. */
export const THRESHOLD_SHARE = 0.25;

/**
 * Defaults of the feature-splitting recipe, as the feature-splitting study ran it and as measured on
 * the demo SAEs: the narrow SAE's latents copied as they are (not renormalised) and 16 new ones
 * started from the feature itself (copies of it, each tilted toward one of its tokens); trained on
 * the tokens where the feature is clearly on (above a quarter of its strongest activation; the study
 * found filtering by a threshold is what makes a split succeed), the feature kept (zeroing it did
 * not help), 256 steps of 4,096 tokens at the width's default learning rate. Only the feature and
 * its new latents train: trained on the feature's tokens alone, the other copied latents drift
 * toward it (on the demo, 130 of them ended with decoder cosine > 0.75 to it while firing anywhere),
 * so they stay the narrow SAE's own. Half of each batch is tokens of any kind, so a new latent that
 * also fires where the feature does not pays for it. On three clear features of the demo 512
 * ("ed" #257, "s" #89, "-" #49) this gives 11, 10 and 4 children with P(parent | child) ≥ 0.7 and
 * ≥ 20 firings under both measures, no dead new latent, in about 90 s end to end (bench/split.ts).
 * The model runs once over the corpus to find the tokens; every epoch reuses them.
 */
export function splitDefaults(
  sae: { id: string; dSae: number; k: number | null },
  index: number,
  stamp: string,
  parentMaxAct: number | null = null,
): SplitSettings {
  return {
    name: slug(`${sae.id}-f${index}-split-${stamp}`),
    dSae: sae.dSae + 16,
    k: sae.k ?? 32,
    tokens: 1_048_576,
    batchTokens: 4096,
    lr: null,
    threshold: defaultThreshold(parentMaxAct),
    initFrom: true,
    normalizeInit: false,
    zeroFeature: false,
    newFromData: true,
    freezeOthers: true,
    background: 0.5,
    corpus: 'brown',
  };
}

/** A quarter of the feature's strongest activation, to two decimals (0 when the index has none). */
export function defaultThreshold(parentMaxAct: number | null): number {
  return parentMaxAct !== null && parentMaxAct > 0 ? Math.round(THRESHOLD_SHARE * parentMaxAct * 100) / 100 : 0;
}

/** The first thing wrong with the settings, as a sentence, or null. */
export function splitProblem(s: SplitSettings, narrowDSae: number): string | null {
  if (!/^[a-z0-9_-]{1,64}$/.test(s.name)) return 'The name may hold only a–z, 0–9, “-” and “_” (1 to 64 characters).';
  if (!Number.isInteger(s.dSae) || s.dSae < 1) return 'The width must be a positive whole number.';
  if (s.initFrom && s.dSae < narrowDSae)
    return `Initialising from the narrow SAE copies its ${narrowDSae} latents: the width must be at least ${narrowDSae}.`;
  if (!Number.isInteger(s.k) || s.k < 1 || s.k > s.dSae) return `k must be a whole number from 1 to the width (${s.dSae}).`;
  if (!Number.isInteger(s.tokens) || s.tokens < s.batchTokens) return `Train on at least one batch (${s.batchTokens} tokens).`;
  if (!Number.isInteger(s.batchTokens) || s.batchTokens < 1) return 'The batch must be a positive whole number of tokens.';
  if (s.lr !== null && !(s.lr > 0 && s.lr <= 1)) return 'The learning rate must be above 0 and at most 1 (or empty for the default).';
  if (!Number.isFinite(s.threshold)) return 'The threshold must be a number.';
  if (!(s.background >= 0 && s.background <= 0.9)) return 'The share of other tokens must be from 0 to 0.9.';
  if (s.zeroFeature && !s.initFrom) return 'Zeroing the feature needs the new SAE initialised from the narrow one (it zeroes that latent).';
  if (s.newFromData && !s.initFrom) return 'Starting the new latents from the feature needs the new SAE initialised from the narrow one.';
  if (s.freezeOthers && !s.initFrom) return 'Keeping the other latents as they are needs the new SAE initialised from the narrow one.';
  if (s.freezeOthers && s.zeroFeature && s.dSae <= narrowDSae)
    return 'With the other latents kept and the feature zeroed, nothing would train: add new latents.';
  if (s.corpus.trim() === '') return 'Name a corpus (e.g. brown).';
  return null;
}
