import { JsonSyntaxError, checkJsonShape, jsonLimits, parseStrictJson } from './strict-json.js';
import type { JsonObject, JsonValue } from './strict-json.js';
import { DTYPES, FormatError, dtypeSize, isDType, numel } from './tensor.js';
import type { DType } from './tensor.js';

/** The safetensors reference implementation refuses headers over 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  name: string;
  dtype: DType;
  shape: number[];
  /** byte offsets into the data section (after the 8-byte length and the header) */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  /** in data-offset order */
  entries: Map<string, SafetensorsEntry>;
}

/** Validates the 8-byte little-endian header length against the file size; returns the length. */
export function checkHeaderLength(file: string, prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8) throw new FormatError(file, `file is ${fileSize} bytes, too short for the 8-byte safetensors header length`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new FormatError(file, `safetensors header length ${n} is over the ${MAX_HEADER_BYTES}-byte limit`);
  }
  if (Number(n) > fileSize - 8) {
    throw new FormatError(file, `safetensors header length ${n} runs beyond the end of the file (${fileSize} bytes)`);
  }
  return Number(n);
}

/** Parses and validates the JSON header; `dataSize` is the number of bytes after the header. */
export function parseHeader(file: string, bytes: Uint8Array, dataSize: number): SafetensorsHeader {
  const json = decodeJson(file, bytes);
  const metadata: Record<string, string> = Object.create(null);
  const list: SafetensorsEntry[] = [];
  for (const [name, info] of Object.entries(json)) {
    if (name === '__metadata__') readMetadata(file, info, metadata);
    else list.push(readEntry(file, name, info));
  }
  list.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkLayout(file, list, dataSize);
  return { metadata, entries: new Map(list.map((e) => [e.name, e])) };
}

function decodeJson(file: string, bytes: Uint8Array): JsonObject {
  // The reference reader refuses a header that does not start with "{" (InvalidHeaderStart); a
  // TextDecoder would silently drop a byte-order mark, and JSON itself allows none.
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    throw new FormatError(file, 'safetensors header starts with a UTF-8 byte-order mark; it must start with "{"');
  if (bytes.length > 0 && bytes[0] !== 0x7b)
    throw new FormatError(file, `safetensors header must start with "{", not byte 0x${bytes[0].toString(16).padStart(2, '0')}`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FormatError(file, 'safetensors header is not valid UTF-8');
  }
  let json: JsonValue;
  try {
    checkJsonShape(text, jsonLimits.safetensorsHeader);
    json = parseStrictJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const dup = /^duplicate key "(.*)"$/s.exec(e.message);
    if (dup) throw new FormatError(file, `safetensors header names tensor "${dup[1]}" twice`);
    throw new FormatError(file, `safetensors header is malformed JSON: ${e.message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new FormatError(file, 'safetensors header must be a JSON object');
  }
  return json;
}

function readMetadata(file: string, info: JsonValue, out: Record<string, string>): void {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    throw new FormatError(file, '__metadata__ must be an object of strings');
  }
  for (const [k, v] of Object.entries(info)) {
    if (typeof v !== 'string') throw new FormatError(file, `__metadata__ value "${k}" must be a string, got ${JSON.stringify(v)}`);
    out[k] = v;
  }
}

function readEntry(file: string, name: string, info: JsonValue): SafetensorsEntry {
  const where = `tensor "${name}"`;
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    throw new FormatError(file, `${where}: expected an object with dtype, shape and data_offsets`);
  }
  const { dtype, shape, data_offsets: offsets } = info;
  if (!isDType(dtype)) {
    throw new FormatError(file, `${where}: unknown dtype ${JSON.stringify(dtype)}, expected one of ${DTYPES.join(', ')}`);
  }
  if (!Array.isArray(shape) || !shape.every(isSize)) {
    throw new FormatError(file, `${where}: shape ${JSON.stringify(shape)} must be a list of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize)) {
    throw new FormatError(file, `${where}: data_offsets ${JSON.stringify(offsets)} must be two non-negative integers`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) throw new FormatError(file, `${where}: data_offsets [${begin}, ${end}] end before they begin`);
  const dims = shape as number[];
  const expected = numel(dims) * dtypeSize(dtype);
  if (end - begin !== expected) {
    throw new FormatError(
      file,
      `${where}: data_offsets span ${end - begin} bytes but shape [${dims.join(', ')}] of ${dtype} needs ${expected}`,
    );
  }
  return { name, dtype, shape: dims, begin, end };
}

function isSize(v: JsonValue): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** The data section must be tiled exactly: no gaps, no overlaps, nothing after the last tensor. */
function checkLayout(file: string, list: SafetensorsEntry[], dataSize: number): void {
  let at = 0;
  let prev: SafetensorsEntry | undefined;
  for (const e of list) {
    if (e.end > dataSize) {
      throw new FormatError(file, `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] run beyond the ${dataSize}-byte data section`);
    }
    if (e.begin < at) {
      throw new FormatError(file, `tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] overlap tensor "${prev?.name}" ending at ${at}`);
    }
    if (e.begin > at) {
      throw new FormatError(file, `tensor "${e.name}": gap of ${e.begin - at} unused bytes before its data_offsets [${e.begin}, ${e.end}]`);
    }
    at = e.end;
    prev = e;
  }
  if (at !== dataSize) {
    throw new FormatError(
      file,
      `${dataSize - at} trailing bytes after the last tensor (data section is ${dataSize} bytes, tensors end at ${at})`,
    );
  }
}
