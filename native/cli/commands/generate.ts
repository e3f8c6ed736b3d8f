import { existsSync } from 'node:fs';
import type { SteerResult } from '../../api/types.js';
import { loadTokenizer } from '../../formats/tokenizer.js';
import { prepareDecoder } from '../../models/decode.js';
import { loadTransformer } from '../../models/load.js';
import { documentStart, generate } from '../../prompt/generate.js';
import { runSteer } from '../../prompt/steer-service.js';
import type { SteerParams } from '../../prompt/steer-service.js';
import { loadSae } from '../../sae/formats/load.js';
import { integerFlag, numberFlag, parseFlags, requireFlag } from '../args.js';
import { CliError } from '../command.js';
import type { CliCommand } from '../command.js';
import { asUserError, providerFlag } from '../user-errors.js';

const usage = `Usage: loupe generate --model DIR --prompt TEXT [--sae PATH --feature F --clamp V | --add A | --ablate]
                      [--max-tokens N --temperature T --top-k K --top-p P --seed S] [--json]

Continues the prompt with a KV cache (each new token costs one position). With an SAE edit, prints
the clean and the steered continuation side by side (same seed), each steered token's probability
under both models, and the KL divergence between their next-token distributions at each step.

  --model DIR        a Hugging Face or TransformerLens model folder
  --prompt TEXT      the text to continue (a BOS is read first unless --no-bos)
  --sae PATH         an SAE on one of the model's hooks (SAELens, sparsify, OpenAI, Gemma Scope, dictionary_learning)
  --feature F        the feature to edit (0-based)
  --clamp V          set it to V at every position
  --add A            add A · W_dec[F]
  --ablate           remove it (clamp to 0)
  --drop-error       edit the SAE's reconstruction, dropping its error term (default: keep it)
  --from N           edit from prompt token N on (0-based; the prompt's length: generated tokens only)
  --max-tokens N     new tokens at most (default 32)
  --temperature T    0 is greedy (default); sampling uses --top-k, --top-p and --seed
  --no-eos-stop      do not stop at the end-of-text token
  --json             print the result as JSON
  --provider NAME    cpu (default), webgpu, cuda, dml or coreml`;

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'continue a prompt (greedy or sampled), clean and steered by an SAE feature side by side',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      model: { type: 'string' },
      prompt: { type: 'string' },
      sae: { type: 'string' },
      feature: { type: 'string' },
      clamp: { type: 'string' },
      add: { type: 'string' },
      ablate: { type: 'boolean', default: false },
      'drop-error': { type: 'boolean', default: false },
      from: { type: 'string' },
      'max-tokens': { type: 'string' },
      temperature: { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      seed: { type: 'string' },
      'no-bos': { type: 'boolean', default: false },
      'no-eos-stop': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      provider: { type: 'string', default: 'cpu' },
    });
    const modelPath = requireFlag(values, 'model');
    const prompt = requireFlag(values, 'prompt');
    if (!existsSync(modelPath)) throw new CliError(`--model ${modelPath}: no such folder`);
    const params: SteerParams = {
      prompt,
      edits: [],
      keepError: values['drop-error'] !== true,
      fromToken: integerFlag(values, 'from', 0),
      maxTokens: integerFlag(values, 'max-tokens', 32),
      temperature: numberFlag(values, 'temperature', 0),
      ...(values['top-k'] !== undefined ? { topK: integerFlag(values, 'top-k') } : {}),
      ...(values['top-p'] !== undefined ? { topP: numberFlag(values, 'top-p') } : {}),
      seed: integerFlag(values, 'seed', 0),
      prependBos: values['no-bos'] !== true,
      stopAtEos: values['no-eos-stop'] !== true,
    };
    if (params.maxTokens < 1) throw new CliError('--max-tokens must be at least 1', 2);
    const provider = providerFlag(String(values.provider));
    if (values.sae === undefined) {
      if (values.feature !== undefined || values.clamp !== undefined || values.add !== undefined || values.ablate)
        throw new CliError('--feature, --clamp, --add and --ablate need --sae', 2);
      return plain(modelPath, params, provider, values.json === true);
    }
    const edit = editOf(values);
    const result = await asUserError(async () => {
      const saePath = String(values.sae);
      const sae = loadSae(saePath);
      if (!sae.hookName) throw new CliError(`--sae ${saePath}: the SAE names no hook, so Loupe cannot tell where to edit`);
      if (edit.feature >= sae.dSae)
        throw new CliError(`--feature ${edit.feature} is out of range: ${saePath} has features 0..${sae.dSae - 1}`);
      const applied = {
        saeId: saePath,
        feature: edit.feature,
        hookName: sae.hookName,
        mode: edit.mode.kind,
        amount: edit.mode.kind === 'clamp' ? edit.mode.value : edit.mode.kind === 'add' ? edit.mode.coefficient : 0,
        label: '',
      } as const;
      const resolved = {
        modelId: modelPath,
        modelPath,
        saes: [{ saeId: saePath, path: saePath, hookName: sae.hookName, edits: [edit] }],
        applied: [applied],
      };
      return runSteer(resolved, params, { provider });
    });
    process.stdout.write(values.json === true ? `${JSON.stringify(result)}\n` : sideBySide(result));
    return 0;
  },
};

