import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseNeuronpediaId } from '../../api/neuronpedia.js';
import type { AbsentStatKey, ImportSummary } from '../../api/types.js';
import { openSafetensors } from '../../formats/safetensors.js';
import { jsonLimits, readCappedJsonObjectSync, readFirstJsonlObjectSync } from '../../formats/strict-json.js';
import type { IndexCursor } from '../../store/index-runs-table.js';
import type { Workspace } from '../../store/workspace.js';
import { importDashboards } from './dashboard-import.js';
import type { ReadProgress } from './dashboard-import.js';
import { importDelphi } from './delphi-import.js';
import { detectExport, layoutFiles } from './detect.js';
import type { ExportLayout } from './detect.js';
import { finishImport, openImportTarget } from './import-target.js';
import { importNeighbours } from './import-neighbours.js';

export interface ImportConfig {
  /** the export: a Neuronpedia source folder (features/ + activations/), a folder of SAEDashboard batch-N.json files, or a delphi hookpoint folder */
  path: string;
  /** the registered model the export was made with (its tokenizer maps the export's tokens) */
  modelId: string;
  /** the registered SAE the export describes (its weights give the map and neighbours); without it the import gets an SAE row of its own */
  saeId?: string;
  /** activation rows (SAEDashboard) per commit, at least (default 4,096); delphi commits every 1,024 latents */
  commitRows?: number;
}

export interface ImportHooks {
  jobId?: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number, message: string) => void;
  /** after each commit: what an import killed from now on resumes from */
  onCommit?: (cursor: IndexCursor) => void;
}

/** What each layout never carries: the page shows these as absent. */
const ABSENT: Record<ExportLayout['format'], AbsentStatKey[]> = {
  // SAEDashboard states frac_nonzero but not the tokens behind it, nor a mean, nor per-token counts.
  neuronpedia: ['tokensSeen', 'fires', 'meanAct', 'frequent'],
  saedashboard: ['tokensSeen', 'fires', 'meanAct', 'frequent'],
  // delphi keeps every nonzero activation (exact statistics) but no quantile samples or output effects.
  delphi: ['quantiles', 'logits'],
};

/**
 * Imports an exported dashboard into the workspace as the index of an SAE: streaming, committed in
 * chunks, resumed where a killed import stopped (same path, model and SAE), and finished as the
 * SAE's current index run, so feature pages, search, the label queue and comparisons read it.
 */
export async function runImport(ws: Workspace, config: ImportConfig, hooks: ImportHooks = {}): Promise<ImportSummary> {
  const started = performance.now();
  const layout = detectExport(config.path);
  const files = layoutFiles(layout);
  const totalBytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const delphiShape = layout.format === 'delphi' ? delphiContext(layout) : null;
  const source = neuronpediaSource(layout);
  const t = await openImportTarget(
    ws,
    {
      format: layout.format,
      path: layout.dir,
      modelId: config.modelId,
      saeId: config.saeId,
      hook: layout.format === 'delphi' ? layout.hookpoint : null,
      dSae: layout.format === 'delphi' ? layout.splits[layout.splits.length - 1].end + 1 : null,
      contextLength: delphiShape ?? 1,
      absent: ABSENT[layout.format],
      dataset: datasetOf(layout, source),
      totalBytes,
      neuronpediaId: neuronpediaIdOf(source),
    },
    hooks.jobId ?? null,
  );
  t.onCommit = hooks.onCommit;
  const resumedAtRow = t.resumed ? (t.reader.rows ?? 0) : null;
  const progress: ReadProgress = {
    rows: t.reader.rows ?? 0,
    signal: hooks.signal,
    onBytes: (done) =>
      hooks.onProgress?.(
        Math.min(0.99, done / Math.max(1, totalBytes)),
        `${progress.rows.toLocaleString('en-US')} rows of ${layout.format} export`,
      ),
  };
  let unknownTokens = 0;
  if (layout.format === 'delphi') await importDelphi(t, layout, progress, totalBytes);
  else {
    unknownTokens = (await importDashboards(t, layout, config.commitRows ?? 4096, progress)).unknownTokens;
  }
  if (!t.weightless) {
    hooks.onProgress?.(0.99, 'nearest decoder directions');
    await importNeighbours(t);
  }
  finishImport(t);
  hooks.onProgress?.(1, 'imported');
  const features = ws.features.stats.count(t.run.id);
  return {
    saeId: t.sae.id,
    runId: t.run.id,
    format: layout.format,
    features,
    rows: progress.rows,
    windows: ws.features.windows.count(t.run.id),
    resumedAtRow,
    unknownTokens,
    seconds: (performance.now() - started) / 1000,
  };
}

function delphiContext(layout: Extract<ExportLayout, { format: 'delphi' }>): number {
  const file = openSafetensors(layout.splits[0].path);
  try {
    return file.entries.get('tokens')?.shape[1] ?? 1;
  } finally {
    file.close();
  }
}

/**
 * Neuronpedia's source.jsonl: one record a line, the source's record first (`id`, e.g. 6-res-jb, its `modelId` and
 * `dataset`). Null when the export has none; a record that is not a JSON object is refused, naming the file.
 */
function neuronpediaSource(layout: ExportLayout): Record<string, unknown> | null {
  if (layout.format !== 'neuronpedia') return null;
  const file = join(layout.dir, 'source.jsonl');
  return existsSync(file) ? readFirstJsonlObjectSync(file, jsonLimits.jsonlRecord) : null;
}

/** The Neuronpedia id ("model/source") the export names, when it names a well-formed one. */
function neuronpediaIdOf(source: Record<string, unknown> | null): string | null {
  if (typeof source?.modelId !== 'string' || typeof source.id !== 'string') return null;
  const id = `${source.modelId}/${source.id}`;
  return parseNeuronpediaId(id) ? id : null;
}

/** The dataset an export names: Neuronpedia's source.jsonl `dataset`, delphi's config.json `dataset_repo`. */
function datasetOf(layout: ExportLayout, source: Record<string, unknown> | null): string | null {
  const named = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
  if (layout.format === 'neuronpedia') return named(source?.dataset);
  if (layout.format === 'delphi') {
    // One JSON document, pretty-printed by delphi's json.dump(indent=4): read it whole; a broken one names itself.
    const file = join(layout.dir, 'config.json');
    return existsSync(file) ? named(readCappedJsonObjectSync(file, jsonLimits.config).dataset_repo) : null;
  }
  return null;
}
