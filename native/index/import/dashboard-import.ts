import { statSync } from 'node:fs';
import { readJsonLines } from '../../formats/json-lines.js';
import { readCappedJson } from '../../formats/strict-json.js';
import type { JsonValue } from '../../formats/strict-json.js';
import { FormatError } from '../../formats/tensor.js';
import { DashboardRows } from './dashboard-feature-rows.js';
import { nestedActivations, parseActivation, parseFeature } from './dashboard-rows.js';
import type { DashboardActivation, DashboardFeature } from './dashboard-rows.js';
import type { ExportLayout } from './detect.js';
import { commitImport } from './import-target.js';
import type { ImportTarget } from './import-target.js';
import { TokenStrings } from './token-strings.js';

/**
 * SAEDashboard / Neuronpedia exports into the store, streamed: one batch's feature rows at a time
 * (a few hundred) and its activations line by line through gunzip. A commit holds whole features
 * (a feature's examples are replaced whole) and the position after them, and comes every
 * `commitRows` activations, so a 10 GB export never sits in memory and a killed import resumes at
 * its last commit.
 */

export interface ReadProgress {
  rows: number;
  signal?: AbortSignal;
  onBytes: (bytesDone: number) => void;
}

/** A batch file of SAEDashboard's output: one JSON document. Files larger than this are refused, not parsed. */
const MAX_BATCH_JSON_BYTES = 1 << 30;

export async function importDashboards(
  t: ImportTarget,
  layout: Extract<ExportLayout, { format: 'neuronpedia' | 'saedashboard' }>,
  commitRows: number,
  progress: ReadProgress,
): Promise<{ unknownTokens: number }> {
  const strings = new TokenStrings(t.tokenizer);
  const out = new DashboardRows(strings, t.cursor.windowsDone);
  if (layout.format === 'neuronpedia') await bulk(t, layout, out, commitRows, progress);
  else await batchFiles(t, layout, out, commitRows, progress);
  return { unknownTokens: strings.unknown.size };
}

function flush(t: ImportTarget, out: DashboardRows, reader: Record<string, number>): void {
  const tokens = out.tokensAdded;
  const features = Math.max(out.features, t.sae.dSae);
  const longest = out.longest;
  const rows = out.take();
  commitImport(t, rows, { windows: rows.windows.length, tokens, features, contextLength: longest }, reader);
  t.onCommit?.(t.cursor);
}

async function bulk(
  t: ImportTarget,
  layout: Extract<ExportLayout, { format: 'neuronpedia' }>,
  out: DashboardRows,
  commitRows: number,
  progress: ReadProgress,
): Promise<void> {
  let bytesBefore = 0;
  for (let b = 0; b < layout.batches.length; b++) {
    const batch = layout.batches[b];
    const size = statSync(batch.features).size + (batch.activations ? statSync(batch.activations).size : 0);
    const startLine = t.reader.batch === b ? (t.reader.line ?? 0) : 0;
    if ((t.reader.batch ?? 0) > b || (t.reader.batch === b && t.reader.done === 1)) {
      bytesBefore += size;
      continue;
    }
    const features = new Map<number, DashboardFeature>();
    for await (const { value, lineNo } of readJsonLines(batch.features)) {
      const f = parseFeature(value, { file: batch.features, where: `line ${lineNo}` });
      if (features.has(f.index)) throw new FormatError(batch.features, `line ${lineNo}: feature ${f.index} is listed twice`);
      features.set(f.index, f);
    }
    const done = new Set<number>();
    const pending: { feature: DashboardFeature | null; acts: DashboardActivation[] } = { feature: null, acts: [] };
    const close = (): void => {
      if (pending.feature === null) return;
      out.add(pending.feature, pending.acts);
      done.add(pending.feature.index);
      pending.feature = null;
      pending.acts = [];
    };
    let lastLine = startLine;
    if (batch.activations) {
      const file = batch.activations;
      const featuresBytes = statSync(batch.features).size;
      for await (const { value, lineNo } of readJsonLines(file, {
        skipLines: startLine,
        onBytes: (n) => progress.onBytes(bytesBefore + featuresBytes + n),
      })) {
        progress.signal?.throwIfAborted();
        const a = parseActivation(value, { file, where: `line ${lineNo}` });
        if (pending.feature?.index !== a.index) {
          // A commit holds whole features: it comes between one feature's last activation and the next one's first.
          const commit = pending.feature !== null && out.size >= commitRows;
          close();
          if (commit) flush(t, out, { batch: b, line: lastLine, rows: progress.rows });
          if (done.has(a.index))
            throw new FormatError(
              file,
              `line ${lineNo}: feature ${a.index}'s activations continue after other features' (an export lists each feature's activations together)`,
            );
          const feature = features.get(a.index);
          if (!feature)
            throw new FormatError(file, `line ${lineNo}: an activation of feature ${a.index}, which ${batch.features} does not list`);
          pending.feature = feature;
        }
        pending.acts.push(a);
        progress.rows++;
        lastLine = lineNo;
      }
    }
    close();
    // Features without activations (dead ones) get their statistics; those committed before a kill are not redone.
    for (const f of features.values()) if (!done.has(f.index) && !hasStats(t, f.index)) out.add(f, []);
    flush(t, out, { batch: b, line: lastLine, done: 1, rows: progress.rows });
    bytesBefore += size;
    progress.onBytes(bytesBefore);
  }
}

function hasStats(t: ImportTarget, feature: number): boolean {
  return t.ws.features.stats.get(t.run.id, feature) !== undefined;
}

async function batchFiles(
  t: ImportTarget,
  layout: Extract<ExportLayout, { format: 'saedashboard' }>,
  out: DashboardRows,
  commitRows: number,
  progress: ReadProgress,
): Promise<void> {
  let bytesBefore = 0;
  for (let i = 0; i < layout.files.length; i++) {
    const file = layout.files[i];
    const size = statSync(file).size;
    if ((t.reader.file ?? 0) > i || (t.reader.file === i && t.reader.done === 1)) {
      bytesBefore += size;
      continue;
    }
    const skip = t.reader.file === i ? (t.reader.feature ?? 0) : 0;
    const doc = await readCappedJson(file, {
      maxBytes: MAX_BATCH_JSON_BYTES,
      maxDepth: 16,
      maxContainers: 50_000_000,
      maxValues: 500_000_000,
    });
    const list = featureList(doc as JsonValue, file);
    const seen = new Set<number>();
    for (let j = skip; j < list.length; j++) {
      progress.signal?.throwIfAborted();
      const place = { file, where: `features[${j}]` };
      const f = parseFeature(list[j], place);
      if (seen.has(f.index)) throw new FormatError(file, `features[${j}]: feature ${f.index} is listed twice`);
      seen.add(f.index);
      const acts = nestedActivations(list[j], place, f.index);
      out.add(f, acts);
      progress.rows += acts.length;
      if (out.size >= commitRows) flush(t, out, { file: i, feature: j + 1, rows: progress.rows });
    }
    flush(t, out, { file: i, feature: list.length, done: 1, rows: progress.rows });
    bytesBefore += size;
    progress.onBytes(bytesBefore);
  }
}

function featureList(doc: JsonValue, file: string): JsonValue[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new FormatError(file, 'expected a JSON object with "features" (SAEDashboard batch file)');
  const features = doc.features;
  if (!Array.isArray(features)) throw new FormatError(file, `"features" is ${features === undefined ? 'missing' : 'not an array'}`);
  return features;
}
