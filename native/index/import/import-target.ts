import { resolve } from 'node:path';
import { ApiFailure } from '../../api/errors.js';
import type { AbsentStatKey, ImportFormat, weightlessSaeFormats } from '../../api/types.js';
import { loadTokenizer } from '../../formats/tokenizer.js';
import type { Tokenizer } from '../../formats/tokenizer.js';
import { modelFiles } from '../../models/model-files.js';
import type { IndexBatch } from '../../store/index-batch.js';
import type { IndexCursor, IndexRun } from '../../store/index-runs-table.js';
import type { SaeRecord } from '../../store/saes-table.js';
import type { Workspace } from '../../store/workspace.js';
import { uniqueId } from '../../registry/catalog.js';

/**
 * Where an import writes: an SAE row (the registered SAE whose weights the export describes, or a
 * row without weights named after the export) and an index run of it marked as imported. Data
 * arrives in commits, each one transaction holding its rows and the reader's cursor, so a killed
 * import resumes after its last commit and a finished one is the SAE's index like any other.
 */

/** What a reader has resumed to: its own position, as JSON (which file, which line). */
export type ReaderCursor = Record<string, number>;

const CURSOR_STATE = 'import.cursor';

export interface ImportTargetSpec {
  format: ImportFormat;
  /** the export folder or file, absolute */
  path: string;
  modelId: string;
  /** a registered SAE with weights, or undefined for a row without weights */
  saeId?: string;
  /** hook the export reads, when it says (written on a row without weights) */
  hook: string | null;
  /** features the export covers, when known before reading (delphi: from its file names) */
  dSae: number | null;
  contextLength: number;
  /** what this format never carries */
  absent: AbsentStatKey[];
  dataset: string | null;
  /** the progress denominator: bytes of the export's files */
  totalBytes: number;
  /** "model/source" when the export names its Neuronpedia source (source.jsonl): a row without weights links its features there */
  neuronpediaId: string | null;
}

export interface ImportTarget {
  ws: Workspace;
  sae: SaeRecord;
  run: IndexRun;
  tokenizer: Tokenizer;
  /** the run's cursor as last committed */
  cursor: IndexCursor;
  /** the reader's cursor as last committed (empty for a fresh run) */
  reader: ReaderCursor;
  /** the SAE row has no weights: its d_sae grows with the features the export holds */
  weightless: boolean;
  resumed: boolean;
  /** after each commit's transaction: what an import killed from now on resumes from */
  onCommit?: (cursor: IndexCursor) => void;
}

/** Opens (or resumes) the import's run; nothing of the export has been read. */
export async function openImportTarget(ws: Workspace, spec: ImportTargetSpec, jobId: string | null): Promise<ImportTarget> {
  const model = ws.models.get(spec.modelId);
  if (!model)
    throw new ApiFailure(
      'not_found',
      `no model "${spec.modelId}" in this workspace: register it first (loupe import --model DIR does)`,
      'modelId',
    );
  const tokenizer = await loadTokenizer(modelFiles(model.path).dir);
  const sae = spec.saeId === undefined ? weightlessSae(ws, spec, model.dModel) : registeredSae(ws, spec.saeId, spec.modelId);
  const params = { import: spec.format, path: spec.path, modelId: spec.modelId };
  const runs = ws.features.runs;
  const open = runs.resumable(sae.id);
  let run: IndexRun;
  let resumed = false;
  if (open && JSON.stringify(open.params) === JSON.stringify(params)) {
    run = open;
    resumed = open.batchesDone > 0;
  } else {
    if (open) runs.setState(open.id, 'cancelled', 'superseded by an import', new Date().toISOString());
    run = ws.imports.createRun(
      {
        saeId: sae.id,
        modelId: spec.modelId,
        jobId,
        corpusSpec: `${spec.format}:${spec.dataset ?? spec.path}`,
        contextLength: spec.contextLength,
        tokensTarget: Math.max(1, spec.totalBytes),
        params,
      },
      { format: spec.format, path: spec.path, absent: spec.absent, dataset: spec.dataset },
    );
  }
  const state = ws.features.state.get(run.id, CURSOR_STATE);
  const reader = state ? (JSON.parse(Buffer.from(state).toString('utf8')) as ReaderCursor) : {};
  return {
    ws,
    sae,
    run,
    tokenizer,
    cursor: { batchesDone: run.batchesDone, windowsDone: run.windowsDone, tokensDone: run.tokensDone },
    reader,
    weightless: spec.saeId === undefined,
    resumed,
  };
}

