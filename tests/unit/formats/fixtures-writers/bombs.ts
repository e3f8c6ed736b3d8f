import { constants, crc32, deflateRawSync } from 'node:zlib';
import { npyBytes } from './numpy.js';
import { concatBytes, le } from './tmp.js';
import { statePickle } from './torch.js';

/** One zip member as it is stored: its (compressed) bytes and the size and CRC its directory claims. */
export interface RawMember {
  name: string;
  method: 0 | 8;
  data: Uint8Array;
  size: number;
  crc: number;
}

/** A zip written byte by byte, so the directory can say whatever a hostile file says (no zip64: sizes < 4 GiB). */
export function rawZip(members: readonly RawMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = new TextEncoder().encode(m.name);
    const sizes: [number, number][] = [
      [4, m.crc],
      [4, m.data.length],
      [4, m.size],
      [2, name.length],
      [2, 0],
    ];
    const local = le([[4, 0x04034b50], [2, 20], [2, 0], [2, m.method], [2, 0], [2, 0], ...sizes]);
    central.push(
      le([[4, 0x02014b50], [2, 20], [2, 20], [2, 0], [2, m.method], [2, 0], [2, 0], ...sizes, [2, 0], [2, 0], [2, 0], [4, 0], [4, offset]]),
      name,
    );
    parts.push(local, name, m.data);
    offset += local.length + name.length + m.data.length;
  }
  const cd = concatBytes(central);
  const end = le([
    [4, 0x06054b50],
    [2, 0],
    [2, 0],
    [2, members.length],
    [2, members.length],
    [4, cd.length],
    [4, offset],
    [2, 0],
  ]);
  return concatBytes([...parts, cd, end]);
}

export function storedMember(name: string, data: Uint8Array): RawMember {
  return { name, method: 0, data, size: data.length, crc: crc32(data) >>> 0 };
}

const BLOCK = 16 << 20;

/**
 * A deflate stream of `prefix` then `zeros` zero bytes, without ever holding them: each 16 MiB of
 * zeros is deflated once and the flushed (byte-aligned, dictionary-reset) block repeated. A GiB of
 * zeros takes about 1 MB: deflate's ~1032:1 at its best.
 */
export function zeroBomb(prefix: Uint8Array, zeros: number): { data: Uint8Array; size: number; crc: number } {
  const flush = { level: 9, finishFlush: constants.Z_FULL_FLUSH };
  const block = new Uint8Array(BLOCK);
  const full = deflateRawSync(block, flush);
  const parts: Uint8Array[] = [deflateRawSync(prefix, flush)];
  let crc = crc32(prefix) >>> 0;
  for (let left = zeros; left > 0; left -= BLOCK) {
    const n = Math.min(BLOCK, left);
    parts.push(n === BLOCK ? full : deflateRawSync(block.subarray(0, n), flush));
    crc = crc32(block.subarray(0, n), crc) >>> 0;
  }
  parts.push(deflateRawSync(new Uint8Array(0)));
  return { data: concatBytes(parts), size: prefix.length + zeros, crc };
}

/**
 * A torch.save zip whose one 16-byte tensor is stored as a deflated member of `zeros` bytes. With
 * `honestDirectory` the directory says so (the tensor and member sizes disagree); without, it claims
 * the 16 bytes the pickle declares while the stream inflates to all of them.
 */
export function torchBomb(zeros: number, honestDirectory: boolean): Uint8Array {
  const pickle = statePickle({ w: { storageType: 'FloatStorage', key: '0', storageNumel: 4, offset: 0, shape: [4], strides: [1] } });
  const bomb = zeroBomb(new Uint8Array(0), zeros);
  return rawZip([
    storedMember('archive/data.pkl', pickle),
    storedMember('archive/version', new TextEncoder().encode('3\n')),
    { name: 'archive/data/0', method: 8, data: bomb.data, size: honestDirectory ? bomb.size : 16, crc: bomb.crc },
  ]);
}

/** An .npz whose W.npy header declares 4 float32s while its deflated member holds `zeros` more bytes. */
export function npzBomb(zeros: number, honestDirectory: boolean): Uint8Array {
  const header = npyBytes({ descr: '<f4', shape: [4], data: new Uint8Array(0) });
  const bomb = zeroBomb(header, zeros);
  return rawZip([{ name: 'W.npy', method: 8, data: bomb.data, size: honestDirectory ? bomb.size : header.length + 16, crc: bomb.crc }]);
}
