import { crc32 } from 'node:zlib';
import { concatBytes, le } from './tmp.js';

/**
 * A one-member stored zip written entirely in zip64 form (sizes and offset saturated to 0xFFFFFFFF in
 * the central directory, real values in the zip64 extra field, zip64 end records), as torch.save
 * writes archives over 4 GB. `leadingBytes` shifts the member so its offset is not zero.
 */
export function zip64Stored(name: string, data: Uint8Array, leadingBytes = 16): Uint8Array {
  const nameBytes = new TextEncoder().encode(name);
  const crc = crc32(data) >>> 0;
  const lead = new Uint8Array(leadingBytes);
  const local = le([
    [4, 0x04034b50],
    [2, 45],
    [2, 0],
    [2, 0],
    [2, 0],
    [2, 0],
    [4, crc],
    [4, data.length],
    [4, data.length],
    [2, nameBytes.length],
    [2, 0],
  ]);
  const extra = le([
    [2, 0x0001],
    [2, 24],
    [8, data.length],
    [8, data.length],
    [8, leadingBytes],
  ]);
  const central = le([
    [4, 0x02014b50],
    [2, 45],
    [2, 45],
    [2, 0],
    [2, 0],
    [2, 0],
    [2, 0],
    [4, crc],
    [4, 0xffffffff],
    [4, 0xffffffff],
    [2, nameBytes.length],
    [2, extra.length],
    [2, 0],
    [2, 0],
    [2, 0],
    [4, 0],
    [4, 0xffffffff],
  ]);
  const cdOffset = leadingBytes + local.length + nameBytes.length + data.length;
  const cdSize = central.length + nameBytes.length + extra.length;
  const zip64End = le([
    [4, 0x06064b50],
    [8, 44],
    [2, 45],
    [2, 45],
    [4, 0],
    [4, 0],
    [8, 1],
    [8, 1],
    [8, cdSize],
    [8, cdOffset],
  ]);
  const locator = le([
    [4, 0x07064b50],
    [4, 0],
    [8, cdOffset + cdSize],
    [4, 1],
  ]);
  const end = le([
    [4, 0x06054b50],
    [2, 0],
    [2, 0],
    [2, 0xffff],
    [2, 0xffff],
    [4, 0xffffffff],
    [4, 0xffffffff],
    [2, 0],
  ]);
  return concatBytes([lead, local, nameBytes, data, central, nameBytes, extra, zip64End, locator, end]);
}