function editOf(values: Record<string, unknown>) {
  const feature = integerFlag(values, 'feature');
  const chosen = [values.clamp !== undefined, values.add !== undefined, values.ablate === true].filter(Boolean).length;
  if (chosen !== 1) throw new CliError('give exactly one of --clamp V, --add A or --ablate', 2);
  if (values.clamp !== undefined) return { feature, mode: { kind: 'clamp' as const, value: numberFlag(values, 'clamp') } };
  if (values.add !== undefined) return { feature, mode: { kind: 'add' as const, coefficient: numberFlag(values, 'add') } };
  return { feature, mode: { kind: 'ablate' as const } };
}

async function plain(modelPath: string, params: SteerParams, provider: ReturnType<typeof providerFlag>, json: boolean): Promise<number> {
  const out = await asUserError(async () => {
    const { weights, dir } = loadTransformer(modelPath);
    const tokenizer = await loadTokenizer(dir);
    const text = Array.from(tokenizer.encode(params.prompt).ids);
    if (text.length === 0) throw new CliError('--prompt has no tokens');
    const start = documentStart(tokenizer);
    const ids = params.prependBos && start !== undefined ? [start, ...text] : text;
    const decoder = await prepareDecoder(weights, {}, { provider });
    const eos = params.stopAtEos && tokenizer.eosId !== undefined ? { eosId: tokenizer.eosId } : {};
    const maxTokens = Math.min(params.maxTokens, weights.config.nCtx - ids.length);
    if (maxTokens < 1) throw new CliError(`the prompt's ${ids.length} tokens fill the model's context of ${weights.config.nCtx}`);
    const sampling = {
      temperature: params.temperature,
      ...(params.topK !== undefined ? { topK: params.topK } : {}),
      ...(params.topP !== undefined ? { topP: params.topP } : {}),
    };
    const g = await generate(decoder, ids, { maxTokens, seed: params.seed, ...sampling, ...eos });
    const tokens = g.tokens.map((t) => ({ id: t.id, text: tokenizer.tokenText(t.id), prob: Number(t.prob.toPrecision(6)) }));
    return { text: tokenizer.decode(g.tokens.map((t) => t.id)), stop: g.stop, tokens, provider: decoder.provider };
  });
  process.stdout.write(json ? `${JSON.stringify(out)}\n` : `${params.prompt}${out.text}\n(stop: ${out.stop})\n`);
  return 0;
}

function sideBySide(r: SteerResult): string {
  const edit = r.edits[0];
  const what = edit.mode === 'ablate' ? 'ablated' : edit.mode === 'clamp' ? `clamped to ${edit.amount}` : `+${edit.amount} · W_dec`;
  const rows = r.steps.map((s) => {
    const c = s.clean ? `${JSON.stringify(s.clean.text)} ${s.clean.prob.toFixed(3)}` : '';
    const st = s.steered ? `${JSON.stringify(s.steered.text)} ${s.steered.prob.toFixed(3)} (clean ${s.steered.cleanProb.toFixed(3)})` : '';
    return `${String(s.step).padStart(4)}  ${c.padEnd(28)}  ${st.padEnd(44)}  ${s.kl === null ? '' : s.kl.toFixed(4)}`;
  });
  return [
    `feature ${edit.feature} at ${edit.hookName}, ${what}, error term ${r.keepError ? 'kept' : 'dropped'}`,
    `clean:   ${JSON.stringify(r.clean.text)} (stop: ${r.clean.stop})`,
    `steered: ${JSON.stringify(r.steered.text)} (stop: ${r.steered.stop})`,
    '',
    `step  ${'clean token, p'.padEnd(28)}  ${'steered token, p (p under clean)'.padEnd(44)}  KL(steered‖clean)`,
    ...rows,
    ...r.notes,
    '',
  ].join('\n');
}
