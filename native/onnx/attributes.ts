import onnxProto from 'onnx-proto';
import { tensorProto } from './tensor-proto.js';
import type { GraphTensor } from './tensor-proto.js';

const { onnx } = onnxProto;
const AttributeType = onnx.AttributeProto.AttributeType;

/** A float attribute whose value happens to be whole (a bare `1` would be encoded as an int). */
export interface FloatAttr {
  kind: 'float';
  value: number;
}

export interface FloatsAttr {
  kind: 'floats';
  values: readonly number[];
}

/**
 * An attribute value: integers become INT/INTS, other numbers FLOAT/FLOATS, strings STRING, tensors
 * TENSOR. Use `float()`/`floats()` for a float attribute that holds whole numbers.
 */
export type AttrValue = number | readonly number[] | string | GraphTensor | FloatAttr | FloatsAttr;
export type Attrs = Readonly<Record<string, AttrValue>>;

export function float(value: number): FloatAttr {
  return { kind: 'float', value };
}

export function floats(values: readonly number[]): FloatsAttr {
  return { kind: 'floats', values };
}

export function attributeProto(name: string, value: AttrValue): onnxProto.onnx.IAttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`attribute "${name}": ${value} is not a finite number`);
    return Number.isInteger(value) ? { name, type: AttributeType.INT, i: value } : { name, type: AttributeType.FLOAT, f: value };
  }
  if (isNumberArray(value)) {
    return value.every((v) => Number.isInteger(v))
      ? { name, type: AttributeType.INTS, ints: [...value] }
      : { name, type: AttributeType.FLOATS, floats: [...value] };
  }
  if ('kind' in value && value.kind === 'float') return { name, type: AttributeType.FLOAT, f: value.value };
  if ('kind' in value && value.kind === 'floats') return { name, type: AttributeType.FLOATS, floats: [...value.values] };
  return { name, type: AttributeType.TENSOR, t: tensorProto(`${name}_value`, value as GraphTensor) };
}

/** A stable description of an attribute for fingerprints; tensor data is hashed separately by the caller. */
export function describeAttribute(value: AttrValue): unknown {
  if (typeof value === 'string' || typeof value === 'number' || isNumberArray(value)) return value;
  if ('kind' in value) return value;
  return { tensor: (value as GraphTensor).type, dims: (value as GraphTensor).dims };
}

function isNumberArray(value: AttrValue): value is readonly number[] {
  return Array.isArray(value);
}
