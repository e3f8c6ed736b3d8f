import { FormatError, toFloat32 } from '../formats/tensor.js';
import type { HostTensor } from '../formats/tensor.js';
import type { TransformerConfig } from './config.js';

/** A row-major float32 tensor. */
export interface Tensor32 {
  shape: number[];
  data: Float32Array;
}

export interface LayerNormWeights {
  /** [dModel] */
  w: Tensor32;
  /** [dModel] */
  b: Tensor32;
}

export interface MlpWeights {
  /** [dModel, dMlp] */
  wIn: Tensor32;
  /** [dMlp] */
  bIn: Tensor32;
  /** [dMlp, dModel] */
  wOut: Tensor32;
  /** [dModel] */
  bOut: Tensor32;
  /** SoLU's LayerNorm after the activation, [dMlp] each */
  ln?: LayerNormWeights;
}

/** One block. LayerNorm weights are absent for LNPre and for no normalization. */
export interface LayerWeights {
  ln1?: LayerNormWeights;
  /** [dModel, 3 * nHeads * dHead]: columns are q | k | v, each head-major (head h at h * dHead) */
  wQkv: Tensor32;
  /** [3 * nHeads * dHead] */
  bQkv: Tensor32;
  /** [nHeads * dHead, dModel] */
  wO: Tensor32;
  /** [dModel] */
  bO: Tensor32;
  ln2?: LayerNormWeights;
  /** absent for attention-only models */
  mlp?: MlpWeights;
}

export interface UnembedWeights {
  /** [dModel, dVocab] for 'dModelByVocab'; [dVocab, dModel] for 'vocabByDModel' (tied to the embedding) */
  w: Tensor32;
  layout: 'dModelByVocab' | 'vocabByDModel';
  /** [dVocab] */
  b?: Tensor32;
}

/** The one in-memory transformer every family loads into. */
export interface TransformerWeights {
  config: TransformerConfig;
  /** [dVocab, dModel] */
  wE: Tensor32;
  /** [nCtx, dModel] */
  wPos: Tensor32;
  layers: LayerWeights[];
  lnFinal?: LayerNormWeights;
  unembed: UnembedWeights;
}

/** Named tensors from a weights file; `read` is called only for the tensors a model needs. */
export interface StateDict {
  source: string;
  has(name: string): boolean;
  read(name: string): HostTensor;
}

/** Reads a tensor as float32 and checks its shape, naming the tensor and both shapes when they differ. */
export function take(dict: StateDict, name: string, shape: readonly number[]): Tensor32 {
  if (!dict.has(name)) throw new FormatError(dict.source, `missing tensor "${name}" (expected shape [${shape.join(', ')}])`);
  const t = dict.read(name);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new FormatError(dict.source, `tensor "${name}" has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  return { shape: [...shape], data: toFloat32(t) };
}

/** Concatenates [rows, c_i] matrices along columns. */
export function concatColumns(parts: readonly Tensor32[]): Tensor32 {
  const rows = parts[0].shape[0];
  const cols = parts.reduce((s, p) => s + p.shape[1], 0);
  const out = new Float32Array(rows * cols);
  let offset = 0;
  for (const p of parts) {
    const c = p.shape[1];
    for (let r = 0; r < rows; r++) out.set(p.data.subarray(r * c, (r + 1) * c), r * cols + offset);
    offset += c;
  }
  return { shape: [rows, cols], data: out };
}

export function concat1d(parts: readonly Tensor32[]): Tensor32 {
  const out = new Float32Array(parts.reduce((s, p) => s + p.data.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p.data, offset);
    offset += p.data.length;
  }
  return { shape: [out.length], data: out };
}

export function sameValues(a: Tensor32, b: Tensor32): boolean {
  if (a.data.length !== b.data.length || a.shape.join() !== b.shape.join()) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
