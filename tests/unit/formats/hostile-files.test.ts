import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { npzBomb, torchBomb } from './fixtures-writers/bombs.js';
import { rawSafetensors } from './fixtures-writers/safetensors.js';
import { scratchDir } from './fixtures-writers/tmp.js';

/**
 * Hostile files, each read in a fresh process by the reader Loupe uses for it: every one is refused
 * with a specific error (or read correctly), and the child reports its time and peak memory, printed
 * here and held to the issue's bound of 300 MB resident (time is printed, never asserted).
 */
const tmp = scratchDir('hostile');
afterAll(() => tmp.remove());
const child = join(import.meta.dirname, 'hostile-child.ts');
const maxRssMb = 300;

interface Report {
  outcome: 'read' | 'refused';
  value?: unknown;
  error?: string;
  message?: string;
  ms: number;
  /** user + system CPU time: on a loaded machine wall time says more about the neighbours */
  cpuMs: number;
  maxRssMb: number;
}

function readInChild(reader: string, path: string): Report {
  // The timeout only guards against a hang (a FIFO opened for reading waits forever): it is not a bound under test.
  const run = spawnSync(process.execPath, ['--import', 'tsx', child, reader, path], { encoding: 'utf8', timeout: 300_000 });
  if (run.status !== 0) throw new Error(`child ${reader} ${path} ended with ${run.status ?? run.signal}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Report;
}

function dirWith(name: string, files: Record<string, string | Uint8Array>): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

function fifo(path: string): string {
  spawnSync('mkfifo', [path]);
  return path;
}

const measured: string[] = [];
afterAll(() => console.info(`hostile files (outcome, time, peak RSS of the reading process):\n${measured.join('\n')}`));

const config = JSON.stringify({
  model_type: 'gpt2',
  n_layer: 1,
  n_head: 1,
  n_embd: 4,
  n_positions: 8,
  vocab_size: 4,
  layer_norm_epsilon: 1e-5,
});

const cases: { name: string; reader: string; file: () => string; expect: RegExp | ((value: unknown) => void) }[] = [
  {
    name: 'tokenizer.json: 50 MB of sibling empty arrays',
    reader: 'tokenizer',
    file: () => join(dirWith('wide-tok', { 'tokenizer.json': `{"model":{"merges":[${'[],'.repeat(16_700_000)}[]]}}` }), 'tokenizer.json'),
    expect: /more than 2000000 arrays and objects/,
  },
  {
    name: 'tokenizer.json: 50 MB of nested arrays',
    reader: 'tokenizer',
    file: () =>
      join(dirWith('deep-tok', { 'tokenizer.json': `{"model":${'['.repeat(25_000_000)}${']'.repeat(25_000_000)}}` }), 'tokenizer.json'),
    expect: /nesting deeper than 32/,
  },
  {
    name: 'tokenizer.json: a 100 MB sparse file',
    reader: 'tokenizer',
    file: () => {
      const path = join(dirWith('huge-tok', { 'tokenizer.json': '{}' }), 'tokenizer.json');
      truncateSync(path, 100 << 20);
      return path;
    },
    expect: /is 104857600 bytes, over the 67108864-byte limit/,
  },
  {
    name: 'tokenizer.json: a FIFO',
    reader: 'tokenizer',
    file: () => fifo(join(dirWith('fifo-tok', {}), 'tokenizer.json')),
    expect: /is a FIFO \(named pipe\), not a tokenizer file or folder/,
  },
  {
    name: 'a folder whose tokenizer.json is a FIFO',
    reader: 'tokenizer',
    file: () => {
      const dir = dirWith('fifo-tok-dir', {});
      fifo(join(dir, 'tokenizer.json'));
      return dir;
    },
    expect: /tokenizer\.json: is not a regular file/,
  },
  {
    name: 'model folder whose config.json is a link to /dev/zero',
    reader: 'model',
    file: () => {
      const dir = dirWith('zero-config', {});
      symlinkSync('/dev/zero', join(dir, 'config.json'));
      return dir;
    },
    expect: /config\.json.*not a regular file/,
  },
  {
    name: 'model folder with a 5 MB config.json',
    reader: 'model',
    file: () => dirWith('big-config', { 'config.json': config.replace('{', '{' + ' '.repeat(5 << 20)) }),
    expect: /over the 4194304-byte limit/,
  },
  {
    name: '.pt whose 16-byte storage is a 1 GiB deflated member',
    reader: 'torch',
    file: () => tmp.write('bomb-1g.pt', torchBomb(1 << 30, true)),
    expect: /storage "0" is 1073741824 bytes, expected 16/,
  },
  {
    name: '.pt whose zip directory hides a 1 GiB deflate bomb',
    reader: 'torch',
    file: () => tmp.write('lying-1g.pt', torchBomb(1 << 30, false)),
    expect: /inflates past the 16 bytes its directory declares/,
  },
  {
    name: '.npz whose 16-byte array is a 1 GiB deflated member',
    reader: 'npz',
    file: () => tmp.write('bomb-1g.npz', npzBomb(1 << 30, true)),
    expect: /\.npy data is 1073741824 bytes, but shape \[4\] of F32 needs 16/,
  },
  {
    name: '.npz whose zip directory hides a 1 GiB deflate bomb',
    reader: 'npz',
    file: () => tmp.write('lying-1g.npz', npzBomb(1 << 30, false)),
    expect: /inflates past the \d+ bytes its directory declares/,
  },
  {
    name: 'a FIFO named like a Gemma Scope params.npz',
    reader: 'sae',
    file: () => fifo(join(tmp.dir, 'params.npz')),
    expect: /is a FIFO \(named pipe\), not an SAE file or folder/,
  },
  {
    name: 'safetensors header starting with a byte-order mark',
    reader: 'safetensors',
    file: () => tmp.write('bom.safetensors', rawSafetensors('\ufeff{}', new Uint8Array(0))),
    expect: /byte-order mark/,
  },
  {
    name: 'safetensors header length of 2^63',
    reader: 'safetensors',
    file: () => tmp.write('len.safetensors', rawSafetensors('{}', new Uint8Array(0), 1n << 63n)),
    expect: /header length .* (beyond|over)/,
  },
  {
    name: 'safetensors header of 50 MB nested arrays (declared honestly)',
    reader: 'safetensors',
    file: () =>
      tmp.write('deep.safetensors', rawSafetensors(`{"a":${'['.repeat(25_000_000)}${']'.repeat(25_000_000)}}`, new Uint8Array(0))),
    expect: /nesting deeper than 64/,
  },
  {
    name: 'safetensors U16, U32 and U64 tensors, read exactly',
    reader: 'safetensors',
    file: () => {
      const u16 = new Uint8Array(Uint16Array.of(0, 1, 65535).buffer);
      const u32 = new Uint8Array(Uint32Array.of(7, 16_777_216, 4_294_967_295).buffer);
      const u64 = new Uint8Array(BigUint64Array.of(3n, 9_007_199_254_740_993n).buffer);
      const header = JSON.stringify({
        a: { dtype: 'U16', shape: [3], data_offsets: [0, 6] },
        b: { dtype: 'U32', shape: [3], data_offsets: [6, 18] },
        c: { dtype: 'U64', shape: [2], data_offsets: [18, 34] },
      });
      return tmp.write('unsigned.safetensors', rawSafetensors(header, new Uint8Array([...u16, ...u32, ...u64])));
    },
    expect: (value) => expect(value).toEqual({ a: ['0', '1', '65535'], b: ['7', '16777216', '4294967295'], c: ['3', '9007199254740993'] }),
  },
];

describe('hostile files: each refused with a specific error or read exactly, in bounded memory', () => {
  it.each(cases)('$name', ({ name, reader, file, expect: expected }) => {
    const report = readInChild(reader, file());
    measured.push(
      `  ${name}: ${report.outcome}, ${report.ms.toFixed(0)} ms wall, ${report.cpuMs.toFixed(0)} ms CPU, ${report.maxRssMb.toFixed(0)} MB${report.message ? ` — ${report.message.slice(0, 140)}` : ''}`,
    );
    if (typeof expected === 'function') {
      expect(report.outcome, report.message).toBe('read');
      expected(report.value);
    } else {
      expect(report.outcome).toBe('refused');
      expect(report.error).toMatch(/FormatError|SaeError/);
      expect(report.message).toMatch(expected);
    }
    expect(report.maxRssMb).toBeLessThan(maxRssMb);
  });
});