function registeredSae(ws: Workspace, saeId: string, modelId: string): SaeRecord {
  const sae = ws.saes.get(saeId);
  if (!sae) throw new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, 'saeId');
  if (sae.modelId !== modelId)
    throw new ApiFailure('conflict', `SAE "${sae.name}" reads model ${sae.modelId ?? '(none)'}, not ${modelId}`, 'saeId');
  return sae;
}

/** The export's own SAE row (found again by path on a resumed or repeated import). */
function weightlessSae(ws: Workspace, spec: ImportTargetSpec, dModel: number): SaeRecord {
  const format: (typeof weightlessSaeFormats)[number] = `${spec.format}-export`;
  const existing = ws.saes.findByPath(spec.path);
  if (existing) {
    if (existing.format !== format)
      throw new ApiFailure('conflict', `${spec.path} is registered as an SAE of format ${existing.format}, not an export`, 'path');
    return existing;
  }
  const name = spec.path.split(/[\\/]/).filter(Boolean).slice(-2).join('-');
  const record: SaeRecord = {
    id: uniqueId(name, (id) => ws.saes.get(id) !== undefined),
    name,
    path: resolve(spec.path),
    format,
    modelId: spec.modelId,
    hookName: spec.hook ?? '',
    dIn: dModel,
    dSae: spec.dSae ?? 0,
    activation: 'unknown',
    k: null,
    fingerprint: '',
    addedAt: new Date().toISOString(),
    config: { imported: spec.format, weights: null, ...(spec.neuronpediaId ? { neuronpedia_id: spec.neuronpediaId } : {}) },
  };
  ws.saes.insert(record);
  return record;
}

export type ImportRows = Omit<IndexBatch, 'runId' | 'from' | 'to' | 'state' | 'now'>;

/**
 * Commits rows, the run's cursor and the reader's in one transaction. `features` is one more than the
 * largest feature index in the rows: a row without weights grows to it, a registered SAE must hold it.
 * `contextLength` (when above 0) grows the run's window length in the same transaction.
 */
export function commitImport(
  t: ImportTarget,
  rows: ImportRows,
  advance: { windows: number; tokens: number; features: number; contextLength?: number },
  reader: ReaderCursor,
): void {
  if (!t.weightless && advance.features > t.sae.dSae) {
    throw new ApiFailure(
      'conflict',
      `the export has feature ${advance.features - 1}, but SAE "${t.sae.name}" has ${t.sae.dSae} features: is it the SAE the export was made from?`,
      'saeId',
    );
  }
  const to = { windowsDone: t.cursor.windowsDone + advance.windows, tokensDone: t.cursor.tokensDone + advance.tokens };
  const grows = t.weightless && advance.features > t.sae.dSae;
  t.cursor = t.ws.imports.commit(
    { runId: t.run.id, from: t.cursor, to, ...rows, state: { [CURSOR_STATE]: Buffer.from(JSON.stringify(reader), 'utf8') } },
    {
      ...(grows ? { dSae: { saeId: t.sae.id, features: advance.features } } : {}),
      ...(advance.contextLength ? { contextLength: advance.contextLength } : {}),
    },
  );
  if (grows) t.sae = { ...t.sae, dSae: advance.features };
  t.reader = reader;
}

/** The import is whole: its run becomes the SAE's index (older runs of the SAE go, labels stay). */
export function finishImport(t: ImportTarget): void {
  t.ws.features.finishRun(t.run.id);
}
