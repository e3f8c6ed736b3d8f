// Dashboard import speed (issue 16): a generated Neuronpedia bulk export (gzip JSON lines) and a
// delphi latent cache (safetensors splits) of the demo model's Brown windows, imported into a fresh
// workspace with `runImport`. No limit to judge against: features/s and rows/s as measured.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerModel } from '../native/registry/catalog.js';
import { runImport } from '../native/index/import/run-import.js';
import { loadTokenizer } from '../native/formats/tokenizer.js';
import { openWorkspace } from '../native/store/workspace.js';
import { expectedFeatures, realWindows, writeDelphiCache, writeNeuronpediaExport } from '../tests/fixtures-writers/dashboard-exports.js';
import type { ExportSpec } from '../tests/fixtures-writers/dashboard-exports.js';
import type { BenchResult } from './types.js';

const MODEL = join(import.meta.dirname, '..', 'resources', 'demo', 'model');
const DASHBOARD: ExportSpec = { features: 2048, perBatch: 128, windows: 512, ctx: 64, seed: 1, top: 10, perInterval: 3, intervals: 5 };
const DELPHI: ExportSpec = { ...DASHBOARD, features: 1024, windows: 256 };

async function timed(dir: string, name: string, path: string): Promise<{ seconds: number; features: number; rows: number }> {
  const ws = openWorkspace(join(dir, name));
  try {
    const model = await registerModel(ws, MODEL);
    const started = performance.now();
    const summary = await runImport(ws, { path, modelId: model.id });
    return { seconds: (performance.now() - started) / 1000, features: summary.features, rows: summary.rows };
  } finally {
    ws.close();
  }
}

export async function benchImport(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-bench-import-'));
  try {
    const tokenizer = await loadTokenizer(MODEL);
    const windows = await realWindows(tokenizer, DASHBOARD.windows, DASHBOARD.ctx);
    const np = join(dir, 'np');
    writeNeuronpediaExport(np, DASHBOARD, expectedFeatures(DASHBOARD, windows, tokenizer.vocabSize), windows, tokenizer);
    const delphi = join(dir, 'delphi', 'blocks.0.hook_mlp_out');
    writeDelphiCache(delphi, DELPHI, windows.slice(0, DELPHI.windows), 4);
    const a = await timed(dir, 'ws-np', np);
    const b = await timed(dir, 'ws-delphi', delphi);
    const result = (name: string, value: number, unit: string, note: string): BenchResult => ({
      name,
      value,
      unit,
      limit: 0,
      ratio: 0,
      note,
    });
    return [
      result(
        'import neuronpedia features',
        a.features / a.seconds,
        'features/s',
        `${a.features} features, ${a.rows} activation rows (${DASHBOARD.ctx} tokens each), gzip JSON lines, ${a.seconds.toFixed(2)} s`,
      ),
      result('import neuronpedia rows', a.rows / a.seconds, 'rows/s', 'activation rows, each one example window with per-token values'),
      result(
        'import delphi features',
        b.features / b.seconds,
        'features/s',
        `${b.features} latents over ${DELPHI.windows}×${DELPHI.ctx} tokens, ${b.rows} nonzero rows, 4 splits, ${b.seconds.toFixed(2)} s`,
      ),
      result('import delphi rows', b.rows / b.seconds, 'rows/s', 'nonzero (location, activation) rows, read twice'),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
