// `npm run bench`: every benchmark, one run, speeds as ratios to limits measured in the same run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { benchCompare } from './compare.js';
import { benchEncode } from './encode.js';
import { benchForward } from './forward.js';
import { benchGenerate } from './generate.js';
import { benchStore } from './store.js';
import { benchIndex } from './index.js';
import { benchLlama } from './llama.js';
import { benchMap } from './map.js';
import { benchMaps } from './maps.js';
import { benchSplit } from './split.js';
import { benchTrain } from './train.js';
import { benchImport } from './import.js';
import type { BenchResult } from './types.js';

const suites: [string, () => Promise<BenchResult[]>][] = [
  ['forward', benchForward],
  ['encode', benchEncode],
  ['train', benchTrain],
  ['store', benchStore],
  ['index', benchIndex],
  ['map', benchMap],
  ['maps', benchMaps],
  ['compare', benchCompare],
  ['split', benchSplit],
  ['import', benchImport],
  ['generate', benchGenerate],
  ['llama', benchLlama],
];

function format(n: number): string {
  if (n === 0) return '–';
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

const only = process.argv.slice(2);
const results: BenchResult[] = [];
for (const [name, run] of suites) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stdout.write(`running ${name}…\n`);
  results.push(...(await run()));
}

const rows = results.map((r) => [
  r.name,
  `${format(r.value)} ${r.unit}`,
  r.limit ? `${format(r.limit)} ${r.unit}` : '–',
  r.ratio ? r.ratio.toFixed(2) : '–',
  r.note,
]);
const header = ['benchmark', 'measured', 'limit', 'ratio', 'note'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
process.stdout.write(
  `\n${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n${rows.map(line).join('\n')}\n`,
);

const outDir = join(import.meta.dirname, '..', 'test-output');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'bench.json'), JSON.stringify({ at: new Date().toISOString(), cpus: cpus().length, results }, null, 2));
