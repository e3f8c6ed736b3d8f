import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from '../../../native/formats/tensor.js';
import { openZip } from '../../../native/formats/zip.js';
import { scratchDir } from './fixtures-writers/tmp.js';
import { rawZip, zeroBomb } from './fixtures-writers/bombs.js';
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
    expect(zip.read('a/stored.bin', { size: body.length })).toEqual(body);
    expect(zip.read('a/deflated.bin', { maxBytes: 1 << 20 })).toEqual(body);
    expect(() => zip.read('a/missing.bin', { maxBytes: 1 })).toThrow(/zip has no member "a\/missing\.bin"/);
    zip.close();
  });

  it('reads zip64 archives, as torch.save writes them above 4 GB', () => {
    const zip = openZip(tmp.write('z64.zip', zip64Stored('archive/data/0', text('zip64 body'))));
    expect(zip.entries.get('archive/data/0')?.localHeaderOffset).toBe(16);
    expect(new TextDecoder().decode(zip.read('archive/data/0', { size: 10 }))).toBe('zip64 body');
    zip.close();
  });

  it('refuses a deflated member claiming an impossible size', () => {
    const bytes = zipSync({ 'x.bin': [text('abc'.repeat(100)), { level: 9 }] });
    const v = new DataView(bytes.buffer);
    const cd = bytes.length - 22 - 46 - 5; // one member named x.bin, no comment
    v.setUint32(cd + 24, 0xfffffff0, true);
    const zip = openZip(tmp.write('bomb.zip', bytes));
    expect(() => zip.read('x.bin', { maxBytes: 2 ** 33 })).toThrow(FormatError);
    expect(() => zip.read('x.bin', { maxBytes: 2 ** 33 })).toThrow(/claims 4294967280 bytes from \d+ compressed/);
    zip.close();
  });

  it('refuses a member whose directory size is not what the file declares, before inflating it', () => {
    const bomb = zeroBomb(new Uint8Array(0), 1 << 30);
    const zip = openZip(tmp.write('honest-bomb.zip', rawZip([{ name: 'w', method: 8, ...bomb }])));
    expect(() => zip.read('w', { size: 16 })).toThrow(/zip member "w" is 1073741824 bytes by the zip directory, but the file declares 16/);
    expect(() => zip.read('w', { maxBytes: 1 << 20 })).toThrow(/is 1073741824 bytes by the zip directory, over the 1048576-byte limit/);
    zip.close();
  });

  it('stops inflating at the size the directory declares: a stream that makes more is a bomb', () => {
    const bomb = zeroBomb(text('head'), 256 << 20);
    const zip = openZip(tmp.write('lying-bomb.zip', rawZip([{ name: 'w', method: 8, data: bomb.data, size: 20, crc: bomb.crc }])));
    expect(() => zip.read('w', { size: 20 })).toThrow(/zip member "w" inflates past the 20 bytes its directory declares/);
    zip.close();
  });

  it('reads a prefix of a deflated member without inflating the rest', () => {
    const bomb = zeroBomb(text('header:'), 1 << 30);
    const zip = openZip(tmp.write('prefix.zip', rawZip([{ name: 'w', method: 8, ...bomb }])));
    const head = zip.readPrefix('w', 10);
    expect(new TextDecoder().decode(head.subarray(0, 7))).toBe('header:');
    expect([...head.subarray(7)]).toEqual([0, 0, 0]);
    zip.close();
    const small = openZip(tmp.write('small.zip', zipSync({ 'x.bin': [text('abc'.repeat(100)), { level: 9 }] })));
    expect(new TextDecoder().decode(small.readPrefix('x.bin', 2 ** 31))).toBe('abc'.repeat(100));
    small.close();
  });
});
