import { closeSync, openSync, readSync } from 'node:fs';
import { parseNpyHeader } from './npy-header.js';
import { materialise } from './strided.js';
import { FormatError, dtypeSize, numel } from './tensor.js';
import type { HostTensor } from './tensor.js';
import { openZip } from './zip.js';

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
      out.set(name.slice(0, -4), readNpy(zip.read(name), `${path}:${name}`));
    }
    return out;
  } finally {
    zip.close();
  }
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
