import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type ElemType = 'float32' | 'int64' | 'int32' | 'bool';

/** A constant baked into a graph (an initializer or a tensor attribute), row-major. */
export type GraphTensor =
  { type: 'float32'; dims: readonly number[]; data: Float32Array } | { type: 'int64'; dims: readonly number[]; data: BigInt64Array };

const DATA_TYPES: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
};

export function dataType(type: ElemType): number {
  return DATA_TYPES[type];
}

export function checkTensor(name: string, t: GraphTensor): void {
  let n = 1;
  for (const d of t.dims) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`tensor "${name}": bad dimension ${d} in [${t.dims.join(', ')}]`);
    n *= d;
  }
  if (t.data.length !== n)
    throw new Error(`tensor "${name}": dims [${t.dims.join(', ')}] need ${n} elements, the data has ${t.data.length}`);
}

/** The tensor's bytes (a view: typed arrays are little-endian on every platform ONNX Runtime ships for). */
export function rawBytes(t: GraphTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

export function tensorProto(name: string, t: GraphTensor): onnxProto.onnx.ITensorProto {
  checkTensor(name, t);
  return { name, dataType: DATA_TYPES[t.type], dims: [...t.dims], rawData: rawBytes(t) };
}

export function float32Tensor(dims: readonly number[], data: Float32Array | readonly number[]): GraphTensor {
  return { type: 'float32', dims, data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

export function int64Tensor(dims: readonly number[], values: readonly number[] | BigInt64Array): GraphTensor {
  const data = values instanceof BigInt64Array ? values : BigInt64Array.from(values, (v) => BigInt(v));
  return { type: 'int64', dims, data };
}
