import { FormatError } from '../formats/tensor.js';
import { isJsonObject } from '../formats/strict-json.js';
import { positiveNumber } from './config-keys.js';
import type { Json } from './config-keys.js';

/** How a rope's frequencies are rescaled for longer contexts (Hugging Face's rope_type). */
export type RopeScaling =
  | { type: 'linear'; factor: number }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number };

export interface RopeSpec {
  /** rope_theta, the base of the frequencies */
  theta: number;
  scaling?: RopeScaling;
}

/** Rotary position embeddings: the first `dim` values of every query and key head are rotated. */
export interface RotaryConfig {
  /** rotated values per head (dHead, or less with partial rotary) */
  dim: number;
  /** full-attention layers (all layers when `local` is absent) */
  global: RopeSpec;
  /** sliding-window layers, where they have their own base (Gemma 3's rope_local_base_freq) */
  local?: RopeSpec;
}

const ROPE_TYPES = ['default', 'linear', 'llama3'];

/**
 * One rope from a Hugging Face rope dict: transformers 4.x rope_scaling (`rope_type` or the older
 * `type`) or a 5.x rope_parameters entry (which also holds rope_theta).
 */
export function parseRopeSpec(theta: number, scaling: unknown, key: string, source: string): RopeSpec {
  if (scaling == null) return { theta };
  if (!isJsonObject(scaling)) throw new FormatError(source, `${key} must be an object or null, got ${JSON.stringify(scaling)}`);
  const type = scaling.rope_type ?? scaling.type ?? 'default';
  if (typeof type !== 'string' || !ROPE_TYPES.includes(type)) {
    throw new FormatError(source, `${key}.rope_type ${JSON.stringify(type)} is not supported: expected one of ${ROPE_TYPES.join(', ')}`);
  }
  if (type === 'default') return { theta };
  const factor = positiveNumber(scaling, 'factor', `${source} (${key})`, NaN);
  if (!(factor > 0)) throw new FormatError(source, `${key}.factor must be a positive number for rope_type "${type}"`);
  if (type === 'linear') return { theta, scaling: { type: 'linear', factor } };
  const num = (k: string) => {
    const v = positiveNumber(scaling, k, `${source} (${key})`, NaN);
    if (!(v > 0)) throw new FormatError(source, `${key}.${k} must be a positive number for rope_type "llama3"`);
    return v;
  };
  return {
    theta,
    scaling: {
      type: 'llama3',
      factor,
      lowFreqFactor: num('low_freq_factor'),
      highFreqFactor: num('high_freq_factor'),
      originalMaxPositions: num('original_max_position_embeddings'),
    },
  };
}

/** rope_theta of a dict that may hold it (5.x rope_parameters), else the fallback (4.x top level). */
export function ropeTheta(dict: Json | undefined, fallback: number, source: string): number {
  if (dict && dict.rope_theta != null) return positiveNumber(dict, 'rope_theta', source, fallback);
  return fallback;
}

/**
 * The rotation frequencies [dim / 2] as transformers computes them in float32:
 * 1 / theta^(2i / dim), then the rope type's rescaling.
 */
export function inverseFrequencies(dim: number, spec: RopeSpec): Float32Array {
  const f = Math.fround;
  const inv = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) inv[i] = f(1 / f(Math.pow(spec.theta, f((2 * i) / dim))));
  const s = spec.scaling;
  if (!s) return inv;
  if (s.type === 'linear') return inv.map((v) => v / s.factor);
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return inv.map((v) => {
    const wavelen = (2 * Math.PI) / v;
    if (wavelen < highWavelen) return v;
    if (wavelen > lowWavelen) return v / s.factor;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return (1 - smooth) * (v / s.factor) + smooth * v;
  });
}
