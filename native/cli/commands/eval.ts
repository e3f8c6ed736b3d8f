import { existsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadTokenizer } from '../../formats/tokenizer.js';
import { openCorpus } from '../../corpus/open.js';
import { tokenWindows } from '../../corpus/windows.js';
import { loadTransformer } from '../../models/load.js';
import { loadSae } from '../../sae/formats/load.js';
import { resolveInputScale } from '../../sae/input-scale.js';
import { evalHook, evaluateSae } from '../../sae/eval/evaluate.js';
import { formatEvalReport } from '../../sae/eval/report.js';
import { integerFlag, parseFlags, requireFlag } from '../args.js';
import { runtimeFlags, runtimeFlagSpec } from '../runtime-flags.js';
import { asUserError } from '../user-errors.js';
import { CliError } from '../command.js';
import type { CliCommand } from '../command.js';

const usage = `Usage: loupe eval --model DIR --sae PATH --corpus SPEC --tokens N [--hook H] [--context 128] [--out report.json]

Evaluates an SAE on a model's activations over N tokens of a corpus and prints a table: FVU
(normalised MSE), L0, dead and dense latents, next-token loss clean / with the SAE spliced in /
with the hook zero-ablated (loss recovered, delta loss), ablation sparsity (Gao et al. 2024 §4.5),
and each decoder row's max cosine to the others next to random directions.

  --model DIR             a Hugging Face folder (GPT-2, NeoX, Llama, Mistral, Qwen, Gemma) or a TransformerLens one, with its tokenizer
  --sae PATH              an SAE folder or file (SAELens, sparsify, openai, Gemma Scope, dictionary_learning)
  --corpus SPEC           brown, brown:SELECTION, text:PATH, jsonl:PATH[#FIELD], parquet:PATH[#COLUMN]
  --tokens N              tokens to evaluate on (counted: each window starts with the model's BOS, which never counts)
  --hook H                the model hook the SAE reads (default: the SAE's hook_name)
  --context N             tokens per window (default 128)
  --out FILE              also write the report as JSON
  --batch N               windows per forward pass (default 8)
  --ablation-latents N    latents sampled for ablation sparsity (default 32; 0 skips it)
  --seed N                seed for the latent sample and the random directions (default 0)
  --provider NAME         cpu (default), webgpu, cuda, dml or coreml; falls back to cpu with a message
  --threads N             ONNX Runtime intra-op threads (default: one per core)`;

export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'evaluate an SAE: reconstruction, sparsity, loss recovered, ablation sparsity, decoder cosines',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      model: { type: 'string' },
      sae: { type: 'string' },
      corpus: { type: 'string' },
      tokens: { type: 'string' },
      hook: { type: 'string' },
      context: { type: 'string' },
      out: { type: 'string' },
      batch: { type: 'string' },
      'ablation-latents': { type: 'string' },
      seed: { type: 'string' },
      ...runtimeFlagSpec,
    });
    const modelPath = requireFlag(values, 'model');
    const saePath = requireFlag(values, 'sae');
    const corpusSpec = requireFlag(values, 'corpus');
    const tokens = integerFlag(values, 'tokens');
    const context = integerFlag(values, 'context', 128);
    const batchSize = integerFlag(values, 'batch', 8);
    const latents = integerFlag(values, 'ablation-latents', 32);
    const seed = integerFlag(values, 'seed', 0);
    const { provider, threads } = runtimeFlags(values);
    const out = typeof values.out === 'string' ? values.out : undefined;
    if (context < 2) throw new CliError(`--context must be at least 2 (a window needs a next token to predict), got ${context}`, 2);
    if (tokens < context) throw new CliError(`--tokens ${tokens} is less than one window of --context ${context} tokens`, 2);
    if (batchSize < 1) throw new CliError('--batch must be at least 1', 2);
    if (out !== undefined && !existsSync(dirname(out) || '.'))
      throw new CliError(`--out ${out}: the folder ${dirname(out)} does not exist`);

    const report = await asUserError(async () => {
      const { weights, dir } = loadTransformer(modelPath);
      const loaded = loadSae(saePath);
      const hook = evalHook(loaded, typeof values.hook === 'string' ? values.hook : undefined);
      if (context > weights.config.nCtx)
        throw new CliError(`--context ${context} exceeds the model's context of ${weights.config.nCtx} tokens (n_ctx)`);
      const tokenizer = await loadTokenizer(dir);
      const sae = await resolveInputScale(loaded, weights, tokenizer, hook);
      const corpus = openCorpus(corpusSpec);
      const windows = tokenWindows(corpus, tokenizer, { contextLength: context, maxTokens: tokens });
      const ablation = latents === 0 ? (false as const) : { latents, seed };
      // Progress only on a terminal: a redirected stderr stays clean for scripts.
      const onProgress = process.stderr.isTTY
        ? (done: number) => process.stderr.write(`\rloupe eval: ${done} / ${tokens} tokens`)
        : undefined;
      const options = {
        hook,
        modelName: modelPath,
        batchSize,
        ablation,
        cosines: { seed },
        provider,
        intraOpNumThreads: threads || undefined,
        onProgress,
      };
      return { ...(await evaluateSae(weights, sae, windows, options)), corpus: corpus.spec };
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (report.fallbackMessage) process.stderr.write(`loupe eval: ${report.fallbackMessage}\n`);
    process.stdout.write(formatEvalReport(report));
    if (out !== undefined) {
      writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(`\nreport written to ${out}\n`);
    }
    return 0;
  },
};
