import { registerModel, registerSae } from '../../registry/catalog.js';
import { runIndex } from '../../index/indexer.js';
import { openWorkspace } from '../../store/workspace.js';
import { integerFlag, optionalIntegerFlag, parseFlags, requireFlag } from '../args.js';
import { progressPrinter, runInterruptible } from '../interruptible.js';
import { runtimeFlags, runtimeFlagSpec } from '../runtime-flags.js';
import { asUserError, asUserErrorSync } from '../user-errors.js';
import type { CliCommand } from '../command.js';

const usage = `Usage: loupe index --workspace DIR --model DIR --sae PATH --corpus SPEC --tokens N [--context N] [--hook H]

Registers the model and the SAE in the workspace (created if DIR is new or empty) and indexes the
SAE over the corpus: per-feature statistics, top and quantile examples, output tokens, neighbours.
An interrupted run (Ctrl-C, a crash) resumes at its last committed batch when run again.

  --workspace DIR    the Loupe workspace (loupe.db + artifacts/)
  --model DIR        Hugging Face (GPT-2, NeoX, Llama, Mistral, Qwen, Gemma) or TransformerLens folder with a tokenizer
  --sae PATH         the SAE, in any layout Loupe reads (SAELens, sparsify, openai, Gemma Scope, ...)
  --corpus SPEC      brown, brown:CATEGORY, text:FILE, jsonl:FILE[#field], parquet:FILE[#column]
  --tokens N         tokens to index (counted: each window starts with the model's BOS, which never counts)
  --context N        tokens per window (default 128)
  --provider NAME    cpu (default), webgpu, cuda, dml or coreml; falls back to cpu with a message
  --threads N        ONNX Runtime intra-op threads
  --hook H           the hook the SAE reads, when its files do not say (e.g. a Gemma Scope params.npz outside the hub layout)`;

export const indexCommand: CliCommand = {
  name: 'index',
  summary: 'index an SAE over a corpus into a workspace (statistics, examples, neighbours)',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      workspace: { type: 'string' },
      model: { type: 'string' },
      sae: { type: 'string' },
      corpus: { type: 'string' },
      tokens: { type: 'string' },
      context: { type: 'string' },
      hook: { type: 'string' },
      ...runtimeFlagSpec,
    });
    const workspace = requireFlag(values, 'workspace');
    const modelPath = requireFlag(values, 'model');
    const saePath = requireFlag(values, 'sae');
    const corpus = requireFlag(values, 'corpus');
    const tokens = integerFlag(values, 'tokens');
    const contextLength = optionalIntegerFlag(values, 'context');
    const { provider, threads } = runtimeFlags(values);
    // Held while indexing: a `loupe serve` (or another index) on this workspace is refused, and this
    // one is refused while the app holds it. Jobs left running by a dead holder are not this
    // command's to mark interrupted: the app says so when it next opens the workspace.
    const ws = asUserErrorSync(() => openWorkspace(workspace, { markInterrupted: false, lockAs: `loupe index --workspace ${workspace}` }));
    return runInterruptible(
      'index',
      'run the same command again to resume from the last committed batch',
      async (signal) => {
        const model = await asUserError(() => registerModel(ws, modelPath));
        const sae = asUserErrorSync(() =>
          registerSae(ws, saePath, model.id, undefined, typeof values.hook === 'string' ? values.hook : undefined),
        );
        process.stderr.write(`loupe index: model ${model.id} (${model.registration}), SAE ${sae.id} (${sae.registration})\n`);
        const onProgress = progressPrinter('index');
        const summary = await asUserError(() =>
          runIndex(ws, { saeId: sae.id, corpus, tokens, contextLength, provider, threads }, { signal, onProgress }),
        );
        process.stdout.write(`${JSON.stringify({ model: model.id, ...summary })}\n`);
        return 0;
      },
      () => ws.close(),
    );
  },
};
