import { existsSync, readdirSync } from 'node:fs';
import { runTraining } from '../../sae/train/run-training.js';
import type { TrainingConfig } from '../../sae/train/run-training.js';
import type { TrainProgress } from '../../sae/train/trainer.js';
import { integerFlag, numberFlag, optionalIntegerFlag, parseFlags, requireFlag } from '../args.js';
import { throttle } from '../interruptible.js';
import { runtimeFlags, runtimeFlagSpec } from '../runtime-flags.js';
import { asUserError } from '../user-errors.js';
import { CliError } from '../command.js';
import type { CliCommand } from '../command.js';

const usage = `Usage: loupe train --model DIR --hook H --corpus SPEC --d-sae N --k K --tokens N --out DIR
                   [--init-from SAE --filter-feature F --threshold T [--new-latents data] [--freeze-others]
                    [--zero-feature] [--normalize-init] [--background B]]

Trains an SAE on the model's activations at hook H over a corpus (TopK with AuxK by default, the
recipe of Gao et al. 2024) and writes it to DIR in SAELens format with training_log.json. A run
interrupted or cancelled resumes from DIR/checkpoint when started again with the same flags.

  --model DIR          Hugging Face (GPT-2, NeoX, Llama, Mistral, Qwen, Gemma) or TransformerLens folder with a tokenizer
  --hook H             TransformerLens hook name, e.g. blocks.0.hook_mlp_out
  --corpus SPEC        brown, brown:CATEGORY, text:FILE, jsonl:FILE[#field], parquet:FILE[#column]
  --d-sae N            latents
  --k K                active latents per token (TopK)
  --activation A       topk (default) or relu (L1 weighted by decoder norms; needs --l1)
  --l1 L               L1 coefficient for --activation relu
  --tokens N           training tokens, drawn uniformly from the whole corpus (looped in fresh orders if shorter)
  --batch N            tokens per step (default 4096)
  --context N          tokens per window (default 128)
  --lr X               Adam learning rate (default 2e-4 · sqrt(16384 / d_sae))
  --auxk-coef X        AuxK loss coefficient (default 1/32; 0 turns it off)
  --seed N             initialisation and shuffle seed (default 0)
  --init-from SAE      initialise the first latents from this (narrower) SAE
  --normalize-init     rescale those latents' decoder rows to unit norm (encoder rescaled to match)
  --new-latents M      random (default) or data: start the latents beyond --init-from's from sample rows:
                       splitting F, as copies of F each tilted toward one of F's tokens; otherwise
                       along what --init-from leaves unexplained there
  --freeze-others      with --filter-feature F and --init-from the same SAE: train only F and the new
                       latents; every other copied latent and b_dec stay exactly the narrow SAE's
  --dead-batches N     batches without firing before a latent is dead and gets the AuxK loss
  --filter-feature F   train only on tokens where feature F of the --filter-sae (default: --init-from) fires
                       (the model runs once over the corpus; epochs reuse the kept activations)
  --filter-sae SAE     the SAE whose feature filters the tokens
  --threshold T        ... above T (default 0)
  --background B       with --filter-feature: mix in tokens of any kind as this fraction of the training rows (default 0)
  --zero-feature       hold latent F at zero in the new SAE, so other latents must take over its tokens
  --out DIR            where the SAE goes (created; must be empty or hold this run's checkpoint)
  --provider NAME      cpu (default), webgpu, cuda, dml or coreml; falls back to cpu with a message
  --threads N          ONNX Runtime intra-op threads`;

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'train a TopK or ReLU SAE on a model over a corpus (SAELens format out)',
  usage,
  async run(argv) {
    const config = parseTrainFlags(argv);
    const started = performance.now();
    const due = throttle();
    const outcome = await asUserError(() =>
      runTraining(config, {
        onProgress: (p) => {
          if (!due() && p.step < p.steps) return;
          process.stderr.write(`${progressLine(p, (performance.now() - started) / 1000)}\n`);
        },
        onWarning: (m) => process.stderr.write(`loupe train: ${m}\n`),
        onScan: ({ tokens, kept, filtering }) => {
          if (!due()) return;
          process.stderr.write(
            filtering
              ? `reading the corpus through the filter: ${tokens.toLocaleString('en-US')} tokens, ${kept.toLocaleString('en-US')} kept\n`
              : `sampling the corpus: ${tokens.toLocaleString('en-US')} tokens read\n`,
          );
        },
      }),
    );
    if (outcome.fallbackMessage) process.stderr.write(`loupe train: ${outcome.fallbackMessage}\n`);
    if (outcome.data.invalidUtf8 > 0)
      process.stderr.write(`loupe train: replaced ${outcome.data.invalidUtf8} invalid UTF-8 sequences in the corpus\n`);
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
    return 0;
  },
};

