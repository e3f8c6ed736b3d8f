import { FormatError, toFloat32 } from '../formats/tensor.js';
import type { HostTensor } from '../formats/tensor.js';
import type { TransformerConfig } from './config.js';

/** A row-major float32 tensor. */
export interface Tensor32 {
  shape: number[];
  data: Float32Array;
}

/** A LayerNorm (w and b) or an RMSNorm (w only; Gemma's 1 + w is folded in when loading). */
export interface NormWeights {
  /** [width] */
  w: Tensor32;
  /** [width], LayerNorm only */
  b?: Tensor32;
}

/**
 * A projection. 'inOut' weights are [in, out] (GPT-2's Conv1D, TransformerLens): y = x·W + b.
 * 'outIn' weights are [out, in] as torch.nn.Linear stores them: y = x·Wᵀ + b, read in place.
 */
export interface Linear {
  w: Tensor32;
  layout: 'inOut' | 'outIn';
  /** [out] */
  b?: Tensor32;
}

export interface AttentionWeights {
  /** Queries, keys and values in one projection: outputs q (nHeads·dHead) | k | v (nKvHeads·dHead each), head-major. */
  qkv: Linear;
  /** nHeads·dHead -> dModel */
  o: Linear;
  /** QK-norm (Qwen 3, Gemma 3): RMSNorm over each head's dHead values, [dHead] */
  qNorm?: NormWeights;
  kNorm?: NormWeights;
}

export interface MlpWeights {
  /** dModel -> dMlp (the "up" projection of a gated MLP) */
  in: Linear;
  /** dModel -> dMlp, gated MLPs only: out(act(gate(x)) · in(x)) */
  gate?: Linear;
  /** dMlp -> dModel */
  out: Linear;
  /** SoLU's LayerNorm after the activation, [dMlp] each */
  ln?: NormWeights;
}

/** One block. Norm weights are absent for LNPre and for no normalization. */
export interface LayerWeights {
  ln1?: NormWeights;
  attn: AttentionWeights;
  /** Gemma's post-attention norm, applied before the residual add (sandwich norms) */
  ln1Post?: NormWeights;
  ln2?: NormWeights;
  /** absent for attention-only models */
  mlp?: MlpWeights;
  /** Gemma's post-feed-forward norm */
  ln2Post?: NormWeights;
}

export interface UnembedWeights {
  /** [dModel, dVocab] for 'dModelByVocab'; [dVocab, dModel] for 'vocabByDModel' (tied to the embedding, or an lm_head) */
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
  /** [nCtx, dModel]; absent for rotary models */
  wPos?: Tensor32;
  layers: LayerWeights[];
  lnFinal?: NormWeights;
  unembed: UnembedWeights;
}

/** Named tensors from a weights file; `read` is called only for the tensors a model needs. */
export interface StateDict {
  source: string;
  has(name: string): boolean;
  read(name: string): HostTensor;
  /** The tensor's shape without reading it, where the file can tell. */
  shape?(name: string): readonly number[] | undefined;
  /**
   * Decodes the tensor as float32 into `out` at `offset`, a slice at a time, so a bf16 tensor is never
   * held twice (raw and decoded) in memory. Files that cannot stream fall back to `read`.
   */
  readFloat32Into?(name: string, out: Float32Array, offset: number): void;
}

function checkShape(dict: StateDict, name: string, got: readonly number[], shape: readonly number[]): void {
  if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
    throw new FormatError(dict.source, `tensor "${name}" has shape [${got.join(', ')}], expected [${shape.join(', ')}]`);
  }
}

/** Reads a tensor as float32 and checks its shape, naming the tensor and both shapes when they differ. */
export function take(dict: StateDict, name: string, shape: readonly number[]): Tensor32 {
  if (!dict.has(name)) throw new FormatError(dict.source, `missing tensor "${name}" (expected shape [${shape.join(', ')}])`);
  const known = dict.shape?.(name);
  if (known && dict.readFloat32Into) {
    checkShape(dict, name, known, shape);
    const data = new Float32Array(known.reduce((a, b) => a * b, 1));
    dict.readFloat32Into(name, data, 0);
    return { shape: [...shape], data };
  }
  const t = dict.read(name);
  checkShape(dict, name, t.shape, shape);
  return { shape: [...shape], data: toFloat32(t) };
}

/**
 * Tensors stacked along their first axis into one new array (q | k | v rows of [out, in] weights,
 * gate | up), each decoded straight into its place.
 */
export function takeStacked(dict: StateDict, parts: readonly { name: string; shape: readonly number[] }[]): Tensor32 {
  const rest = parts[0].shape.slice(1);
  const rows = parts.reduce((n, p) => n + p.shape[0], 0);
  const out = new Float32Array(rows * rest.reduce((a, b) => a * b, 1));
  let offset = 0;
  for (const { name, shape } of parts) {
    if (!dict.has(name)) throw new FormatError(dict.source, `missing tensor "${name}" (expected shape [${shape.join(', ')}])`);
    const known = dict.shape?.(name);
    if (known && dict.readFloat32Into) {
      checkShape(dict, name, known, shape);
      dict.readFloat32Into(name, out, offset);
    } else {
      const t = dict.read(name);
      checkShape(dict, name, t.shape, shape);
      out.set(toFloat32(t), offset);
    }
    offset += shape.reduce((a, b) => a * b, 1);
  }
  return { shape: [rows, ...rest], data: out };
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

/** Bytes of float32 weights the model holds, each shared array counted once. */
export function weightBytes(model: TransformerWeights): number {
  const seen = new Set<Float32Array>();
  const add = (t: Tensor32 | undefined) => t && seen.add(t.data);
  const norm = (n: NormWeights | undefined) => (add(n?.w), add(n?.b));
  const linear = (l: Linear | undefined) => (add(l?.w), add(l?.b));
  add(model.wE);
  add(model.wPos);
  for (const layer of model.layers) {
    norm(layer.ln1);
    norm(layer.ln1Post);
    norm(layer.ln2);
    norm(layer.ln2Post);
    linear(layer.attn.qkv);
    linear(layer.attn.o);
    norm(layer.attn.qNorm);
    norm(layer.attn.kNorm);
    linear(layer.mlp?.in);
    linear(layer.mlp?.gate);
    linear(layer.mlp?.out);
    norm(layer.mlp?.ln);
  }
  norm(model.lnFinal);
  add(model.unembed.w);
  add(model.unembed.b);
  let bytes = 0;
  for (const d of seen) bytes += d.byteLength;
  return bytes;
}
