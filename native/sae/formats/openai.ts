import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openaiHookName } from '../../formats/sae-hook-names.js';
import { readTorchCheckpoint } from '../../formats/torch.js';
import type { CanonicalSae, SaeActivation } from '../canonical.js';
import { SaeError, validateSae } from '../canonical.js';
import { optionalBool, optionalString, positiveInt, readJsonObject } from './json-config.js';
import { isJsonObject } from '../../formats/strict-json.js';
import type { JsonRecord } from './json-config.js';
import { firstPresent, mapSource, readChecked, shapeOf, transpose } from './tensors.js';

/**
 * An openai/sparse_autoencoder state dict (.pt): encoder.weight [d_sae, d_in], latent_bias [d_sae],
 * pre_bias [d_in], decoder.weight [d_in, d_sae] (a tied decoder saves decoder.linear.weight, the
 * encoder's own), stats buffers ignored. Autoencoder.encode is act((x − pre_bias)·Wᵀ + latent_bias),
 * decode latents·decoderᵀ + pre_bias. Autoencoder.from_state_dict reads the activation from the file's
 * "activation" entry ("TopK" with activation_state_dict.k, or "ReLU") and turns on its LayerNorm
 * preprocessing exactly when that entry is "TopK"; Loupe does the same (inputNorm 'layer-norm').
 * Files without the entry (bare state dicts) need k from a JSON sidecar (<stem>.json, NOTE.json,
 * config.json or cfg.json: {"k": 32, "normalize": false, "hook_name": ...}) or the file name (_k32).
 */
export function readOpenai(path: string): CanonicalSae {
  const { tensors, extra } = readTorchCheckpoint(path);
  const src = mapSource(path, tensors);
  const sidecar = readSidecar(path);
  const [dSae, dIn] = shapeOf(src, 'encoder.weight', ['d_sae', 'd_in']);
  const encoderWeight = readChecked(src, 'encoder.weight', [
    ['d_sae', dSae],
    ['d_in', dIn],
  ]);
  const decoderName = firstPresent(src, ['decoder.weight', 'decoder.linear.weight']) ?? 'decoder.weight';
  // decoder.weight is [d_in, d_sae]; a tied decoder is the encoder, already [d_sae, d_in].
  const wDec =
    decoderName === 'decoder.weight'
      ? transpose(
          readChecked(src, decoderName, [
            ['d_in', dIn],
            ['d_sae', dSae],
          ]),
          dIn,
          dSae,
        )
      : readChecked(src, decoderName, [
          ['d_sae', dSae],
          ['d_in', dIn],
        ]);
  const { activation, normalize } = activationOf(path, extra, sidecar.value, sidecar.path);
  const sae: CanonicalSae = {
    source: { path, format: 'openai' },
    dIn,
    dSae,
    wEnc: transpose(encoderWeight, dSae, dIn),
    bEnc: readChecked(src, 'latent_bias', [['d_sae', dSae]]),
    wDec,
    bDec: readChecked(src, 'pre_bias', [['d_in', dIn]]),
    activation,
    subtractDecoderBias: true,
    inputNorm: normalize ? 'layer-norm' : 'none',
    inputScale: 1,
    hookName: optionalString(sidecar.path, 'hook_name', sidecar.value.hook_name) ?? openaiHookName(path) ?? null,
    modelName: optionalString(sidecar.path, 'model_name', sidecar.value.model_name) ?? null,
    config: { ...plainExtra(extra), ...sidecar.value },
  };
  validateSae(sae);
  return sae;
}

function activationOf(
  path: string,
  extra: Record<string, unknown>,
  sidecar: JsonRecord,
  sidecarPath: string,
): { activation: SaeActivation; normalize: boolean } {
  const saved = extra.activation;
  const normalizeOverride = (fallback: boolean) => optionalBool(sidecarPath, 'normalize', sidecar.normalize, fallback);
  if (saved === 'TopK') {
    const postact = extra['activation_state_dict.postact_fn'] ?? 'ReLU';
    if (postact !== 'ReLU') throw new SaeError(path, `TopK activation has postact_fn "${String(postact)}"; Loupe reads ReLU only`);
    const k = toNumber(extra['activation_state_dict.k']) ?? sidecar.k;
    return { activation: { kind: 'topk', k: positiveInt(path, 'activation_state_dict.k', k) }, normalize: normalizeOverride(true) };
  }
  if (saved === 'ReLU') return { activation: { kind: 'relu' }, normalize: normalizeOverride(false) };
  if (saved !== undefined) throw new SaeError(path, `activation "${String(saved)}" is not supported; Loupe reads TopK and ReLU`);
  if (sidecar.k !== undefined)
    return { activation: { kind: 'topk', k: positiveInt(sidecarPath, 'k', sidecar.k) }, normalize: normalizeOverride(false) };
  const fromName = /(?:^|[^a-z0-9])k[_=-]?(\d+)(?![0-9])/i.exec(basename(path))?.[1];
  if (fromName !== undefined) return { activation: { kind: 'topk', k: Number(fromName) }, normalize: normalizeOverride(false) };
  if (typeof sidecar.activation === 'string' && sidecar.activation.toLowerCase() === 'relu') {
    return { activation: { kind: 'relu' }, normalize: normalizeOverride(false) };
  }
  throw new SaeError(
    path,
    'does not say its activation or k: the state dict has no "activation" entry, no sidecar gives "k", and the file name has no _k<N>. ' +
      `Add a NOTE.json or ${stem(path)}.json next to it with {"k": <N>} (or {"activation": "relu"})`,
  );
}

const SIDECARS = (file: string) => [`${stem(file)}.json`, 'NOTE.json', 'config.json', 'cfg.json'];

function stem(path: string): string {
  return basename(path).replace(/\.pth?$/, '');
}

function readSidecar(path: string): { path: string; value: JsonRecord } {
  const dir = dirname(path);
  const present = new Set(readdirSync(dir));
  const name = SIDECARS(path).find((f) => present.has(f));
  if (name === undefined) return { path: join(dir, 'NOTE.json'), value: {} };
  return { path: join(dir, name), value: readJsonObject(join(dir, name)) };
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'bigint') return Number(v);
  return typeof v === 'number' ? v : undefined;
}

/** Non-tensor entries of the state dict (activation name, k), JSON-safe for display. */
function plainExtra(extra: Record<string, unknown>): JsonRecord {
  const out: JsonRecord = {};
  for (const [k, v] of Object.entries(extra)) out[k] = typeof v === 'bigint' ? v.toString() : isJsonObject(v) ? { ...v } : v;
  return out;
}
