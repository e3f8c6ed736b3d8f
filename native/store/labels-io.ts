import { z } from 'zod';
import { CsvError, formatCsv, parseCsv } from './csv.js';
import type { FeatureLabel, LabelPatch } from '../api/types.js';
import type { LabelsStore } from './labels.js';

/**
 * Labels in and out of a workspace: Loupe's own JSON and CSV (lossless, re-importable) and the
 * record shape of Neuronpedia's explanation exports. Import is all-or-nothing (one transaction)
 * and goes through LabelsStore.set, so every imported change is in the history and can be undone.
 */

export const labelFormats = ['json', 'csv', 'neuronpedia'] as const;
export type LabelFormat = (typeof labelFormats)[number];

export class LabelsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelsFileError';
  }
}

const jsonFormatName = 'loupe-labels';
const csvColumns = ['index', 'label', 'notes', 'tags', 'updated_at', 'updated_by'] as const;
/** Tags in one CSV cell; tags themselves cannot contain ";" (label-values.ts). */
const tagSeparator = '; ';

export interface NeuronpediaTarget {
  /** Neuronpedia's model id, e.g. "gpt2-small". */
  modelId: string;
  /** Neuronpedia's source ("layer") id, e.g. "6-res-jb". */
  layer: string;
}

export function exportLabels(labels: readonly FeatureLabel[], format: LabelFormat, options: { saeId: string; exportedAt: string; neuronpedia?: NeuronpediaTarget }): string {
  if (format === 'csv') {
    return formatCsv([csvColumns, ...labels.map((l) => [String(l.key.index), l.label, l.notes, l.tags.join(tagSeparator), l.updatedAt ?? '', l.updatedBy ?? ''])]);
  }
  if (format === 'neuronpedia') {
    const target = options.neuronpedia;
    if (!target) throw new LabelsFileError('a Neuronpedia export needs its model id and source (layer) id');
    // The record of Neuronpedia's explanation exports: index as a string, the text as "description".
    const records = labels.filter((l) => l.label.trim() !== '').map((l) => ({ modelId: target.modelId, layer: target.layer, index: String(l.key.index), description: l.label }));
    return `${JSON.stringify(records, null, 2)}\n`;
  }
  const body = labels.map((l) => ({ index: l.key.index, label: l.label, notes: l.notes, tags: l.tags, updatedAt: l.updatedAt, updatedBy: l.updatedBy }));
  return `${JSON.stringify({ format: jsonFormatName, version: 1, saeId: options.saeId, exportedAt: options.exportedAt, labels: body }, null, 2)}\n`;
}

/** One feature's fields from a file; a field the file does not carry is left out (and left alone). */
export interface LabelImportRow {
  index: number;
  patch: LabelPatch;
}

const featureIndex = z.union([z.int().min(0), z.string().regex(/^\d{1,10}$/u).transform(Number)]);
const loupeJson = z.object({
  format: z.literal(jsonFormatName),
  version: z.literal(1),
  saeId: z.string().optional(),
  labels: z.array(z.object({ index: featureIndex, label: z.string().optional(), notes: z.string().optional(), tags: z.array(z.string()).optional() })),
});
const neuronpediaJson = z.array(z.object({ index: featureIndex, description: z.string() }));

export function parseLabelsJson(text: string): LabelImportRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new LabelsFileError(`not JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(data)) {
    const parsed = neuronpediaJson.safeParse(data);
    if (!parsed.success) throw new LabelsFileError(`a JSON list must hold Neuronpedia explanation records ({index, description}): ${z.prettifyError(parsed.error)}`);
    return parsed.data.map((r) => ({ index: r.index, patch: { label: r.description } }));
  }
  const parsed = loupeJson.safeParse(data);
  if (!parsed.success) throw new LabelsFileError(`not a Loupe labels file (format "${jsonFormatName}", version 1): ${z.prettifyError(parsed.error)}`);
  return parsed.data.labels.map(({ index, label, notes, tags }) => ({ index, patch: definedOnly({ label, notes, tags }) }));
}

export function parseLabelsCsv(text: string): LabelImportRow[] {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) throw new LabelsFileError(error.message);
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) throw new LabelsFileError('the CSV file is empty');
  const unknown = header.filter((h) => !(csvColumns as readonly string[]).includes(h));
  if (unknown.length > 0) throw new LabelsFileError(`unknown column ${unknown.map((u) => `"${u}"`).join(', ')}: expected ${csvColumns.join(', ')}`);
  if (!header.includes('index')) throw new LabelsFileError(`no "index" column: expected ${csvColumns.join(', ')}`);
  const column = (name: string) => header.indexOf(name);
  return rows.map((row, r) => {
    if (row.length !== header.length) throw new LabelsFileError(`record ${r + 2} has ${row.length} fields, the header ${header.length}`);
    const index = row[column('index')];
    if (!/^\d{1,10}$/u.test(index)) throw new LabelsFileError(`record ${r + 2}: index "${index}" is not a feature index`);
    const cell = (name: string) => (column(name) < 0 ? undefined : row[column(name)]);
    const tags = cell('tags');
    return {
      index: Number(index),
      patch: definedOnly({ label: cell('label'), notes: cell('notes'), tags: tags === undefined ? undefined : tags.split(';').map((t) => t.trim()).filter((t) => t !== '') }),
    };
  });
}

function definedOnly(patch: LabelPatch): LabelPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as LabelPatch;
}

/** Applies rows to one SAE in one transaction; a bad row rolls everything back and names itself. */
export function importLabels(store: LabelsStore, saeId: string, rows: readonly LabelImportRow[], meta: { author: string; at?: string }): { features: number; changed: number } {
  const seen = new Set<number>();
  for (const row of rows) {
    if (seen.has(row.index)) throw new LabelsFileError(`feature ${row.index} appears twice in the file`);
    seen.add(row.index);
  }
  const at = meta.at ?? new Date().toISOString();
  return store.db.transaction(() => {
    let changed = 0;
    for (const row of rows) {
      try {
        if (store.set({ saeId, index: row.index }, row.patch, { author: meta.author, at, source: 'import' }).action !== null) changed++;
      } catch (error) {
        throw new LabelsFileError(`feature ${row.index}: ${(error as Error).message}`);
      }
    }
    return { features: rows.length, changed };
  });
}
