import { npzMemberHeader } from './numpy.js';
import { unpickle } from './pickle.js';
import { FormatError } from './tensor.js';
import type { DType } from './tensor.js';
import { WEIGHTS_ONLY, isStorageType, isTensorRef, resolveTorchGlobal } from './torch-globals.js';
import type { StorageRef } from './torch-globals.js';
import { MAX_PICKLE_BYTES } from './torch.js';
import { openZip } from './zip.js';

/**
 * Tensor shapes read from a file's headers alone, so discovery can tell a 200 MB SAE's widths
 * without reading its weights. Each throws FormatError on a malformed file.
 */

const MAX_NAME_DEPTH = 4;

export interface TorchPeek {
  /** tensor shapes by flattened name */
  shapes: Map<string, number[]>;
  /** scalar leaves (strings, numbers, booleans) by flattened name, e.g. "activation_state_dict.k" */
  scalars: Map<string, string | number | boolean>;
}

/** Tensor shapes and scalars of a PyTorch zip checkpoint, from its pickle; the storages are never read. */
export function peekTorchCheckpoint(path: string): TorchPeek {
  const zip = openZip(path);
  try {
    const pickles = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (pickles.length !== 1) throw new FormatError(path, 'zip has no single <name>/data.pkl, so it is not a PyTorch checkpoint');
    const root = unpickle(zip.read(pickles[0], { maxBytes: MAX_PICKLE_BYTES }), {
      source: path,
      resolveGlobal: resolveTorchGlobal,
      persistentLoad: (pid) => placeholderStorage(path, pid),
      allowedDescription: WEIGHTS_ONLY,
    });
    const peek: TorchPeek = { shapes: new Map(), scalars: new Map() };
    collectLeaves(root, '', peek, 0);
    return peek;
  } finally {
    zip.close();
  }
}

/** A storage reference with nothing behind it: enough for the pickle to build tensor views. */
function placeholderStorage(path: string, pid: unknown): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || !isStorageType(pid[1])) {
    throw new FormatError(path, `pickle has a persistent id that is not ('storage', type, key, location, numel)`);
  }
  const dtype: DType = pid[1].storageDtype;
  return { kind: 'storage', key: String(pid[2]), dtype, numel: Number(pid[4]) };
}

function collectLeaves(v: unknown, name: string, peek: TorchPeek, depth: number): void {
  if (isTensorRef(v)) peek.shapes.set(name, [...v.view.shape]);
  else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') peek.scalars.set(name, v);
  else if (v instanceof Map && depth < MAX_NAME_DEPTH) {
    for (const [k, child] of v) {
      if (typeof k === 'string' || typeof k === 'number') collectLeaves(child, name === '' ? String(k) : `${name}.${k}`, peek, depth + 1);
    }
  }
}

/** Shapes of the arrays in an .npz archive, from each member's .npy header; the data is never read. */
export function peekNpzShapes(path: string): Map<string, number[]> {
  const zip = openZip(path);
  try {
    const shapes = new Map<string, number[]>();
    for (const name of zip.entries.keys()) {
      if (name.endsWith('.npy')) shapes.set(name.slice(0, -4), npzMemberHeader(zip, name).shape);
    }
    return shapes;
  } finally {
    zip.close();
  }
}
