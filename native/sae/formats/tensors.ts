import { openSafetensors } from '../../formats/safetensors.js';
import { readNpz } from '../../formats/numpy.js';
import { toFloat32 } from '../../formats/tensor.js';
import type { HostTensor } from '../../formats/tensor.js';
import { describeNonFinite, SaeError } from '../canonical.js';

/** The tensors of one weights file, whatever its container; `file` is what errors name. */
export interface TensorSource {
  file: string;
  names(): string[];
  shape(name: string): number[] | undefined;
  read(name: string): HostTensor;
  close(): void;
}

/** A dimension as a config names it and the size the config gives it: ['d_in', 768]. */
export type Dim = [label: string, size: number];

export function safetensorsSource(path: string): TensorSource {
  const file = openSafetensors(path);
  return {
    file: path,
    names: () => [...file.entries.keys()],
    shape: (name) => file.entries.get(name)?.shape,
    read: (name) => file.read(name),
    close: () => file.close(),
  };
}

/** For containers read whole (torch checkpoints, .npz). */
export function mapSource(path: string, tensors: ReadonlyMap<string, HostTensor>): TensorSource {
  return {
    file: path,
    names: () => [...tensors.keys()],
    shape: (name) => tensors.get(name)?.shape,
    read: (name) => {
      const t = tensors.get(name);
      if (!t) throw new SaeError(path, `has no tensor "${name}"`);
      return t;
    },
    close: () => {},
  };
}

export function npzSource(path: string): TensorSource {
  return mapSource(path, readNpz(path));
}

/** The first of `names` the file holds, or undefined; for tensors that libraries have renamed. */
export function firstPresent(src: TensorSource, names: readonly string[]): string | undefined {
  return names.find((n) => src.shape(n) !== undefined);
}

/**
 * Reads a tensor as float32 after checking it exists, has the shape the config implies and holds
 * only finite values. A missing tensor's error lists what the file has.
 */
export function readChecked(src: TensorSource, name: string, dims: readonly Dim[], why = ''): Float32Array {
  const shape = src.shape(name);
  if (shape === undefined) throw missingTensor(src, name, why);
  const expected = dims.map(([, d]) => d);
  if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
    const labels = dims.map(([l]) => l).join(', ');
    throw new SaeError(src.file, `${name} is [${shape.join(', ')}], expected [${labels}] = [${expected.join(', ')}]`);
  }
  const data = toFloat32(src.read(name));
  const bad = describeNonFinite(data, shape);
  if (bad) throw new SaeError(src.file, `${name} has ${bad}; refusing to use non-finite weights`);
  return data;
}

export function missingTensor(src: TensorSource, name: string, why = ''): SaeError {
  const has = src.names();
  const listed = has.length <= 12 ? has.join(', ') : `${has.slice(0, 12).join(', ')}, … (${has.length})`;
  return new SaeError(src.file, `missing tensor "${name}"${why}; the file has ${listed || 'no tensors'}`);
}

/** The shape of a tensor whose sizes define the SAE's widths (formats without a config). */
export function shapeOf(src: TensorSource, name: string, labels: readonly string[]): number[] {
  const shape = src.shape(name);
  if (shape === undefined) throw missingTensor(src, name);
  if (shape.length !== labels.length) {
    throw new SaeError(src.file, `${name} is [${shape.join(', ')}], expected ${labels.length} dimensions [${labels.join(', ')}]`);
  }
  return shape;
}

/** A scalar stored as a 0-d (or one-element) tensor, such as dictionary_learning's k and threshold buffers. */
export function readScalar(src: TensorSource, name: string): number | undefined {
  const shape = src.shape(name);
  if (shape === undefined) return undefined;
  if (shape.reduce((n, d) => n * d, 1) !== 1) throw new SaeError(src.file, `${name} is [${shape.join(', ')}], expected a scalar`);
  return toFloat32(src.read(name))[0];
}

/** [rows, cols] row-major → [cols, rows] row-major, in tiles so both sides stay in cache. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const tile = 64;
  for (let r0 = 0; r0 < rows; r0 += tile) {
    const r1 = Math.min(rows, r0 + tile);
    for (let c0 = 0; c0 < cols; c0 += tile) {
      const c1 = Math.min(cols, c0 + tile);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) out[c * rows + r] = data[r * cols + c];
      }
    }
  }
  return out;
}
