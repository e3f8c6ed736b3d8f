import { zipSync } from 'fflate';
import { PickleWriter } from './pickle.js';

/** One tensor in a hand-built checkpoint: a view of storage `key` as torch.save would pickle it. */
export interface TensorSpec {
  storageType: string; // e.g. 'FloatStorage'
  key: string;
  storageNumel: number;
  offset: number;
  shape: number[];
  strides: number[];
  parameter?: boolean; // wrap in torch._utils._rebuild_parameter
}

export type StateValue = TensorSpec | number | string | boolean | null | { [key: string]: StateValue };

function isTensorSpec(v: StateValue): v is TensorSpec {
  return typeof v === 'object' && v !== null && typeof (v as TensorSpec).storageType === 'string';
}

/** Writes a value the way torch.save's protocol-2 pickler does (OrderedDicts via REDUCE, tensors via _rebuild_tensor_v2). */
export function writeStateValue(w: PickleWriter, v: StateValue): void {
  if (v === null) w.none();
  else if (typeof v === 'boolean') w.bool(v);
  else if (typeof v === 'number' && Number.isInteger(v)) w.int(v);
  else if (typeof v === 'number') w.float(v);
  else if (typeof v === 'string') w.str(v);
  else if (isTensorSpec(v)) writeTensor(w, v);
  else {
    w.global('collections', 'OrderedDict').emptyTuple().reduce().mark();
    for (const [k, x] of Object.entries(v)) {
      w.str(k);
      writeStateValue(w, x);
    }
    w.setItems();
  }
}

function writeTensor(w: PickleWriter, t: TensorSpec): void {
  if (t.parameter) w.global('torch._utils', '_rebuild_parameter').mark();
  w.global('torch._utils', '_rebuild_tensor_v2').mark();
  w.mark().str('storage').global('torch', t.storageType).str(t.key).str('cpu').int(t.storageNumel).tuple().binPersId();
  w.int(t.offset).intTuple(t.shape).intTuple(t.strides).bool(false);
  w.global('collections', 'OrderedDict').emptyTuple().reduce();
  w.tuple().reduce();
  if (t.parameter) w.bool(true).global('collections', 'OrderedDict').emptyTuple().reduce().tuple().reduce();
}

export function statePickle(state: StateValue): Uint8Array {
  const w = new PickleWriter().proto(2);
  writeStateValue(w, state);
  return w.stop().bytes();
}

export interface CheckpointParts {
  name?: string;
  pickle: Uint8Array;
  storages: Record<string, Uint8Array>;
  byteorder?: string;
  omitPickle?: boolean;
}

/** A torch.save-style zip: `<name>/data.pkl`, `<name>/data/<key>`, `<name>/version`, `<name>/byteorder`. */
export function checkpointZip(parts: CheckpointParts): Uint8Array {
  const name = parts.name ?? 'archive';
  const files: Record<string, Uint8Array> = {};
  if (!parts.omitPickle) files[`${name}/data.pkl`] = parts.pickle;
  if (parts.byteorder !== undefined) files[`${name}/byteorder`] = new TextEncoder().encode(parts.byteorder);
  for (const [key, bytes] of Object.entries(parts.storages)) files[`${name}/data/${key}`] = bytes;
  files[`${name}/version`] = new TextEncoder().encode('3\n');
  return zipSync(files, { level: 0 });
}
