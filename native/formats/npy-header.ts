import { FormatError } from './tensor.js';
import type { DType } from './tensor.js';

/** The dict numpy writes at the top of a .npy file, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } */
export interface NpyHeader {
  dtype: DType;
  fortranOrder: boolean;
  shape: number[];
  /** bytes from the start of the file to the data */
  dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCRS: Record<string, DType> = {
  f2: 'F16',
  f4: 'F32',
  f8: 'F64',
  i1: 'I8',
  i2: 'I16',
  i4: 'I32',
  i8: 'I64',
  u1: 'U8',
  u2: 'U16',
  u4: 'U32',
  u8: 'U64',
  b1: 'BOOL',
};

export function parseNpyHeader(bytes: Uint8Array, source: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new FormatError(source, 'not a .npy file: bad magic');
  const major = bytes[6];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let start: number;
  let length: number;
  if (major === 1) {
    start = 10;
    length = v.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new FormatError(source, '.npy header is truncated');
    start = 12;
    length = v.getUint32(8, true);
  } else {
    throw new FormatError(source, `.npy format version ${major}.${bytes[7]} is not supported (expected 1.0, 2.0 or 3.0)`);
  }
  if (start + length > bytes.length) throw new FormatError(source, `.npy header of ${length} bytes runs beyond the file`);
  // Versions 1 and 2 promise latin1; version 3 allows UTF-8.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + length));
  const dict = parseDict(source, text);
  return { ...interpret(source, dict), dataOffset: start + length };
}

type Literal = string | boolean | number | null | Literal[] | { list: Literal[] } | Map<string, Literal>;

function interpret(source: string, dict: Map<string, Literal>): Omit<NpyHeader, 'dataOffset'> {
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (descr !== undefined && typeof descr === 'object' && descr !== null) {
    throw new FormatError(source, '.npy has a structured dtype (a record of fields); only plain numeric arrays are read');
  }
  if (typeof descr !== 'string') throw new FormatError(source, `.npy header has no 'descr' string`);
  if (typeof fortran !== 'boolean') throw new FormatError(source, `.npy header has no boolean 'fortran_order'`);
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError(source, `.npy header 'shape' must be a tuple of non-negative integers`);
  }
  return { dtype: dtypeOf(source, descr), fortranOrder: fortran, shape: shape as number[] };
}

function dtypeOf(source: string, descr: string): DType {
  const order = descr[0];
  const code = descr.slice(1);
  if (code === 'O')
    throw new FormatError(
      source,
      `.npy holds an object array (dtype '${descr}'); refusing, since loading it would mean unpickling Python objects`,
    );
  if (order === '>' && !code.endsWith('1')) {
    throw new FormatError(source, `.npy dtype '${descr}' is big-endian; only little-endian arrays are read`);
  }
  if (!['<', '|', '=', '>'].includes(order) || !Object.hasOwn(DESCRS, code)) {
    throw new FormatError(
      source,
      `.npy dtype '${descr}' is not supported; expected one of ${Object.keys(DESCRS).join(', ')} (little-endian)`,
    );
  }
  return DESCRS[code];
}

/** A parser for the Python literal subset numpy writes: a dict of str keys; str, bool, int, tuple, list values. */
function parseDict(source: string, text: string): Map<string, Literal> {
  let pos = 0;
  const fail = (what: string): never => {
    throw new FormatError(source, `.npy header is not a valid dict literal: ${what} at character ${pos}`);
  };
  const space = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const value = (depth: number): Literal => {
    if (depth > 16) fail('nesting too deep');
    space();
    const c = text[pos];
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, pos + 1);
      if (end < 0) fail('unterminated string');
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      pos++;
      const items: Literal[] = [];
      for (;;) {
        space();
        if (text[pos] === close) break;
        items.push(value(depth + 1));
        space();
        if (text[pos] === ',') pos++;
        else if (text[pos] !== close) fail(`expected "," or "${close}"`);
      }
      pos++;
      return c === '(' ? items : { list: items };
    }
    if (c === '{') return dict(depth);
    const m = /^(True|False|None|-?\d+L?)/.exec(text.slice(pos, pos + 32));
    if (!m) return fail('unexpected character');
    pos += m[0].length;
    if (m[0] === 'True' || m[0] === 'False') return m[0] === 'True';
    if (m[0] === 'None') return null;
    return Number(m[0].replace('L', ''));
  };
  const dict = (depth: number): Map<string, Literal> => {
    space();
    if (text[pos] !== '{') fail('expected "{"');
    pos++;
    const out = new Map<string, Literal>();
    for (;;) {
      space();
      if (text[pos] === '}') break;
      const key = value(depth + 1);
      if (typeof key !== 'string') fail('expected a string key');
      if (out.has(key as string)) fail(`duplicate key '${key}'`);
      space();
      if (text[pos++] !== ':') fail('expected ":"');
      out.set(key as string, value(depth + 1));
      space();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== '}') fail('expected "," or "}"');
    }
    pos++;
    space();
    if (pos !== text.length) fail('unexpected text after the dict');
    return out;
  };
  return dict(0);
}
