import { afterAll, describe, expect, it } from 'vitest';
import { encodeF16 } from '../../../native/formats/float16.js';
import { readNpy, readNpz } from '../../../native/formats/numpy.js';
import { toFloat32 } from '../../../native/formats/tensor.js';
import { npyBytes, npzBytes } from './fixtures-writers/numpy.js';
import { scratchDir } from './fixtures-writers/tmp.js';

const tmp = scratchDir('numpy');
afterAll(() => tmp.remove());
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('readNpy', () => {
  it('reads a C-ordered float32 array', () => {
    const t = readNpy(npyBytes({ descr: '<f4', shape: [2, 3, 4], data: bytes(iota(24)) }), 'c.npy');
    expect(t.dtype).toBe('F32');
    expect(t.shape).toEqual([2, 3, 4]);
    expect(t.data).toEqual(iota(24));
  });

  it('transposes a Fortran-ordered array to row-major', () => {
    // numpy.asfortranarray(arange(6).reshape(2, 3)) stores columns: 0 3 1 4 2 5.
    const t = readNpy(
      npyBytes({ descr: '<f4', shape: [2, 3], fortranOrder: true, data: bytes(new Float32Array([0, 3, 1, 4, 2, 5])) }),
      'f.npy',
    );
    expect([...toFloat32(t)]).toEqual([0, 1, 2, 3, 4, 5]);
    const t3 = readNpy(
      npyBytes({ descr: '<f4', shape: [2, 3, 4], fortranOrder: true, data: bytes(fortran(iota(24), [2, 3, 4])) }),
      'f3.npy',
    );
    expect(t3.data).toEqual(iota(24));
  });

  it('reads format versions 2.0 and 3.0 headers', () => {
    for (const version of [2, 3] as const) {
      const t = readNpy(npyBytes({ descr: '<i8', shape: [2], version, data: bytes(new BigInt64Array([-1n, 2n ** 40n])) }), 'v.npy');
      expect(t.data).toEqual(new BigInt64Array([-1n, 2n ** 40n]));
    }
  });

  it('reads every supported numeric dtype', () => {
    const cases: [string, ArrayBufferView, string][] = [
      ['<f2', encodeF16([1, -0.5]), 'F16'],
      ['<f8', new Float64Array([1e-300, 2]), 'F64'],
      ['|i1', new Int8Array([-128, 5]), 'I8'],
      ['<i2', new Int16Array([-300, 5]), 'I16'],
      ['<i4', new Int32Array([-7, 5]), 'I32'],
      ['|u1', new Uint8Array([255, 5]), 'U8'],
      ['<u2', new Uint16Array([65535, 5]), 'U16'],
      ['<u4', new Uint32Array([4294967295, 5]), 'U32'],
      ['<u8', new BigUint64Array([2n ** 64n - 1n, 5n]), 'U64'],
      ['|b1', new Uint8Array([1, 0]), 'BOOL'],
    ];
    for (const [descr, data, dtype] of cases) {
      const t = readNpy(npyBytes({ descr, shape: [2], data: bytes(data) }), `${descr}.npy`);
      expect(t.dtype).toBe(dtype);
      expect(bytes(t.data)).toEqual(bytes(data));
      // Unsigned values stay unsigned: 65535 is not -1.
      if (dtype.startsWith('U')) expect(t.data).toEqual(data);
    }
    expect([
      ...toFloat32(readNpy(npyBytes({ descr: '<u4', shape: [2], data: bytes(new Uint32Array([4294967295, 5])) }), 'u4.npy')),
    ]).toEqual([4294967296, 5]);
  });

  it('reads a 0-d scalar and an empty array', () => {
    expect(readNpy(npyBytes({ descr: '<f8', shape: [], data: bytes(new Float64Array([2.5])) }), 's.npy').data).toEqual(
      new Float64Array([2.5]),
    );
    expect(readNpy(npyBytes({ descr: '<f4', shape: [0, 3], data: new Uint8Array(0) }), 'e.npy').shape).toEqual([0, 3]);
  });
});

describe('readNpz', () => {
  it('reads compressed and stored archives keyed by member name', () => {
    const members = {
      W_enc: npyBytes({ descr: '<f4', shape: [4, 6], data: bytes(iota(24)) }),
      threshold: npyBytes({ descr: '<f4', shape: [6], fortranOrder: true, data: bytes(iota(6)) }),
    };
    for (const stored of [false, true]) {
      const arrays = readNpz(tmp.write(`params-${stored}.npz`, npzBytes(members, stored)));
      expect([...arrays.keys()].sort()).toEqual(['W_enc', 'threshold']);
      expect(arrays.get('W_enc')!.shape).toEqual([4, 6]);
      expect(arrays.get('W_enc')!.data).toEqual(iota(24));
      expect(arrays.get('threshold')!.data).toEqual(iota(6));
    }
  });
});

/** Column-major copy of a row-major array. */
function fortran(a: Float32Array, shape: number[]): Float32Array {
  const [x, y, z] = shape;
  const out = new Float32Array(a.length);
  for (let i = 0; i < x; i++) for (let j = 0; j < y; j++) for (let k = 0; k < z; k++) out[i + x * (j + y * k)] = a[(i * y + j) * z + k];
  return out;
}
