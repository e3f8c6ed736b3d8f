import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSafetensors, writeSafetensors } from '../../formats/safetensors.js';
import type { HostTensor } from '../../formats/tensor.js';
import { runForward } from '../../models/forward.js';
import type { TokenIds } from '../../models/forward.js';
import { loadTransformer } from '../../models/load.js';
import { parseFlags, requireFlag } from '../args.js';
import { runtimeFlags, runtimeFlagSpec } from '../runtime-flags.js';
import { asUserError } from '../user-errors.js';
import { CliError } from '../command.js';
import type { CliCommand } from '../command.js';

const usage = `Usage: loupe run --model DIR --ids F.safetensors --hooks H1,H2 [--logits] --out F.safetensors

Runs the model on the token ids in F's "input_ids" (int64 [batch, seq]) and writes one float32
tensor per hook, named by the hook, plus "logits" with --logits.

  --model DIR       a Hugging Face folder (GPT-2, GPT-NeoX/Pythia, Llama, Mistral, Qwen 2/3, Gemma 2/3)
                    or a TransformerLens one (config.json + state dict)
  --ids FILE        safetensors file holding input_ids
  --hooks LIST      comma-separated TransformerLens hook names, e.g. blocks.0.hook_resid_post,
                    blocks.0.attn.hook_z [batch, seq, head, d_head], blocks.0.attn.hook_pattern
  --logits          also write the logits
  --out FILE        safetensors file to write
  --provider NAME   cpu (default), webgpu, cuda, dml or coreml; falls back to cpu with a message
  --threads N       ONNX Runtime intra-op threads (default: one per core)`;

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run a model on token ids and write hook activations and logits',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      model: { type: 'string' },
      ids: { type: 'string' },
      hooks: { type: 'string', default: '' },
      logits: { type: 'boolean', default: false },
      out: { type: 'string' },
      ...runtimeFlagSpec,
    });
    const modelPath = requireFlag(values, 'model');
    const idsPath = requireFlag(values, 'ids');
    const outPath = requireFlag(values, 'out');
    const hooks = String(values.hooks)
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h.length > 0);
    const logits = values.logits === true;
    if (hooks.length === 0 && !logits) throw new CliError('nothing to compute: give --hooks, --logits or both', 2);
    const { provider, threads } = runtimeFlags(values);
    if (!existsSync(dirname(outPath) || '.')) throw new CliError(`--out ${outPath}: the folder ${dirname(outPath)} does not exist`);

    const result = await asUserError(async () => {
      const ids = readInputIds(idsPath);
      const { weights } = loadTransformer(modelPath);
      return runForward(weights, ids, { hooks, logits }, { provider, intraOpNumThreads: threads || undefined });
    });
    if (result.fallbackMessage) process.stderr.write(`loupe run: ${result.fallbackMessage}\n`);
    const tensors: Record<string, HostTensor> = {};
    for (const [name, t] of result.outputs) tensors[name] = { dtype: 'F32', shape: t.shape, data: t.data };
    writeSafetensors(outPath, tensors);
    const written = [...result.outputs].map(([name, t]) => ({ name, shape: t.shape }));
    process.stdout.write(`${JSON.stringify({ out: outPath, provider: result.provider, tensors: written })}\n`);
    return 0;
  },
};

/** input_ids from a safetensors file: present, int64, [batch, seq]. */
export function readInputIds(path: string): TokenIds {
  if (!existsSync(path)) throw new CliError(`--ids ${path}: no such file`);
  const file = openSafetensors(path);
  try {
    const entry = file.entries.get('input_ids');
    if (!entry) {
      const names = [...file.entries.keys()];
      throw new CliError(`${path}: no "input_ids" tensor (the file has ${names.length === 0 ? 'no tensors' : names.join(', ')})`);
    }
    if (entry.dtype !== 'I64') throw new CliError(`${path}: input_ids must be int64 (I64), got ${entry.dtype}`);
    if (entry.shape.length !== 2) throw new CliError(`${path}: input_ids must be 2-D [batch, seq], got shape [${entry.shape.join(', ')}]`);
    const t = file.read('input_ids');
    return { dims: t.shape, data: t.data as BigInt64Array };
  } finally {
    file.close();
  }
}
