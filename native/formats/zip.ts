import { closeSync, fstatSync, openSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { Inflate } from 'fflate';
import { readAt } from './read-at.js';
import { FormatError } from './tensor.js';

/** One member of a zip archive, located through the central directory. */
export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/**
 * How large a member may be, checked against the central directory before a byte is allocated: exactly
 * `size` (what the file's own header declares, e.g. a tensor's storage), or at most `maxBytes`.
 */
export type MemberLimit = { size: number } | { maxBytes: number };

/** A zip archive opened for random access: members are read (and checked) only when asked for. */
export interface ZipArchive {
  path: string;
  entries: Map<string, ZipEntry>;
  /** The whole member, inflated no further than its directory size (a deflate bomb stops there). */
  read(name: string, limit: MemberLimit): Uint8Array;
  /** The member's first `length` bytes (fewer if it is shorter), inflating no more than those. */
  readPrefix(name: string, length: number): Uint8Array;
  close(): void;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Opens a zip (zip64 included, as torch.save writes for large files) and reads its central directory. */
export function openZip(path: string): ZipArchive {
  let fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const entries = readCentralDirectory(path, fd, size);
    return {
      path,
      entries,
      read(name, limit) {
        const e = member(path, entries, name);
        checkLimit(path, e, limit);
        return readMember(path, fd, size, e);
      },
      readPrefix(name, length) {
        const e = member(path, entries, name);
        return memberBytes(path, fd, size, e, Math.min(length, e.size));
      },
      close() {
        if (fd >= 0) closeSync(fd);
        fd = -1;
      },
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function readCentralDirectory(path: string, fd: number, size: number): Map<string, ZipEntry> {
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = readAt(path, fd, size - tailLength, tailLength);
  const tv = view(tail);
  let at = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new FormatError(path, 'not a zip archive: no end-of-central-directory record');
  let count: number = tv.getUint16(at + 10, true);
  let cdSize: number = tv.getUint32(at + 12, true);
  let cdOffset: number = tv.getUint32(at + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    ({ count, cdSize, cdOffset } = readZip64End(path, fd, size, size - tailLength + at));
  }
  if (cdOffset + cdSize > size) throw new FormatError(path, `zip central directory runs beyond the end of the file`);
  const cd = readAt(path, fd, cdOffset, cdSize);
  const v = view(cd);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || v.getUint32(p, true) !== CENTRAL) {
      throw new FormatError(path, `zip central directory entry ${i} is malformed`);
    }
    const nameLength = v.getUint16(p + 28, true);
    const extraLength = v.getUint16(p + 30, true);
    const commentLength = v.getUint16(p + 32, true);
    if (p + 46 + nameLength + extraLength > cd.length) throw new FormatError(path, `zip central directory entry ${i} is truncated`);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLength));
    const e: ZipEntry = {
      name,
      method: v.getUint16(p + 10, true),
      crc: v.getUint32(p + 16, true),
      compressedSize: v.getUint32(p + 20, true),
      size: v.getUint32(p + 24, true),
      localHeaderOffset: v.getUint32(p + 42, true),
    };
    if (v.getUint16(p + 8, true) & 1) throw new FormatError(path, `zip member "${name}" is encrypted`);
    applyZip64Extra(path, e, cd.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    if (entries.has(name)) throw new FormatError(path, `zip has two members named "${name}"`);
    entries.set(name, e);
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function readZip64End(path: string, fd: number, size: number, eocdAt: number) {
  if (eocdAt < 20) throw new FormatError(path, 'zip64 end-of-central-directory locator is missing');
  const loc = view(readAt(path, fd, eocdAt - 20, 20));
  if (loc.getUint32(0, true) !== ZIP64_LOCATOR) throw new FormatError(path, 'zip64 end-of-central-directory locator is missing');
  const recordAt = safeNumber(path, loc.getBigUint64(8, true));
  if (recordAt + 56 > size) throw new FormatError(path, 'zip64 end-of-central-directory record lies beyond the file');
  const rec = view(readAt(path, fd, recordAt, 56));
  if (rec.getUint32(0, true) !== ZIP64_EOCD) throw new FormatError(path, 'zip64 end-of-central-directory record is malformed');
  return {
    count: safeNumber(path, rec.getBigUint64(32, true)),
    cdSize: safeNumber(path, rec.getBigUint64(40, true)),
    cdOffset: safeNumber(path, rec.getBigUint64(48, true)),
  };
}

/** Sizes and offsets saturated at 0xFFFFFFFF live in the zip64 extra field, in this fixed order. */
function applyZip64Extra(path: string, e: ZipEntry, extra: Uint8Array): void {
  const v = view(extra);
  for (let p = 0; p + 4 <= extra.length;) {
    const id = v.getUint16(p, true);
    const length = v.getUint16(p + 2, true);
    if (id === 0x0001) {
      let q = p + 4;
      const next = (): number => {
        if (q + 8 > p + 4 + length || q + 8 > extra.length) throw new FormatError(path, `zip member "${e.name}" has a short zip64 field`);
        const n = safeNumber(path, v.getBigUint64(q, true));
        q += 8;
        return n;
      };
      if (e.size === 0xffffffff) e.size = next();
      if (e.compressedSize === 0xffffffff) e.compressedSize = next();
      if (e.localHeaderOffset === 0xffffffff) e.localHeaderOffset = next();
    }
    p += 4 + length;
  }
}

function member(path: string, entries: Map<string, ZipEntry>, name: string): ZipEntry {
  const e = entries.get(name);
  if (!e) throw new FormatError(path, `zip has no member "${name}"`);
  return e;
}

function checkLimit(path: string, e: ZipEntry, limit: MemberLimit): void {
  const where = `zip member "${e.name}"`;
  if ('size' in limit && e.size !== limit.size)
    throw new FormatError(path, `${where} is ${e.size} bytes by the zip directory, but the file declares ${limit.size}`);
  if ('maxBytes' in limit && e.size > limit.maxBytes)
    throw new FormatError(path, `${where} is ${e.size} bytes by the zip directory, over the ${limit.maxBytes}-byte limit for it`);
}

/** Where a member's stored (possibly compressed) bytes start, after its local header. */
function dataStart(path: string, fd: number, size: number, e: ZipEntry): number {
  const where = `zip member "${e.name}"`;
  if (e.localHeaderOffset + 30 > size) throw new FormatError(path, `${where} starts beyond the end of the file`);
  const local = view(readAt(path, fd, e.localHeaderOffset, 30));
  if (local.getUint32(0, true) !== LOCAL) throw new FormatError(path, `${where} has no local header at ${e.localHeaderOffset}`);
  const dataAt = e.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  if (dataAt + e.compressedSize > size) throw new FormatError(path, `${where} is truncated: its data runs beyond the end of the file`);
  if (e.method !== 0 && e.method !== 8)
    throw new FormatError(path, `${where} uses compression method ${e.method}; only stored (0) and deflate (8) are read`);
  return dataAt;
}

/** The first `want` bytes of a member (all of them when `want` is its size), read or inflated no further. */
function memberBytes(path: string, fd: number, size: number, e: ZipEntry, want: number): Uint8Array {
  const dataAt = dataStart(path, fd, size, e);
  if (e.method === 0) return readAt(path, fd, dataAt, Math.min(want, e.compressedSize));
  return inflateBounded(
    path,
    `zip member "${e.name}"`,
    { length: e.compressedSize, read: (at, n) => readAt(path, fd, dataAt + at, n) },
    e.size,
    want,
  );
}

function readMember(path: string, fd: number, size: number, e: ZipEntry): Uint8Array {
  const where = `zip member "${e.name}"`;
  if (e.method === 0 && e.compressedSize !== e.size)
    throw new FormatError(path, `${where} is stored, but its directory gives ${e.compressedSize} stored and ${e.size} real bytes`);
  const data = memberBytes(path, fd, size, e, e.size);
  if (data.length !== e.size) throw new FormatError(path, `${where} is ${data.length} bytes, its directory says ${e.size}`);
  if (crc32(data) >>> 0 !== e.crc) throw new FormatError(path, `${where} is corrupt: CRC-32 mismatch`);
  return data;
}

/** Compressed bytes fed to the inflater at a time: one push makes at most ~1032 times as much. */
const INFLATE_STEP = 32 * 1024;

/**
 * Inflates into one buffer of `want` bytes (`size`, the directory's, for a whole member), reading and
 * feeding the compressed bytes a step at a time and stopping the moment it has what it wants: a stream
 * that would make more than the directory declares is refused after one step, never inflated to its end.
 */
function inflateBounded(
  path: string,
  where: string,
  raw: { length: number; read(at: number, n: number): Uint8Array },
  size: number,
  want: number,
): Uint8Array {
  // Deflate expands at most ~1032:1; a larger claimed size is a lie we must not allocate for.
  if (size > raw.length * 1032 + 1024) throw new FormatError(path, `${where} claims ${size} bytes from ${raw.length} compressed`);
  const out = new Uint8Array(want);
  let filled = 0;
  let overflow = false;
  let ended = false;
  const inflater = new Inflate((chunk, final) => {
    const room = want - filled;
    if (chunk.length > room) {
      if (want === size) overflow = true;
      out.set(chunk.subarray(0, room), filled);
      filled = want;
    } else {
      out.set(chunk, filled);
      filled += chunk.length;
    }
    ended ||= final;
  });
  try {
    for (let at = 0; !overflow && !ended && (filled < want || want === size); at += INFLATE_STEP) {
      if (at >= raw.length) break;
      inflater.push(raw.read(at, Math.min(INFLATE_STEP, raw.length - at)), at + INFLATE_STEP >= raw.length);
    }
  } catch (err) {
    throw new FormatError(path, `${where} is corrupt: deflate stream failed (${(err as Error).message})`);
  }
  if (overflow)
    throw new FormatError(path, `${where} inflates past the ${size} bytes its directory declares (a deflate bomb or a corrupt archive)`);
  if (want === size && !ended) throw new FormatError(path, `${where} is corrupt: its deflate stream ends early`);
  return filled === want ? out : out.subarray(0, filled);
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function safeNumber(path: string, n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatError(path, `zip64 field ${n} is too large`);
  return Number(n);
}
