import { basename, join } from 'node:path';
import { SPARSIFY_DEFAULTS, sparsifyK, sparsifyLatents } from '../../formats/sae-configs.js';
import type { ReadInt } from '../../formats/sae-configs.js';
import { sparsifyHookName, sparsifyTranscoderHooks } from '../../formats/sae-hook-names.js';
import type { CanonicalSae } from '../canonical.js';
import { SaeError, validateSae } from '../canonical.js';
import { badKey, optionalBool, optionalPositiveInt, optionalString, readJsonObject, verbatim } from './json-config.js';
import type { JsonRecord } from './json-config.js';
import { readChecked, safetensorsSource, transpose } from './tensors.js';

export const SPARSIFY_CONFIG = 'cfg.json';
export const SPARSIFY_WEIGHTS = 'sae.safetensors';

/**
 * An EleutherAI sparsify (formerly "sae") folder, one per hookpoint: cfg.json (k, num_latents or
 * expansion_factor, d_in) + sae.safetensors with encoder.weight [d_sae, d_in], encoder.bias,
 * W_dec [d_sae, d_in], b_dec. SparseCoder.encode computes TopK(ReLU((x − b_dec)·Wᵀ + b)), which selects
 * the same latents with the same values as ReLU after TopK. The folder name is the hookpoint.
 * Transcoders (transcode: true) skip the b_dec subtraction, read the module's input and predict its
 * output, optionally plus x · W_skipᵀ (W_skip [d_in, d_in], present with skip_connection).
 */
export function readSparsify(dir: string): CanonicalSae {
  const cfgPath = join(dir, SPARSIFY_CONFIG);
  const cfg = readJsonObject(cfgPath);
  refuseUnsupported(cfgPath, cfg);
  const src = safetensorsSource(join(dir, SPARSIFY_WEIGHTS));
  try {
    const transcode = optionalBool(cfgPath, 'transcode', cfg.transcode, false);
    if (src.shape('W_skip') !== undefined && !transcode)
      throw new SaeError(src.file, 'has W_skip but cfg.json "transcode" is not true: SAEs with a skip connection are not supported');
    // Configs older than the d_in key leave the width to encoder.weight.
    const dIn = optionalPositiveInt(cfgPath, 'd_in', cfg.d_in) ?? src.shape('encoder.weight')?.[1];
    if (dIn === undefined)
      throw badKey(cfgPath, 'd_in', cfg.d_in, 'a positive integer (and sae.safetensors has no encoder.weight to infer it from)');
    const readInt: ReadInt = (key, v) => optionalPositiveInt(cfgPath, key, v);
    const dSae = sparsifyLatents(cfg, dIn, readInt);
    const encoderWeight = readChecked(src, 'encoder.weight', [
      ['num_latents', dSae],
      ['d_in', dIn],
    ]);
    const hookpoint = basename(dir);
    const hooks = transcode ? transcoderHooks(cfgPath, hookpoint) : { input: sparsifyHookName(hookpoint) ?? null };
    const sae: CanonicalSae = {
      source: { path: dir, format: 'sparsify' },
      dIn,
      dSae,
      wEnc: transpose(encoderWeight, dSae, dIn),
      bEnc: readChecked(src, 'encoder.bias', [['num_latents', dSae]]),
      wDec: readChecked(
        src,
        'W_dec',
        [
          ['num_latents', dSae],
          ['d_in', dIn],
        ],
        ' (sparse coders saved without a decoder cannot reconstruct)',
      ),
      bDec: readChecked(src, 'b_dec', [['d_in', dIn]]),
      activation: { kind: 'topk', k: sparsifyK(cfg, readInt) },
      subtractDecoderBias: !transcode,
      inputNorm: 'none',
      inputScale: 1,
      hookName: hooks.input,
      ...('output' in hooks ? { outputHookName: hooks.output } : {}),
      ...(transcode && src.shape('W_skip') !== undefined
        ? {
            wSkip: transpose(
              readChecked(src, 'W_skip', [
                ['d_in', dIn],
                ['d_in', dIn],
              ]),
              dIn,
              dIn,
            ),
          }
        : {}),
      modelName: null,
      config: { ...verbatim(cfg), hookpoint },
    };
    validateSae(sae);
    return sae;
  } finally {
    src.close();
  }
}

function transcoderHooks(file: string, hookpoint: string): { input: string; output: string } {
  const hooks = sparsifyTranscoderHooks(hookpoint);
  if (hooks) return hooks;
  throw new SaeError(
    file,
    `is a transcoder on hookpoint "${hookpoint}" (the folder name); Loupe reads sparsify transcoders on MLPs ("layers.N.mlp"), whose input and output hooks it knows`,
  );
}

/** Variants whose forward pass is not encode/decode of one activation. */
function refuseUnsupported(file: string, cfg: JsonRecord): void {
  const activation = optionalString(file, 'activation', cfg.activation) ?? SPARSIFY_DEFAULTS.activation;
  if (activation !== 'topk') throw new SaeError(file, `"activation" is "${activation}"; Loupe reads sparsify's topk activation only`);
  const refused: [string, string][] = [
    ['skip_connection', 'SAEs with a skip connection are not supported'],
    ['embed_skip', 'SAEs with an embedding skip connection are not supported'],
    ['gram_lookup', 'SAEs with an n-gram lookup table are not supported'],
    ['signed', 'signed activations are not supported'],
  ];
  const transcode = optionalBool(file, 'transcode', cfg.transcode, false);
  for (const [key, why] of refused) {
    if (key === 'skip_connection' && transcode) continue; // a skip transcoder's W_skip
    if (optionalBool(file, key, cfg[key], false)) throw new SaeError(file, `"${key}" is true: ${why}`);
  }
}
