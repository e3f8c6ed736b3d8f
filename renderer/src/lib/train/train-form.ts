/** The training form: its settings, the hooks and corpora it offers, and the checks before a job starts. */

export interface TrainSettings {
  hook: string;
  corpus: string;
  activation: 'topk' | 'relu';
  dSae: number;
  k: number;
  auxKCoefficient: number;
  l1: number;
  tokens: number;
  batchTokens: number;
  contextLength: number;
  /** null: the engine's default for the width */
  lr: number | null;
  seed: number;
  name: string;
}

/** TransformerLens hook points of each block, in the order a forward pass reaches them. */
const BLOCK_HOOKS = ['hook_resid_pre', 'hook_attn_out', 'hook_resid_mid', 'mlp.hook_post', 'hook_mlp_out', 'hook_resid_post'] as const;

/** Every hook a model of `nLayers` blocks offers, the hooks its SAEs already read first. */
export function modelHooks(nLayers: number, used: readonly string[]): string[] {
  const all = Array.from({ length: nLayers }, (_, l) => BLOCK_HOOKS.map((h) => `blocks.${l}.${h}`)).flat();
  return [...new Set([...used, ...all, 'ln_final.hook_normalized'])];
}

/** Corpus specs to offer (the built-in Brown and its parts; files are typed as text:, jsonl: or parquet:). */
export const CORPUS_SUGGESTIONS: readonly { spec: string; about: string }[] = [
  { spec: 'brown', about: 'all of Brown, 500 documents, with part-of-speech tags' },
  { spec: 'brown:news', about: 'Brown news' },
  { spec: 'brown:fiction', about: 'Brown general fiction' },
  { spec: 'brown:learned', about: 'Brown learned (academic) prose' },
  { spec: 'brown:news,fiction,science_fiction,romance,humor', about: 'the demo index slice' },
  { spec: 'text:/path/to/file.txt', about: 'a text file: documents separated by <|endoftext|> or blank lines' },
  { spec: 'jsonl:/path/to/file.jsonl#text', about: 'a JSONL file and the field holding text' },
  { spec: 'parquet:/path/to/file.parquet#text', about: 'a Parquet file and its text column' },
];

/** Gao et al. scale Adam's learning rate as 1/√latents: 2e-4 at 16,384 (the engine's default). */
export function defaultLearningRate(dSae: number): number {
  return 2e-4 * Math.sqrt(16384 / Math.max(1, dSae));
}

const positiveInt = (v: number) => Number.isInteger(v) && v >= 1;

/** The first thing wrong with the settings, as a sentence, or null. */
export function trainProblem(s: TrainSettings, model: { nCtx: number }): string | null {
  if (s.hook.trim() === '') return 'Name the hook to train on (e.g. blocks.0.hook_mlp_out).';
  if (s.corpus.trim() === '') return 'Name a corpus (e.g. brown).';
  if (!positiveInt(s.dSae)) return 'The width must be a positive whole number.';
  if (s.activation === 'topk' && (!positiveInt(s.k) || s.k > s.dSae)) return `k must be a whole number from 1 to the width (${s.dSae}).`;
  if (s.activation === 'topk' && !(s.auxKCoefficient >= 0)) return 'The AuxK coefficient must be 0 or more.';
  if (s.activation === 'relu' && !(s.l1 >= 0)) return 'The L1 coefficient must be 0 or more.';
  if (!positiveInt(s.batchTokens)) return 'The batch must be a positive whole number of tokens.';
  if (!positiveInt(s.tokens) || s.tokens < s.batchTokens)
    return `Train on at least one batch: ${s.batchTokens.toLocaleString('en-US')} tokens or more.`;
  if (!Number.isInteger(s.contextLength) || s.contextLength < 2) return 'A window holds at least 2 tokens (the BOS and one more).';
  if (s.contextLength > model.nCtx) return `The model reads at most ${model.nCtx} tokens: the context must be at most that.`;
  if (s.lr !== null && !(s.lr > 0 && s.lr <= 1)) return 'The learning rate must be above 0 and at most 1 (or empty for the default).';
  if (!Number.isInteger(s.seed) || s.seed < 0) return 'The seed must be a whole number, 0 or more.';
  if (s.name.trim() !== '' && !/^[a-z0-9_-]{1,64}$/.test(s.name.trim()))
    return 'The name may hold only a–z, 0–9, “-” and “_” (1 to 64 characters).';
  return null;
}
