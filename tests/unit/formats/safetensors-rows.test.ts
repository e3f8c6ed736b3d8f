import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors, writeSafetensors } from '../../../native/formats/safetensors.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir('st-rows');
afterAll(() => tmp.cleanup());

describe('SafetensorsFile.readRows (a tensor walked in slices along dimension 0)', () => {
  const path = join(tmp.path, 'cache.safetensors');
  const locations = Uint16Array.from({ length: 7 * 3 }, (_, i) => i * 3 + 1);
  writeSafetensors(path, {
    locations: { dtype: 'U16', shape: [7, 3], data: locations },
    activations: { dtype: 'F32', shape: [7], data: Float32Array.from({ length: 7 }, (_, i) => i / 2) },
  });

  it('returns exactly the rows asked for, with their shape, for every slicing', () => {
    const file = openSafetensors(path);
    try {
      for (const step of [1, 2, 3, 7]) {
        const got: number[] = [];
        for (let from = 0; from < 7; from += step) {
          const t = file.readRows('locations', from, Math.min(step, 7 - from));
          expect(t.shape).toEqual([Math.min(step, 7 - from), 3]);
          got.push(...Array.from(t.data as Uint16Array));
        }
        expect(got).toEqual(Array.from(locations));
      }
      expect(Array.from(file.readRows('activations', 5, 2).data as Float32Array)).toEqual([2.5, 3]);
    } finally {
      file.close();
    }
  });

  it('refuses rows outside the tensor', () => {
    const file = openSafetensors(path);
    try {
      expect(() => file.readRows('locations', 6, 2)).toThrow(/rows \[6, 8\) of tensor "locations" with 7 rows/);
      expect(() => file.readRows('missing', 0, 1)).toThrow(/no tensor named "missing"/);
    } finally {
      file.close();
    }
  });
});
