import type { PickleCallable } from './pickle.js';
import type { StridedView } from './strided.js';
import type { DType } from './tensor.js';

/**
 * The globals a PyTorch weights-only load accepts, as inert stand-ins. Anything else (os.system,
 * builtins.eval, numpy reconstructors, user classes) resolves to undefined and the file is refused.
 */
export const WEIGHTS_ONLY = 'only weights-only globals are allowed (torch tensors, storages, OrderedDict and plain containers)';

/** A storage type such as torch.FloatStorage; only ever an argument of a persistent id. */
export interface StorageType extends PickleCallable {
  readonly storageDtype: DType;
}

/** A `('storage', type, key, location, numel)` persistent id, resolved to `<prefix>/data/<key>`. */
export interface StorageRef {
  readonly kind: 'storage';
  readonly key: string;
  readonly dtype: DType;
  /** elements (bytes for UntypedStorage) */
  readonly numel: number;
}

export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  readonly view: StridedView;
}

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  DoubleStorage: 'F64',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

const TORCH_DTYPES = [
  'float32',
  'float',
  'float16',
  'half',
  'bfloat16',
  'float64',
  'double',
  'int64',
  'long',
  'int32',
  'int',
  'int16',
  'short',
  'int8',
  'uint8',
  'bool',
];

export function resolveTorchGlobal(module: string, name: string): PickleCallable | undefined {
  const qualifiedName = `${module}.${name}`;
  if (module === 'torch' && Object.hasOwn(STORAGE_DTYPES, name)) {
    return { qualifiedName, storageDtype: STORAGE_DTYPES[name] } as StorageType;
  }
  if (qualifiedName === 'torch.storage.UntypedStorage') return { qualifiedName, storageDtype: 'U8' } as StorageType;
  if (module === 'torch' && TORCH_DTYPES.includes(name)) return { qualifiedName };
  // Python 2 pickles name the builtins module __builtin__.
  const key = module === '__builtin__' ? `builtins.${name}` : qualifiedName;
  return Object.hasOwn(CALLABLES, key) ? { qualifiedName, call: CALLABLES[key] } : undefined;
}

export function isStorageType(v: unknown): v is StorageType {
  return typeof v === 'object' && v !== null && typeof (v as StorageType).storageDtype === 'string';
}

export function isTensorRef(v: unknown): v is TensorRef {
  return typeof v === 'object' && v !== null && (v as TensorRef).kind === 'tensor';
}

function isStorageRef(v: unknown): v is StorageRef {
  return typeof v === 'object' && v !== null && (v as StorageRef).kind === 'storage';
}

/** torch._utils._rebuild_tensor(_v2)(storage, storage_offset, size, stride, ...) */
function rebuildTensor(args: unknown[]): TensorRef {
  const [storage, offset, shape, strides] = args;
  if (!isStorageRef(storage)) throw new Error('the first argument is not a storage');
  if (typeof offset !== 'number' || !isIntList(shape) || !isIntList(strides)) {
    throw new Error('storage_offset, size and stride must be integers');
  }
  return { kind: 'tensor', storage, view: { offset, shape: [...shape], strides: [...strides] } };
}

/** torch._utils._rebuild_parameter(data, requires_grad, backward_hooks[, state]): a Parameter is its data. */
function rebuildParameter(args: unknown[]): TensorRef {
  if (!isTensorRef(args[0])) throw new Error('the first argument is not a tensor');
  return args[0];
}

function isIntList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x));
}

function asList(args: unknown[]): unknown[] {
  if (args.length === 0) return [];
  if (!Array.isArray(args[0])) throw new Error('expected a list');
  return [...args[0]];
}

const CALLABLES: Record<string, (args: unknown[]) => unknown> = {
  'collections.OrderedDict': (args) => {
    const m = new Map<unknown, unknown>();
    for (const pair of asList(args)) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new Error('expected (key, value) pairs');
      m.set(pair[0], pair[1]);
    }
    return m;
  },
  'torch._utils._rebuild_tensor': rebuildTensor,
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_parameter': rebuildParameter,
  'torch._utils._rebuild_parameter_with_state': rebuildParameter,
  'torch.Size': asList,
  'torch.device': (args) => String(args[0]),
  'builtins.set': asList,
  'builtins.frozenset': asList,
  'builtins.slice': (args) => ({ start: args[0] ?? null, stop: args[1] ?? null, step: args[2] ?? null }),
  'builtins.bytearray': (args) => (args[0] instanceof Uint8Array ? args[0] : new Uint8Array(0)),
  // Protocol 2 pickles bytes as _codecs.encode(text, 'latin1').
  '_codecs.encode': (args) => {
    const [text, encoding] = args;
    if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
      throw new Error('only _codecs.encode(str, "latin1") is accepted');
    }
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    if ([...text].some((c) => c.charCodeAt(0) > 0xff)) throw new Error('latin1 text has a character above U+00FF');
    return bytes;
  },
};