function parseTrainFlags(argv: string[]): TrainingConfig {
  const { values } = parseFlags(argv, {
    model: { type: 'string' },
    hook: { type: 'string' },
    corpus: { type: 'string' },
    'd-sae': { type: 'string' },
    k: { type: 'string' },
    activation: { type: 'string', default: 'topk' },
    l1: { type: 'string' },
    tokens: { type: 'string' },
    batch: { type: 'string' },
    context: { type: 'string' },
    lr: { type: 'string' },
    'auxk-coef': { type: 'string' },
    seed: { type: 'string' },
    'init-from': { type: 'string' },
    'normalize-init': { type: 'boolean', default: false },
    'filter-feature': { type: 'string' },
    'filter-sae': { type: 'string' },
    threshold: { type: 'string' },
    'zero-feature': { type: 'boolean', default: false },
    out: { type: 'string' },
    ...runtimeFlagSpec,
    'new-latents': { type: 'string', default: 'random' },
    'dead-batches': { type: 'string' },
    background: { type: 'string' },
    'freeze-others': { type: 'boolean', default: false },
  });
  const out = requireFlag(values, 'out');
  if (existsSync(out) && readdirSync(out).some((f) => f !== 'checkpoint')) {
    throw new CliError(`--out ${out} already holds files; choose an empty or new folder`, 2);
  }
  const kind = String(values.activation);
  if (kind !== 'topk' && kind !== 'relu') throw new CliError(`--activation must be topk or relu, got "${kind}"`, 2);
  const activation: TrainingConfig['activation'] =
    kind === 'topk'
      ? { kind: 'topk', k: integerFlag(values, 'k'), auxKCoefficient: numberFlag(values, 'auxk-coef', 1 / 32) }
      : { kind: 'relu', l1Coefficient: numberFlag(values, 'l1') };
  const filterFeature = optionalIntegerFlag(values, 'filter-feature');
  const filterSae = (values['filter-sae'] as string | undefined) ?? (values['init-from'] as string | undefined);
  if (filterFeature !== undefined && !filterSae)
    throw new CliError('--filter-feature needs --filter-sae or --init-from (the SAE whose feature filters the tokens)', 2);
  if (values.threshold !== undefined && filterFeature === undefined) throw new CliError('--threshold needs --filter-feature', 2);
  if (values.background !== undefined && filterFeature === undefined) throw new CliError('--background needs --filter-feature', 2);
  const newLatents = String(values['new-latents']);
  if (newLatents !== 'random' && newLatents !== 'data') throw new CliError(`--new-latents must be random or data, got "${newLatents}"`, 2);
  if (newLatents === 'data' && values['init-from'] === undefined)
    throw new CliError('--new-latents data needs --init-from (the latents beyond its own start from the data)', 2);
  try {
    return {
      model: requireFlag(values, 'model'),
      hook: requireFlag(values, 'hook'),
      corpus: requireFlag(values, 'corpus'),
      dSae: integerFlag(values, 'd-sae'),
      activation,
      tokens: integerFlag(values, 'tokens'),
      out,
      batchTokens: optionalIntegerFlag(values, 'batch'),
      contextLength: optionalIntegerFlag(values, 'context'),
      lr: values.lr === undefined ? undefined : numberFlag(values, 'lr'),
      seed: optionalIntegerFlag(values, 'seed'),
      initFrom: values['init-from'] as string | undefined,
      normalizeInitFrom: values['normalize-init'] === true,
      ...(filterFeature !== undefined && filterSae
        ? {
            filter: {
              sae: filterSae,
              feature: filterFeature,
              threshold: numberFlag(values, 'threshold', 0),
              background: numberFlag(values, 'background', 0),
            },
          }
        : {}),
      zeroFilterFeature: values['zero-feature'] === true,
      newLatents,
      deadBatches: optionalIntegerFlag(values, 'dead-batches'),
      freezeOthers: values['freeze-others'] === true,
      ...runtimeFlags(values),
    };
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError((e as Error).message, 2);
  }
}

function progressLine(p: TrainProgress, seconds: number): string {
  const pct = (100 * p.step) / p.steps;
  return `step ${p.step}/${p.steps} (${pct.toFixed(0)}%)  tokens ${p.tokensSeen.toLocaleString('en-US')}  loss ${p.loss.toFixed(4)}  nmse ${p.nmse.toFixed(4)}  L0 ${p.l0.toFixed(1)}  dead ${(100 * p.deadFraction).toFixed(1)}%  ${Math.round(p.tokensSeen / seconds).toLocaleString('en-US')} tok/s`;
}
