import { closeSync, openSync, readSync } from 'node:fs';
import { isCallable, unpickle } from './pickle.js';
import { materialise } from './strided.js';
import { FormatError, dtypeSize } from './tensor.js';
import type { HostTensor } from './tensor.js';
import { WEIGHTS_ONLY, isStorageType, isTensorRef, resolveTorchGlobal } from './torch-globals.js';
import type { StorageRef, TensorRef } from './torch-globals.js';
import { openZip } from './zip.js';
import type { ZipArchive } from './zip.js';

export interface TorchCheckpoint {
  tensors: Map<string, HostTensor>;
  /** non-tensor leaves by flattened name (ints, floats, strings, lists of them); a null-prototype object */
  extra: Record<string, unknown>;
}

const MAX_DEPTH = 64;
/** data.pkl holds names, shapes and storage keys, never weights: a few KB even for a 70B model. */
export const MAX_PICKLE_BYTES = 64 << 20;

/**
 * Reads a PyTorch zip checkpoint (torch.save since 1.6) without executing its pickle. A state dict
 * is flattened to tensors; nested dicts join keys with '.', lists use indices; a bare tensor is named "".
 */
export function readTorchCheckpoint(path: string): TorchCheckpoint {
  refuseLegacyFormat(path);
  const zip = openZip(path);
  try {
    const prefix = findPrefix(zip);
    checkByteOrder(zip, prefix);
    const root = unpickle(zip.read(`${prefix}/data.pkl`, { maxBytes: MAX_PICKLE_BYTES }), {
      source: path,
      resolveGlobal: resolveTorchGlobal,
      persistentLoad: (pid) => storageRef(path, pid),
      allowedDescription: WEIGHTS_ONLY,
    });
    const refs = new Map<string, TensorRef>();
    const extra: Record<string, unknown> = Object.create(null);
    // Shared references can make a tiny pickle a huge tree (a list holding itself twice, 40 deep);
    // a real state dict visits each object once, so visits beyond the pickle's size mean abuse.
    const budget = { left: 4 * zip.entries.get(`${prefix}/data.pkl`)!.size + 1000 };
    flatten({ path, refs, extra, budget }, root, '', []);
    const storages = new Map<string, Uint8Array>();
    const tensors = new Map<string, HostTensor>();
    for (const [name, ref] of refs) tensors.set(name, loadTensor(zip, prefix, name, ref, storages));
    return { tensors, extra };
  } finally {
    zip.close();
  }
}

/** Before 1.6, torch.save wrote a bare pickle stream; name that instead of "not a zip". */
function refuseLegacyFormat(path: string): void {
  const fd = openSync(path, 'r');
  const head = new Uint8Array(2);
  const n = readSync(fd, head, 0, 2, 0);
  closeSync(fd);
  if (n === 2 && head[0] === 0x80) {
    throw new FormatError(path, 'is a legacy (pre-1.6, non-zip) torch.save file; re-save it with a recent PyTorch or as safetensors');
  }
}

function findPrefix(zip: ZipArchive): string {
  const pickles = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    throw new FormatError(
      zip.path,
      pickles.length === 0
        ? 'zip has no <name>/data.pkl, so it is not a PyTorch checkpoint'
        : `zip has ${pickles.length} data.pkl members (${pickles.join(', ')}), expected one`,
    );
  }
  return pickles[0].slice(0, -'/data.pkl'.length);
}

/** Checkpoints written before the byteorder file existed are little-endian. */
function checkByteOrder(zip: ZipArchive, prefix: string): void {
  const name = `${prefix}/byteorder`;
  if (!zip.entries.has(name)) return;
  const order = new TextDecoder().decode(zip.read(name, { maxBytes: 64 })).trim();
  if (order !== 'little') throw new FormatError(zip.path, `byteorder is "${order}"; only little-endian checkpoints are read`);
}

function storageRef(path: string, pid: unknown): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length !== 5) {
    throw new FormatError(path, `pickle has a persistent id that is not ('storage', type, key, location, numel)`);
  }
  const [, type, key, , count] = pid;
  if (!isStorageType(type)) {
    const name = isCallable(type) ? type.qualifiedName : typeof type;
    throw new FormatError(path, `persistent id names storage type ${name}, expected a torch.*Storage`);
  }
  if (typeof key !== 'string' || !/^[\w.-]+$/.test(key) || !Number.isSafeInteger(count) || (count as number) < 0) {
    throw new FormatError(path, `persistent id has a bad storage key ${JSON.stringify(key)} or size ${String(count)}`);
  }
  return { kind: 'storage', key, dtype: type.storageDtype, numel: count };
}

