import { closeSync, openSync, readSync } from 'node:fs';
import { parseNpyHeader } from './npy-header.js';
import type { NpyHeader } from './npy-header.js';
import { materialise } from './strided.js';
import { FormatError, dtypeSize, numel } from './tensor.js';
import type { HostTensor } from './tensor.js';
import { openZip } from './zip.js';
import type { ZipArchive } from './zip.js';

/** Reads a .npy array (format 1.0, 2.0 or 3.0); Fortran-ordered data is transposed to row-major. */
export function readNpy(bytes: Uint8Array, source: string): HostTensor {
  const { dtype, fortranOrder, shape, dataOffset } = parseNpyHeader(bytes, source);
  const n = numel(shape);
  const size = n * dtypeSize(dtype);
  const available = bytes.length - dataOffset;
  if (available !== size) {
    throw new FormatError(source, `.npy data is ${available} bytes, but shape [${shape.join(', ')}] of ${dtype} needs ${size}`);
  }
  const raw = bytes.subarray(dataOffset);
  if (dtype === 'BOOL' && raw.some((b) => b > 1)) throw new FormatError(source, '.npy bool array holds values other than 0 and 1');
  // Fortran order is row-major order of the reversed shape: read it as a strided view.
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = 0; d < shape.length; d++) {
    const axis = fortranOrder ? d : shape.length - 1 - d;
    strides[axis] = step;
    step *= shape[axis];
  }
  return { dtype, shape: [...shape], data: materialise(source, 'array', dtype, raw, { offset: 0, shape, strides }) };
}

/** Reads every `.npy` member of an .npz archive (stored or deflated), keyed by name without `.npy`. */
export function readNpz(path: string): Map<string, HostTensor> {
  refuseNonZip(path);
  const zip = openZip(path);
  try {
    const out = new Map<string, HostTensor>();
    for (const name of zip.entries.keys()) {
      if (name.endsWith('/')) continue;
      if (!name.endsWith('.npy')) throw new FormatError(path, `.npz member "${name}" is not a .npy array`);
      out.set(name.slice(0, -4), readNpy(zip.read(name, { size: npzMemberSize(zip, name) }), `${path}:${name}`));
    }
    return out;
  } finally {
    zip.close();
  }
}

/** numpy writes headers of at most 64 KiB (format 1.0's limit; later versions only allow more). */
const MAX_NPY_HEADER_BYTES = 65_548;
const CHECK_WHOLE_BYTES = 16 << 20;

/** An .npz member's .npy header, inflating only the bytes it spans. */
export function npzMemberHeader(zip: ZipArchive, name: string): NpyHeader {
  try {
    return parseNpyHeader(zip.readPrefix(name, MAX_NPY_HEADER_BYTES), `${zip.path}:${name}`);
  } catch (e) {
    // A damaged deflate stream shows first as a garbled header: where the member is small enough to
    // check whole, its CRC names the real fault.
    if (e instanceof FormatError && zip.entries.get(name)!.size <= CHECK_WHOLE_BYTES) zip.read(name, { maxBytes: CHECK_WHOLE_BYTES });
    throw e;
  }
}

/**
 * The size an .npz member must have: its header plus the data its shape and dtype declare. Checked
 * against the zip directory before the member is inflated, so a 1 MB archive claiming a 1 GB member
 * for a 16-byte array is refused without inflating it.
 */
function npzMemberSize(zip: ZipArchive, name: string): number {
  const { shape, dtype, dataOffset } = npzMemberHeader(zip, name);
  const expected = dataOffset + numel(shape) * dtypeSize(dtype);
  const actual = zip.entries.get(name)!.size;
  if (actual !== expected) {
    throw new FormatError(
      `${zip.path}:${name}`,
      `.npy data is ${actual - dataOffset} bytes, but shape [${shape.join(', ')}] of ${dtype} needs ${expected - dataOffset}`,
    );
  }
  return expected;
}

function refuseNonZip(path: string): void {
  const fd = openSync(path, 'r');
  const head = new Uint8Array(6);
  const n = readSync(fd, head, 0, 6, 0);
  closeSync(fd);
  if (n === 6 && head[0] === 0x93 && head[1] === 0x4e) {
    throw new FormatError(path, 'is a single .npy array, not an .npz archive; read it with readNpy');
  }
}
