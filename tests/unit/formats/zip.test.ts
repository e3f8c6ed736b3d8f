import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../../native/formats/tensor.js';
import { openZip } from '../../../native/formats/zip.js';
import { scratchDir } from './fixtures-writers/tmp.js';
import { zip64Stored } from './fixtures-writers/zip64.js';

const tmp = scratchDir('zip');
afterAll(() => tmp.remove());
const text = (s: string) => new TextEncoder().encode(s);

describe('openZip', () => {
  it('reads stored and deflated members by name', () => {
    const body = text('hello '.repeat(200));
    const path = tmp.write('mixed.zip', zipSync({ 'a/stored.bin': [body, { level: 0 }], 'a/deflated.bin': [body, { level: 9 }] }));
    const zip = openZip(path);
    expect(zip.entries.get('a/deflated.bin')?.method).toBe(8);
    expect(zip.read('a/stored.bin')).toEqual(body);
    expect(zip.read('a/deflated.bin')).toEqual(body);
    expect(() => zip.read('a/missing.bin')).toThrow(/zip has no member "a\/missing\.bin"/);
    zip.close();
  });

  it('reads zip64 archives, as torch.save writes them above 4 GB', () => {
    const zip = openZip(tmp.write('z64.zip', zip64Stored('archive/data/0', text('zip64 body'))));
    expect(zip.entries.get('archive/data/0')?.localHeaderOffset).toBe(16);
    expect(new TextDecoder().decode(zip.read('archive/data/0'))).toBe('zip64 body');
    zip.close();
  });

  it('refuses a deflated member claiming an impossible size', () => {
    const bytes = zipSync({ 'x.bin': [text('abc'.repeat(100)), { level: 9 }] });
    const v = new DataView(bytes.buffer);
    const cd = bytes.length - 22 - 46 - 5; // one member named x.bin, no comment
    v.setUint32(cd + 24, 0xfffffff0, true);
    const zip = openZip(tmp.write('bomb.zip', bytes));
    expect(() => zip.read('x.bin')).toThrow(FormatError);
    expect(() => zip.read('x.bin')).toThrow(/claims 4294967280 bytes from \d+ compressed/);
    zip.close();
  });
});
