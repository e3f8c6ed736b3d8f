// Reads one hostile file with one reader in a fresh process and reports what happened, how long it
// took and the process's peak resident memory. Used by hostile-files.test.ts.
// Usage: hostile-child.ts READER PATH
import { readNpz } from '../../../native/formats/numpy.js';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { readTorchCheckpoint } from '../../../native/formats/torch.js';
import { modelFiles } from '../../../native/models/model-files.js';
import { loadSae } from '../../../native/sae/formats/load.js';

const [reader, path] = process.argv.slice(2);
const readers: Record<string, () => Promise<unknown>> = {
  tokenizer: async () => (await loadTokenizer(path)).vocabSize,
  model: async () => modelFiles(path).config.family,
  torch: async () => [...readTorchCheckpoint(path).tensors.keys()],
  npz: async () => [...readNpz(path).keys()],
  sae: async () => loadSae(path).dSae,
  safetensors: async () => {
    const file = openSafetensors(path);
    try {
      return Object.fromEntries(
        [...file.entries.keys()].map((n) => [n, Array.from(file.read(n).data as ArrayLike<number | bigint>, String)]),
      );
    } finally {
      file.close();
    }
  },
};

const start = performance.now();
const cpuStart = process.cpuUsage();
let outcome: { outcome: 'read'; value: unknown } | { outcome: 'refused'; error: string; message: string };
try {
  outcome = { outcome: 'read', value: await readers[reader]() };
} catch (error) {
  outcome = { outcome: 'refused', error: (error as Error).constructor.name, message: (error as Error).message };
}
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(
  JSON.stringify({ ...outcome, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n',
);
