import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { checkHeaderLength, parseHeader } from './safetensors-header.js';
import type { SafetensorsEntry } from './safetensors-header.js';
import { readAt } from './read-at.js';
import { FormatError, bytesOf, decodeFloat32Into, dtypeSize, isDType, numel, toFloat32, viewAs } from './tensor.js';
import type { HostTensor } from './tensor.js';

export type { SafetensorsEntry } from './safetensors-header.js';

export interface SafetensorsFile {
  path: string;
  /** __metadata__, a null-prototype object */
  metadata: Record<string, string>;
  /** in data-offset order */
  entries: Map<string, SafetensorsEntry>;
  read(name: string): HostTensor;
  readFloat32(name: string): { shape: number[]; data: Float32Array };
  /** Decodes a tensor as float32 into `out` at `offset`, reading a slice of the file at a time. */
  readFloat32Into(name: string, out: Float32Array, offset: number): void;
  /** Rows [firstRow, firstRow + rows) along dimension 0, read alone: a tensor larger than memory is walked in slices. */
  readRows(name: string, firstRow: number, rows: number): HostTensor;
  close(): void;
}

/** Bytes read per slice when streaming a tensor into float32 (a multiple of every element size). */
const STREAM_BYTES = 1 << 24;

/** Reads and validates only the header; each tensor is read from disk when asked for. */
export function openSafetensors(path: string): SafetensorsFile {
  let fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const headerLength = checkHeaderLength(path, readAt(path, fd, 0, Math.min(8, size)), size);
    const dataStart = 8 + headerLength;
    const { metadata, entries } = parseHeader(path, readAt(path, fd, 8, headerLength), size - dataStart);
    const file: SafetensorsFile = {
      path,
      metadata,
      entries,
      read(name) {
        const e = entries.get(name);
        if (!e) throw new FormatError(path, `no tensor named "${name}" (the file has ${entries.size})`);
        if (fd < 0) throw new FormatError(path, `cannot read tensor "${name}": the file was closed`);
        // A fresh ArrayBuffer is aligned for every element size, whatever the file's offsets are.
        const bytes = readTensorBytes(path, fd, name, dataStart + e.begin, e.end - e.begin);
        return { dtype: e.dtype, shape: [...e.shape], data: viewAs(e.dtype, bytes) };
      },
      readFloat32(name) {
        const t = file.read(name);
        return { shape: t.shape, data: toFloat32(t) };
      },
      readFloat32Into(name, out, offset) {
        const e = entries.get(name);
        if (!e) throw new FormatError(path, `no tensor named "${name}" (the file has ${entries.size})`);
        if (fd < 0) throw new FormatError(path, `cannot read tensor "${name}": the file was closed`);
        const size = dtypeSize(e.dtype);
        const total = e.end - e.begin;
        if (offset < 0 || offset + total / size > out.length)
          throw new RangeError(`tensor "${name}" does not fit at ${offset} in ${out.length} values`);
        for (let done = 0; done < total; done += STREAM_BYTES) {
          const bytes = readTensorBytes(path, fd, name, dataStart + e.begin + done, Math.min(STREAM_BYTES, total - done));
          decodeFloat32Into(e.dtype, viewAs(e.dtype, bytes), out, offset + done / size);
        }
      },
      readRows(name, firstRow, rows) {
        const e = entries.get(name);
        if (!e) throw new FormatError(path, `no tensor named "${name}" (the file has ${entries.size})`);
        if (fd < 0) throw new FormatError(path, `cannot read tensor "${name}": the file was closed`);
        const n0 = e.shape[0] ?? 1;
        if (!Number.isSafeInteger(firstRow) || !Number.isSafeInteger(rows) || firstRow < 0 || rows < 0 || firstRow + rows > n0) {
          throw new RangeError(`rows [${firstRow}, ${firstRow + rows}) of tensor "${name}" with ${n0} rows`);
        }
        const rowBytes = n0 === 0 ? 0 : (e.end - e.begin) / n0;
        const bytes = readTensorBytes(path, fd, name, dataStart + e.begin + firstRow * rowBytes, rows * rowBytes);
        return { dtype: e.dtype, shape: [rows, ...e.shape.slice(1)], data: viewAs(e.dtype, bytes) };
      },
      close() {
        if (fd >= 0) closeSync(fd);
        fd = -1;
      },
    };
    return file;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function readTensorBytes(path: string, fd: number, name: string, position: number, length: number): Uint8Array {
  try {
    return readAt(path, fd, position, length);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new FormatError(path, `tensor "${name}" of ${length} bytes does not fit in memory`);
  }
}

/**
 * Writes a safetensors file. Tensors are ordered by element size (largest first), then name, and the
 * header is space-padded to a multiple of 8 bytes, as the reference writer does, so every tensor's data
 * is aligned for its element type when the file is memory-mapped.
 */
export function writeSafetensors(path: string, tensors: Record<string, HostTensor>, metadata?: Record<string, string>): void {
  const names = Object.keys(tensors).sort(
    (a, b) => dtypeSize(tensors[b].dtype) - dtypeSize(tensors[a].dtype) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const header: Record<string, unknown> = Object.create(null);
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const name of names) {
    const t = checkWritable(path, name, tensors[name]);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8);
  const jsonBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(jsonBytes.length));
  const fd = openSync(path, 'w');
  try {
    writeAll(fd, prefix);
    writeAll(fd, jsonBytes);
    for (const name of names) writeAll(fd, bytesOf(tensors[name].data));
  } finally {
    closeSync(fd);
  }
}

function checkWritable(path: string, name: string, t: HostTensor): HostTensor {
  if (name === '__metadata__') throw new FormatError(path, 'a tensor cannot be named "__metadata__"');
  if (!isDType(t.dtype)) throw new FormatError(path, `tensor "${name}": unknown dtype ${JSON.stringify(t.dtype)}`);
  const n = numel(t.shape);
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || n * dtypeSize(t.dtype) !== t.data.byteLength) {
    throw new FormatError(
      path,
      `tensor "${name}": shape [${t.shape.join(', ')}] of ${t.dtype} needs ${n * dtypeSize(t.dtype)} bytes, data has ${t.data.byteLength}`,
    );
  }
  return t;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}
