import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../native/api/random.js';
import { readNpy, readNpz } from '../../../native/formats/numpy.js';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { FormatError } from '../../../native/formats/tensor.js';
import { readTorchCheckpoint } from '../../../native/formats/torch.js';
import { npzBomb, torchBomb } from './fixtures-writers/bombs.js';
import { npyBytes, npzBytes } from './fixtures-writers/numpy.js';
import { PickleWriter } from './fixtures-writers/pickle.js';
import { f32Bytes, rawSafetensors } from './fixtures-writers/safetensors.js';
import { checkpointZip, statePickle } from './fixtures-writers/torch.js';
import type { TensorSpec } from './fixtures-writers/torch.js';
import { scratchDir } from './fixtures-writers/tmp.js';

const tmp = scratchDir('malformed');
afterAll(() => tmp.remove());

/** Runs `read` and returns its error, failing the test unless it is a FormatError. */
function formatErrorOf(read: () => unknown): FormatError {
  try {
    read();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('expected a FormatError, but the read succeeded');
}

let counter = 0;
function readSafetensorsBytes(bytes: Uint8Array): () => unknown {
  const path = tmp.write(`case-${counter++}.safetensors`, bytes);
  return () => openSafetensors(path).close();
}
const st = (header: string, data: Uint8Array, declared?: bigint) => readSafetensorsBytes(rawSafetensors(header, data, declared));
const f32 = (shape: number[], offsets: [number, number], dtype = 'F32') => ({ dtype, shape, data_offsets: offsets });

function readCheckpointBytes(bytes: Uint8Array): () => unknown {
  const path = tmp.write(`case-${counter++}.pt`, bytes);
  return () => readTorchCheckpoint(path);
}
const checkpoint = (pickle: Uint8Array, storages: Record<string, Uint8Array> = {}, byteorder?: string) =>
  readCheckpointBytes(checkpointZip({ pickle, storages, byteorder }));
const tensor = (t: Partial<TensorSpec>): TensorSpec => ({
  storageType: 'FloatStorage',
  key: '0',
  storageNumel: 4,
  offset: 0,
  shape: [4],
  strides: [1],
  ...t,
});

const cases: [string, () => () => unknown, RegExp][] = [
  // safetensors
  [
    'safetensors header length beyond the file',
    () => st('{}', new Uint8Array(0), 1000n),
    /header length 1000 runs beyond the end of the file/,
  ],
  [
    'safetensors header over 100 MB',
    () => st('{}', new Uint8Array(0), 200_000_000n),
    /header length 200000000 is over the 100000000-byte limit/,
  ],
  ['safetensors file shorter than the length prefix', () => readSafetensorsBytes(new Uint8Array([1, 2, 3])), /too short for the 8-byte/],
  ['safetensors malformed JSON', () => st('{"x": {"dtype": "F32",', new Uint8Array(0)), /header is malformed JSON/],
  [
    'safetensors duplicate tensor names',
    () => st(JSON.stringify({ w: f32([1], [0, 4]) }).replace('}}', `},"w":${JSON.stringify(f32([1], [4, 8]))}}`), f32Bytes([1, 2])),
    /names tensor "w" twice/,
  ],
  [
    'safetensors __proto__ key',
    () => st('{"__proto__":{"polluted":"yes"}}', new Uint8Array(0)),
    /tensor "__proto__": unknown dtype undefined/,
  ],
  [
    'safetensors unknown dtype',
    () => st(JSON.stringify({ x: f32([1], [0, 1], 'F8') }), new Uint8Array(1)),
    /tensor "x": unknown dtype "F8", expected one of F64, F32/,
  ],
  [
    'safetensors data_offsets out of range',
    () => st(JSON.stringify({ x: f32([2], [0, 8]) }), f32Bytes([1])),
    /tensor "x": data_offsets \[0, 8\] run beyond the 4-byte data section/,
  ],
  [
    'safetensors overlapping data_offsets',
    () => st(JSON.stringify({ a: f32([2], [0, 8]), b: f32([2], [4, 12]) }), f32Bytes([1, 2, 3])),
    /tensor "b".*overlap tensor "a"/,
  ],
  [
    'safetensors gap between tensors',
    () => st(JSON.stringify({ a: f32([1], [0, 4]), b: f32([1], [8, 12]) }), f32Bytes([1, 2, 3])),
    /tensor "b": gap of 4 unused bytes/,
  ],
  [
    'safetensors data_offsets end before they begin',
    () => st(JSON.stringify({ a: f32([0], [8, 4]) }), f32Bytes([1, 2])),
    /tensor "a": data_offsets \[8, 4\] end before they begin/,
  ],
  [
    'safetensors trailing garbage',
    () => st(JSON.stringify({ a: f32([1], [0, 4]) }), f32Bytes([1, 2])),
    /4 trailing bytes after the last tensor/,
  ],
  [
    'safetensors byte size not matching the shape',
    () => st(JSON.stringify({ a: f32([3], [0, 8]) }), f32Bytes([1, 2])),
    /tensor "a": data_offsets span 8 bytes but shape \[3\] of F32 needs 12/,
  ],
  [
    'safetensors negative shape',
    () => st(JSON.stringify({ a: f32([-1], [0, 0]) }), new Uint8Array(0)),
    /tensor "a": shape \[-1\] must be a list of non-negative integers/,
  ],
  ['safetensors fractional shape', () => st(JSON.stringify({ a: f32([1.5], [0, 4]) }), f32Bytes([1])), /tensor "a": shape \[1.5\] must be/],
  [
    'safetensors header starting with a byte-order mark',
    () => readSafetensorsBytes(rawSafetensors('\ufeff{}', new Uint8Array(0))),
    /safetensors header starts with a UTF-8 byte-order mark/,
  ],
  [
    'safetensors header starting with a space',
    () => st(' {}', new Uint8Array(0)),
    /safetensors header must start with "\{", not byte 0x20/,
  ],
  [
    'safetensors header nested deeper than 64',
    () => st('{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}', new Uint8Array(0)),
    /nesting deeper than 64/,
  ],
  ['safetensors non-string metadata', () => st('{"__metadata__":{"n":3}}', new Uint8Array(0)), /__metadata__ value "n" must be a string/],
  // PyTorch checkpoints
  [
    'pickle calling os.system via GLOBAL posix system',
    () => checkpoint(new PickleWriter().proto().global('posix', 'system').str('touch /tmp/pwned').tuple1().reduce().stop().bytes()),
    /refused global "posix\.system": only weights-only globals are allowed/,
  ],
  [
    'pickle calling os.system inside a state dict',
    () =>
      checkpoint(
        new PickleWriter().proto().emptyDict().str('w').global('os', 'system').str('id').tuple1().reduce().op(0x73).stop().bytes(),
      ),
    /refused global "os\.system"/,
  ],
  [
    'pickle using STACK_GLOBAL builtins.eval',
    () => checkpoint(new PickleWriter().proto(4).stackGlobal('builtins', 'eval').str('1+1').tuple1().reduce().stop().bytes()),
    /refused global "builtins\.eval"/,
  ],
  [
    'pickle using INST on os.system',
    () =>
      checkpoint(
        new PickleWriter()
          .proto()
          .mark()
          .str('id')
          .op(0x69)
          .op(...new TextEncoder().encode('os\nsystem\n'))
          .stop()
          .bytes(),
      ),
    /refused global "os\.system"/,
  ],
  [
    'pickle using an extension-registry opcode',
    () => checkpoint(new PickleWriter().proto().op(0x82, 1).stop().bytes()),
    /opcode 0x82 \(EXT1\)/,
  ],
  ['pickle without a STOP opcode', () => checkpoint(new PickleWriter().proto().emptyDict().bytes()), /ends without a STOP opcode/],
  [
    'pickle truncated inside a string',
    () => checkpoint(new PickleWriter().proto().str('hello').bytes().slice(0, 8)),
    /truncated: needs 5 bytes, 1 left/,
  ],
  [
    'pickle whose list contains itself',
    () => checkpoint(new PickleWriter().proto().emptyDict().str('a').emptyList().put(0).get(0).op(0x61).op(0x73).stop().bytes()),
    /pickle entry "a\.0" contains itself/,
  ],
  ['pickle whose shared references would explode when flattened', () => checkpoint(explodingPickle(40)), /shared objects so often/],
  [
    'checkpoint view that broadcasts beyond memory',
    () => checkpoint(statePickle({ w: tensor({ shape: [2 ** 26, 2 ** 26], strides: [0, 0] }) }), { '0': f32Bytes([1, 2, 3, 4]) }),
    /tensor "w": 4503599627370496 elements of F32 do not fit in memory/,
  ],
  [
    'checkpoint zip with data.pkl missing',
    () => readCheckpointBytes(checkpointZip({ pickle: new Uint8Array(0), storages: { '0': f32Bytes([1]) }, omitPickle: true })),
    /no <name>\/data\.pkl/,
  ],
  [
    'checkpoint storage key that does not exist',
    () => checkpoint(statePickle({ w: tensor({ key: '7' }) }), { '0': f32Bytes([1, 2, 3, 4]) }),
    /tensor "w" uses storage "7", but the zip has no archive\/data\/7/,
  ],
  [
    'checkpoint truncated storage',
    () => checkpoint(statePickle({ w: tensor({}) }), { '0': f32Bytes([1, 2, 3]) }),
    /tensor "w": storage "0" is 12 bytes, expected 16/,
  ],
  [
    'checkpoint view beyond its storage',
    () => checkpoint(statePickle({ w: tensor({ offset: 2 }) }), { '0': f32Bytes([1, 2, 3, 4]) }),
    /tensor "w": view .* reaches element 5 of a storage that holds 4/,
  ],
  [
    'checkpoint with big-endian byteorder',
    () => checkpoint(statePickle({ w: tensor({}) }), { '0': f32Bytes([1, 2, 3, 4]) }, 'big'),
    /byteorder is "big"/,
  ],
  [
    'checkpoint storage with a flipped bit',
    () => {
      const zip = checkpointZip({ pickle: statePickle({ w: tensor({}) }), storages: { '0': f32Bytes([1, 2, 3, 4]) } });
      const at = findBytes(zip, f32Bytes([1, 2, 3, 4]));
      zip[at + 5] ^= 0x10;
      return readCheckpointBytes(zip);
    },
    /zip member "archive\/data\/0" is corrupt: CRC-32 mismatch/,
  ],
  [
    'checkpoint whose 16-byte storage is a 256 MiB deflated member',
    () => readCheckpointBytes(torchBomb(256 << 20, true)),
    /tensor "w": storage "0" is 268435456 bytes, expected 16 \(4 × F32\)/,
  ],
  [
    'checkpoint whose zip directory hides a deflate bomb',
    () => readCheckpointBytes(torchBomb(256 << 20, false)),
    /zip member "archive\/data\/0" inflates past the 16 bytes its directory declares/,
  ],
  [
    'checkpoint that is not a zip',
    () => readCheckpointBytes(new TextEncoder().encode('just some text, no zip here at all')),
    /not a zip archive/,
  ],
  [
    'checkpoint in the legacy non-zip format',
    () => readCheckpointBytes(new PickleWriter().proto().int(1).stop().bytes()),
    /legacy \(pre-1\.6, non-zip\) torch\.save file/,
  ],
  // numpy
  [
    'npy object array',
    () => () => readNpy(npyBytes({ descr: '|O', shape: [2], data: new Uint8Array(16) }), 'obj.npy'),
    /obj\.npy: \.npy holds an object array/,
  ],
  [
    'npy big-endian',
    () => () => readNpy(npyBytes({ descr: '>f4', shape: [1], data: new Uint8Array(4) }), 'be.npy'),
    /dtype '>f4' is big-endian/,
  ],
  [
    'npy structured dtype',
    () => () =>
      readNpy(npyBytes({ descr: "[('a', '<f4'), ('b', '<i4')]", quoteDescr: false, shape: [1], data: new Uint8Array(8) }), 's.npy'),
    /structured dtype/,
  ],
  [
    'npy unsupported dtype',
    () => () => readNpy(npyBytes({ descr: '<c8', shape: [1], data: new Uint8Array(8) }), 'c.npy'),
    /dtype '<c8' is not supported/,
  ],
  [
    'npy data shorter than its shape',
    () => () => readNpy(npyBytes({ descr: '<f4', shape: [3], data: new Uint8Array(8) }), 'short.npy'),
    /data is 8 bytes, but shape \[3\] of F32 needs 12/,
  ],
  ['npy bad magic', () => () => readNpy(new TextEncoder().encode('PK not numpy at all'), 'x.npy'), /not a \.npy file: bad magic/],
  [
    'npz with a corrupt member',
    () => {
      const zip = npzBytes({
        W: npyBytes({ descr: '<f4', shape: [64], data: f32Bytes(Array.from({ length: 64 }, (_, i) => Math.sin(i))) }),
      });
      zip[60] ^= 0xff;
      const path = tmp.write('corrupt.npz', zip);
      return () => readNpz(path);
    },
    /zip member "W\.npy" is corrupt/,
  ],
  [
    'npz whose 16-byte array is a 256 MiB deflated member',
    () => {
      const path = tmp.write('bomb.npz', npzBomb(256 << 20, true));
      return () => readNpz(path);
    },
    /bomb\.npz:W\.npy: \.npy data is 268435456 bytes, but shape \[4\] of F32 needs 16/,
  ],
  [
    'npz whose zip directory hides a deflate bomb',
    () => {
      const path = tmp.write('lying-bomb.npz', npzBomb(256 << 20, false));
      return () => readNpz(path);
    },
    /zip member "W\.npy" inflates past the \d+ bytes its directory declares/,
  ],
  [
    'npz with a member that is not .npy',
    () => {
      const path = tmp.write('notes.npz', checkpointZip({ pickle: new Uint8Array(1), storages: {} }));
      return () => readNpz(path);
    },
    /\.npz member ".*" is not a \.npy array/,
  ],
];

describe('malformed files fail with specific FormatErrors', () => {
  it.each(cases)('%s', (_name, make, message) => {
    expect(formatErrorOf(make()).message).toMatch(message);
  });

  it('a __proto__ key pollutes nothing', () => {
    formatErrorOf(st('{"__proto__":{"polluted":"yes"}}', new Uint8Array(0)));
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('damaged files never crash with anything but FormatError', () => {
  it('every truncation of a safetensors file', () => {
    const full = rawSafetensors(JSON.stringify({ a: f32([2], [0, 8]), b: f32([1], [8, 12]) }), f32Bytes([1, 2, 3]));
    for (let n = 0; n < full.length; n++) formatErrorOf(readSafetensorsBytes(full.subarray(0, n)));
  });

  it('every truncation of a checkpoint zip', () => {
    const full = checkpointZip({ pickle: statePickle({ w: tensor({}) }), storages: { '0': f32Bytes([1, 2, 3, 4]) } });
    for (let n = 0; n < full.length; n += 7) formatErrorOf(readCheckpointBytes(full.subarray(0, n)));
  });

  it('random byte flips in a state-dict pickle', () => {
    const pickle = statePickle({ w: tensor({ parameter: true }), cfg: { k: 6, name: 'x' } });
    const random = mulberry32(1234);
    for (let trial = 0; trial < 300; trial++) {
      const bad = pickle.slice();
      for (let i = 0; i < 3; i++) bad[Math.floor(random() * bad.length)] = Math.floor(random() * 256);
      const read = checkpoint(bad, { '0': f32Bytes([1, 2, 3, 4]) });
      try {
        read();
      } catch (e) {
        expect(e).toBeInstanceOf(FormatError);
      }
    }
  });
});

/** D0 = {x: 1}; Dk = {a: Dk-1, b: Dk-1}: a few hundred bytes that name 2^depth leaves. */
function explodingPickle(depth: number): Uint8Array {
  const w = new PickleWriter().proto().emptyDict().str('x').int(1).op(0x73).put(0).op(0x30); // POP: keep it in the memo only
  for (let i = 1; i <= depth; i++)
    w.emptyDict()
      .str('a')
      .get(i - 1)
      .op(0x73)
      .str('b')
      .get(i - 1)
      .op(0x73)
      .put(i)
      .op(0x30);
  return w.get(depth).stop().bytes();
}

function findBytes(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('needle not found');
}