interface FlattenState {
  path: string;
  refs: Map<string, TensorRef>;
  extra: Record<string, unknown>;
  budget: { left: number };
}

function flatten(st: FlattenState, v: unknown, name: string, parents: object[]): void {
  const { path, refs, extra } = st;
  spend(st);
  if (isTensorRef(v)) {
    if (refs.has(name) || Object.hasOwn(extra, name)) throw new FormatError(path, `two entries flatten to the name "${name}"`);
    refs.set(name, v);
    return;
  }
  const isBranch = v instanceof Map || (Array.isArray(v) && v.some((x) => isTensorRef(x) || x instanceof Map || Array.isArray(x)));
  if (!isBranch) {
    if (refs.has(name) || Object.hasOwn(extra, name)) throw new FormatError(path, `two entries flatten to the name "${name}"`);
    extra[name] = toPlain(st, v, parents.length);
    return;
  }
  const container = v as Map<unknown, unknown> | unknown[];
  if (parents.includes(container)) throw new FormatError(path, `pickle entry "${name}" contains itself`);
  if (parents.length > MAX_DEPTH) throw new FormatError(path, `pickle nests deeper than ${MAX_DEPTH} levels at "${name}"`);
  const children: [unknown, unknown][] = container instanceof Map ? [...container] : container.map((x, i) => [i, x]);
  for (const [k, child] of children) {
    if (typeof k !== 'string' && typeof k !== 'number')
      throw new FormatError(path, `dict at "${name}" has a key that is not a string or int`);
    flatten(st, child, name === '' ? String(k) : `${name}.${k}`, [...parents, container]);
  }
}

/** Non-tensor data as JSON-like values: dicts become null-prototype objects, globals their names. */
function toPlain(st: FlattenState, v: unknown, depth: number): unknown {
  spend(st);
  if (depth > MAX_DEPTH) throw new FormatError(st.path, `pickle nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(v)) return v.map((x) => toPlain(st, x, depth + 1));
  if (v instanceof Map) {
    const o: Record<string, unknown> = Object.create(null);
    for (const [k, x] of v) o[String(k)] = toPlain(st, x, depth + 1);
    return o;
  }
  if (isCallable(v)) return v.qualifiedName;
  if (isTensorRef(v)) return '<tensor>';
  return v;
}

function spend(st: FlattenState): void {
  if (--st.budget.left < 0) throw new FormatError(st.path, 'pickle refers to shared objects so often that flattening it would explode');
}

function loadTensor(zip: ZipArchive, prefix: string, name: string, ref: TensorRef, cache: Map<string, Uint8Array>): HostTensor {
  const { key, dtype, numel } = ref.storage;
  const what = `tensor "${name}"`;
  const expected = numel * dtypeSize(dtype);
  let bytes = cache.get(key);
  if (!bytes) {
    const member = `${prefix}/data/${key}`;
    const entry = zip.entries.get(member);
    if (!entry) throw new FormatError(zip.path, `${what} uses storage "${key}", but the zip has no ${member}`);
    // Compared before reading: a member claiming more than the pickle declares is never inflated.
    if (entry.size !== expected) throw storageSizeError(zip.path, what, key, entry.size, expected, ref);
    bytes = zip.read(member, { size: expected });
    cache.set(key, bytes);
  }
  if (bytes.length !== expected) throw storageSizeError(zip.path, what, key, bytes.length, expected, ref);
  return { dtype, shape: [...ref.view.shape], data: materialise(zip.path, what, dtype, bytes, ref.view) };
}

function storageSizeError(path: string, what: string, key: string, size: number, expected: number, ref: TensorRef): FormatError {
  const { numel, dtype } = ref.storage;
  return new FormatError(
    path,
    `${what}: storage "${key}" is ${size} bytes, expected ${expected} (${numel} × ${dtype}); the storage is truncated or mislabelled`,
  );
}
