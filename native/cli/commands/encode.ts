import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSafetensors, writeSafetensors } from '../../formats/safetensors.js';
import { FormatError, toFloat32 } from '../../formats/tensor.js';
import type { HostTensor } from '../../formats/tensor.js';
import type { CanonicalSae } from '../../sae/canonical.js';
import { describeNonFinite } from '../../sae/canonical.js';
import { prepareEncoder } from '../../sae/encode.js';
import { loadSae } from '../../sae/formats/load.js';
import { parseFlags, requireFlag } from '../args.js';
import { CliError } from '../command.js';
import { runtimeFlags, runtimeFlagSpec } from '../runtime-flags.js';
import type { CliCommand } from '../command.js';

const usage = `Usage: loupe encode --sae PATH --input F.safetensors [--key x] --out F.safetensors [--sparse]

Encodes the activations in F's tensor KEY (any float dtype, shape [..., d_in]; the leading
dimensions are flattened into n tokens) and writes "feature_acts" (float32 [n, d_sae]) and the
reconstruction "sae_out" (float32 [n, d_in]).

  --sae PATH        an SAE in any layout Loupe reads (SAELens, sparsify, openai, Gemma Scope, dictionary_learning)
  --input FILE      safetensors file holding the activations
  --key NAME        the tensor to encode (default x)
  --out FILE        safetensors file to write
  --sparse          TopK SAEs only: write "feature_indices" (int64 [n, k]) and "feature_values"
                    (float32 [n, k]) instead of the dense feature_acts
  --provider NAME   cpu (default), webgpu, cuda, dml or coreml; falls back to cpu with a message
  --threads N       ONNX Runtime intra-op threads (default: one per core)`;

const FLOAT_DTYPES = ['F32', 'F16', 'BF16', 'F64'];

export const encodeCommand: CliCommand = {
  name: 'encode',
  summary: 'encode activations with an SAE and write its features and reconstruction',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      sae: { type: 'string' },
      input: { type: 'string' },
      key: { type: 'string', default: 'x' },
      out: { type: 'string' },
      sparse: { type: 'boolean', default: false },
      ...runtimeFlagSpec,
    });
    const saePath = requireFlag(values, 'sae');
    const inputPath = requireFlag(values, 'input');
    const outPath = requireFlag(values, 'out');
    const key = requireFlag(values, 'key');
    const sparse = values.sparse === true;
    const { provider, threads } = runtimeFlags(values);
    if (!existsSync(dirname(outPath) || '.')) throw new CliError(`--out ${outPath}: the folder ${dirname(outPath)} does not exist`);

    const sae = readSae(saePath);
    if (sparse && sae.activation.kind !== 'topk') {
      throw new CliError(
        `--sparse needs a TopK SAE; ${saePath} has a ${sae.activation.kind} activation (leave out --sparse to write feature_acts)`,
      );
    }
    const x = readActivations(inputPath, key, sae);
    const encoder = await prepareEncoder(sae, { dense: !sparse, reconstruction: true, provider, intraOpNumThreads: threads || undefined });
    const result = await encoder.encode(x.data, x.nTokens);
    if (result.fallbackMessage) process.stderr.write(`loupe encode: ${result.fallbackMessage}\n`);

    const n = x.nTokens;
    const tensors: Record<string, HostTensor> = {};
    if (sparse) {
      const k = sae.activation.kind === 'topk' ? sae.activation.k : 0;
      tensors.feature_indices = { dtype: 'I64', shape: [n, k], data: result.indices! };
      tensors.feature_values = { dtype: 'F32', shape: [n, k], data: result.values! };
    } else {
      tensors.feature_acts = { dtype: 'F32', shape: [n, sae.dSae], data: result.featureActs! };
    }
    tensors.sae_out = { dtype: 'F32', shape: [n, sae.dIn], data: result.saeOut! };
    writeSafetensors(outPath, tensors);
    const written = Object.entries(tensors).map(([name, t]) => ({ name, shape: t.shape }));
    process.stdout.write(`${JSON.stringify({ out: outPath, sae: saePath, provider: result.provider, tokens: n, tensors: written })}\n`);
    return 0;
  },
};

function readSae(path: string): CanonicalSae {
  try {
    return loadSae(path);
  } catch (e) {
    if (e instanceof FormatError) throw new CliError(`cannot read the SAE: ${e.message}`);
    throw e;
  }
}

/** The tensor `key` as float32 [nTokens, dIn]: present, floating point, last dimension d_in, finite. */
export function readActivations(path: string, key: string, sae: CanonicalSae): { nTokens: number; data: Float32Array } {
  if (!existsSync(path)) throw new CliError(`--input ${path}: no such file`);
  const file = inputError(() => openSafetensors(path));
  try {
    const entry = file.entries.get(key);
    if (!entry) {
      const names = [...file.entries.keys()].sort();
      throw new CliError(
        `${path}: no "${key}" tensor (the file has ${names.length === 0 ? 'no tensors' : names.join(', ')}); choose one with --key`,
      );
    }
    const shape = `[${entry.shape.join(', ')}]`;
    if (!FLOAT_DTYPES.includes(entry.dtype))
      throw new CliError(`${path}: tensor "${key}" is ${entry.dtype}; expected a float tensor (${FLOAT_DTYPES.join(', ')})`);
    const dIn = entry.shape.at(-1);
    if (dIn !== sae.dIn) {
      const what = dIn === undefined ? 'is a scalar' : `has shape ${shape}, last dimension ${dIn}`;
      throw new CliError(`${path}: tensor "${key}" ${what}, but the SAE ${sae.source.path} reads d_in = ${sae.dIn} values per token`);
    }
    const data = toFloat32(inputError(() => file.read(key)));
    const bad = describeNonFinite(data, entry.shape);
    if (bad) throw new CliError(`${path}: tensor "${key}" has ${bad}; the SAE cannot encode non-finite activations`);
    return { nTokens: data.length / sae.dIn, data };
  } finally {
    file.close();
  }
}

function inputError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FormatError) throw new CliError(e.message);
    throw e;
  }
}
