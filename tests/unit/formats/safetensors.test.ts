import { closeSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBf16, encodeF16 } from '../../../native/formats/float16.js';
import { openSafetensors, writeSafetensors } from '../../../native/formats/safetensors.js';
import { dtypeSize, toFloat32 } from '../../../native/formats/tensor.js';
import type { HostTensor } from '../../../native/formats/tensor.js';
import { f32Bytes, rawSafetensors } from './fixtures-writers/safetensors.js';
import { scratchDir } from './fixtures-writers/tmp.js';

/** The shared golden fixtures live beside the repository, in ../shared/fixtures. */
const GPT2_TINY = fileURLToPath(new URL('../../../../shared/fixtures/gpt2-tiny/model.safetensors', import.meta.url));
const tmp = scratchDir('safetensors');
afterAll(() => tmp.remove());

describe('openSafetensors', () => {
  it('reads the header, metadata and tensors of a Hugging Face GPT-2 file', () => {
    const f = openSafetensors(GPT2_TINY);
    try {
      expect(f.metadata.format).toBe('pt');
      expect(Object.getPrototypeOf(f.metadata)).toBeNull();
      expect(f.entries.size).toBe(28);
      const wte = f.readFloat32('transformer.wte.weight');
      expect(wte.shape).toEqual([97, 64]);
      // Values below were read independently with numpy.frombuffer at development time.
      expect(wte.data[0]).toBeCloseTo(0.4970923364162445, 7);
      expect(wte.data[3 * 64 + 5]).toBeCloseTo(0.431502, 6);
      expect(sum(wte.data)).toBeCloseTo(2.6002156234194445, 4);
      expect(sum(f.readFloat32('transformer.h.0.attn.c_attn.weight').data)).toBeCloseTo(-12.91603637490789, 3);
    } finally {
      f.close();
    }
  });

  it('lists entries in data-offset order', () => {
    const f = openSafetensors(GPT2_TINY);
    const begins = [...f.entries.values()].map((e) => e.begin);
    f.close();
    expect(begins).toEqual([...begins].sort((a, b) => a - b));
  });

  it('names the file and the tensor when a tensor is absent', () => {
    const f = openSafetensors(GPT2_TINY);
    expect(() => f.read('nope')).toThrow(/model\.safetensors.*no tensor named "nope"/);
    f.close();
  });

  it('reads one tensor from a large file without reading the rest', () => {
    // A sparse 3 GB file: opening it and reading the small tensor must not touch the big one.
    const big = 3 * 2 ** 30;
    const header = JSON.stringify({
      small: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      big: { dtype: 'U8', shape: [big], data_offsets: [8, 8 + big] },
    });
    const path = tmp.write('sparse.safetensors', rawSafetensors(header, f32Bytes([1.5, -2])));
    const fd = openSync(path, 'r+');
    ftruncateSync(fd, 8 + Buffer.byteLength(header) + 8 + big);
    closeSync(fd);
    const f = openSafetensors(path);
    expect(f.entries.get('big')?.shape).toEqual([big]);
    expect([...f.readFloat32('small').data]).toEqual([1.5, -2]);
    f.close();
  });

  it('reads float32 data that is not 4-byte aligned in the file', () => {
    const header = '{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}'; // 55 bytes: data starts at 63
    const path = tmp.write('unaligned.safetensors', rawSafetensors(header, f32Bytes([1, 2.5, -3])));
    const f = openSafetensors(path);
    expect([...f.readFloat32('x').data]).toEqual([1, 2.5, -3]);
    f.close();
  });

  it('treats a tensor named __proto__ as an ordinary name', () => {
    const header = '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"__proto__":"x"}}';
    const f = openSafetensors(tmp.write('proto.safetensors', rawSafetensors(header, f32Bytes([7]))));
    expect([...f.entries.keys()]).toEqual(['__proto__']);
    expect([...f.readFloat32('__proto__').data]).toEqual([7]);
    expect(Object.hasOwn(f.metadata, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
    f.close();
  });
});

describe('writeSafetensors', () => {
  const tensors: Record<string, HostTensor> = {
    f64: { dtype: 'F64', shape: [2], data: new Float64Array([1e300, -0.5]) },
    f32: { dtype: 'F32', shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    f16: { dtype: 'F16', shape: [3], data: encodeF16([1, -2.5, 65504]) },
    bf16: { dtype: 'BF16', shape: [2], data: encodeBf16([3.140625, -1e30]) },
    i64: { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 62n), 50256n]) },
    i32: { dtype: 'I32', shape: [1], data: new Int32Array([-7]) },
    i16: { dtype: 'I16', shape: [1], data: new Int16Array([-300]) },
    i8: { dtype: 'I8', shape: [2], data: new Int8Array([-128, 127]) },
    u8: { dtype: 'U8', shape: [1], data: new Uint8Array([255]) },
    flags: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
    empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  };

  it('round-trips every dtype with metadata', () => {
    const path = tmp.write('all.safetensors', '');
    writeSafetensors(path, tensors, { note: 'hi' });
    const f = openSafetensors(path);
    expect(f.metadata.note).toBe('hi');
    for (const [name, t] of Object.entries(tensors)) {
      const back = f.read(name);
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(back.data).toEqual(t.data);
    }
    f.close();
  });

  it('pads the header to 8 bytes so every tensor is aligned in the file', () => {
    const path = tmp.write('aligned.safetensors', '');
    writeSafetensors(path, tensors);
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect((8 + headerLength) % 8).toBe(0);
    const f = openSafetensors(path);
    for (const e of f.entries.values()) expect(e.begin % dtypeSize(e.dtype)).toBe(0);
    f.close();
  });

  it('refuses data whose length does not match the shape', () => {
    const path = tmp.write('bad-write.safetensors', '');
    expect(() => writeSafetensors(path, { x: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(
      /tensor "x".*needs 12 bytes, data has 8/,
    );
  });
});

describe('toFloat32', () => {
  it('decodes float16 and bfloat16 exactly, including subnormals and infinities', () => {
    const halves = new Uint16Array([0x3c00, 0xc000, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x7bff, 0x8000]);
    const out = toFloat32({ dtype: 'F16', shape: [8], data: halves });
    expect([...out]).toEqual([1, -2, 2 ** -24, 1023 * 2 ** -24, Infinity, -Infinity, 65504, -0]);
    expect(Number.isNaN(toFloat32({ dtype: 'F16', shape: [1], data: new Uint16Array([0x7e00]) })[0])).toBe(true);
    const bf = toFloat32({ dtype: 'BF16', shape: [2], data: new Uint16Array([0x4049, 0xbf80]) });
    expect([...bf]).toEqual([3.140625, -1]);
  });

  it('round-trips float16 encoding with round-to-nearest-even', () => {
    const values = [0, 1, -1, 0.1, 1e-7, 6e-8, 65519, 70000];
    const back = toFloat32({ dtype: 'F16', shape: [values.length], data: encodeF16(values) });
    expect([...back]).toEqual([0, 1, -1, 0.0999755859375, 1.1920928955078125e-7, 5.960464477539063e-8, 65504, Infinity]);
  });

  it('converts integer dtypes', () => {
    expect([...toFloat32({ dtype: 'I64', shape: [2], data: new BigInt64Array([-3n, 50256n]) })]).toEqual([-3, 50256]);
    expect([...toFloat32({ dtype: 'BOOL', shape: [2], data: new Uint8Array([1, 0]) })]).toEqual([1, 0]);
  });
});

function sum(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}
