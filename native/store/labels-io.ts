import { z } from 'zod';
import { CsvError, formatCsv, parseCsv } from './csv.js';
import type { FeatureLabel, LabelPatch } from '../api/types.js';
import type { LabelsStore } from './labels.js';
import { autointerpRows, explanationRows, inHistoryOrder, neuronpediaLabelRow } from './labels-neuronpedia.js';
import type { NeuronpediaExportTarget, NeuronpediaLabelRow } from './labels-neuronpedia.js';
import { readJsonLines } from '../formats/json-lines.js';
import { FormatError } from '../formats/tensor.js';
import type { LabelFileFormat, LabelsProvenance, NeuronpediaSource } from '../api/types.js';

/**
 * Labels in and out of a workspace: Loupe's own JSON and CSV (lossless, re-importable) and the
 * record shape of Neuronpedia's explanation exports. Import is all-or-nothing (one transaction)
 * and goes through LabelsStore.set, so every imported change is in the history and can be undone.
 */

export { labelFileFormats as labelFormats } from '../api/types.js';
export type LabelFormat = LabelFileFormat;

export class LabelsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelsFileError';
  }
}

const jsonFormatName = 'loupe-labels';
const csvColumns = ['index', 'label', 'notes', 'tags', 'updated_at', 'updated_by'] as const;
/** What every row of an exported CSV also says (the same on each row), so the file names its SAE, hook, model and corpus; import ignores them. */
const csvProvenanceColumns = ['sae', 'hook', 'model', 'corpus'] as const;
/** Tags in one CSV cell; tags themselves cannot contain ";" (label-values.ts). */
const tagSeparator = '; ';

export function exportLabels(
  labels: readonly FeatureLabel[],
  format: LabelFormat,
  options: { saeId: string; exportedAt: string; neuronpedia?: NeuronpediaExportTarget; provenance?: LabelsProvenance },
): string {
  const from = options.provenance;
  if (format === 'csv') {
    const extra = from ? [from.sae.id, from.hook, from.model?.id ?? '', from.corpus?.spec ?? ''] : [];
    const header = from ? [...csvColumns, ...csvProvenanceColumns] : csvColumns;
    return formatCsv([
      header,
      ...labels.map((l) => [
        String(l.key.index),
        l.label,
        l.notes,
        l.tags.join(tagSeparator),
        l.updatedAt ?? '',
        l.updatedBy ?? '',
        ...extra,
      ]),
    ]);
  }
  if (format === 'neuronpedia' || format === 'neuronpedia-autointerp') {
    const target = options.neuronpedia;
    if (!target) throw new LabelsFileError('a Neuronpedia export needs its model id, source (layer) id and author id');
    try {
      // Explanation rows, one JSON object a line, for the self-hosted importer; or the upload-autointerp body.
      if (format === 'neuronpedia')
        return explanationRows(labels, target, options.exportedAt)
          .map((r) => `${JSON.stringify(r)}\n`)
          .join('');
      return `${JSON.stringify(autointerpRows(labels, target), null, 2)}\n`;
    } catch (error) {
      throw new LabelsFileError((error as Error).message);
    }
  }
  const body = labels.map((l) => ({
    index: l.key.index,
    label: l.label,
    notes: l.notes,
    tags: l.tags,
    updatedAt: l.updatedAt,
    updatedBy: l.updatedBy,
  }));
  const provenance = from ? { sae: from.sae, hook: from.hook, model: from.model, corpus: from.corpus } : {};
  return `${JSON.stringify({ format: jsonFormatName, version: 1, saeId: options.saeId, exportedAt: options.exportedAt, ...provenance, labels: body }, null, 2)}\n`;
}

/** One feature's fields from a file; a field the file does not carry is left out (and left alone). */
export interface LabelImportRow {
  index: number;
  patch: LabelPatch;
  /** Neuronpedia rows only: the model and source the row names (checked against the SAE's), and its createdAt */
  source?: NeuronpediaSource | null;
  at?: string | null;
}

const featureIndex = z.union([
  z.int().min(0),
  z
    .string()
    .regex(/^\d{1,10}$/u)
    .transform(Number),
]);
const loupeJson = z.object({
  format: z.literal(jsonFormatName),
  version: z.literal(1),
  saeId: z.string().optional(),
  labels: z.array(
    z.object({ index: featureIndex, label: z.string().optional(), notes: z.string().optional(), tags: z.array(z.string()).optional() }),
  ),
});

/** Rows of any of Neuronpedia's explanation shapes (labels-neuronpedia.ts), `where` naming each for errors. */
function neuronpediaRows(values: Iterable<{ value: unknown; where: string }>): NeuronpediaLabelRow[] {
  const rows: NeuronpediaLabelRow[] = [];
  for (const { value, where } of values) {
    const row = neuronpediaLabelRow(value);
    if (row === null)
      throw new LabelsFileError(`${where}: not a Neuronpedia explanation (an object with "index" and "description" or "explanation")`);
    if ('problem' in row) throw new LabelsFileError(`${where}: ${row.problem}`);
    rows.push(row);
  }
  return rows;
}

export function parseLabelsJson(text: string): LabelImportRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new LabelsFileError(`not JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(data)) return neuronpediaRows(data.map((value, i) => ({ value, where: `item ${i}` })));
  const parsed = loupeJson.safeParse(data);
  if (!parsed.success)
    throw new LabelsFileError(`not a Loupe labels file (format "${jsonFormatName}", version 1): ${z.prettifyError(parsed.error)}`);
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
  const known: readonly string[] = [...csvColumns, ...csvProvenanceColumns];
  const unknown = header.filter((h) => !known.includes(h));
  if (unknown.length > 0)
    throw new LabelsFileError(`unknown column ${unknown.map((u) => `"${u}"`).join(', ')}: expected ${csvColumns.join(', ')}`);
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
      patch: definedOnly({
        label: cell('label'),
        notes: cell('notes'),
        tags:
          tags === undefined
            ? undefined
            : tags
                .split(';')
                .map((t) => t.trim())
                .filter((t) => t !== ''),
      }),
    };
  });
}

/** Neuronpedia explanations as JSON Lines, plain or gzipped (`.jsonl.gz`, the self-hosted export layout), read as a stream. */
export async function parseLabelsJsonLines(path: string): Promise<LabelImportRow[]> {
  const values: { value: unknown; where: string }[] = [];
  try {
    for await (const { value, lineNo } of readJsonLines(path)) values.push({ value, where: `line ${lineNo}` });
  } catch (error) {
    if (error instanceof FormatError) throw new LabelsFileError(error.message);
    throw error;
  }
  return neuronpediaRows(values);
}

/**
 * Refuses rows that name a Neuronpedia model and source other than the SAE's (or any, when the SAE
 * has none), unless forced: labels of gpt2-small's 6-res-jb do not belong on another SAE.
 */
export function checkNeuronpediaSource(rows: readonly LabelImportRow[], expected: NeuronpediaSource | null, force: boolean): void {
  if (force) return;
  const named = new Map<string, number>();
  for (const row of rows)
    if (row.source)
      named.set(`${row.source.modelId}/${row.source.layer}`, (named.get(`${row.source.modelId}/${row.source.layer}`) ?? 0) + 1);
  const want = expected && `${expected.modelId}/${expected.layer}`;
  const wrong = [...named].filter(([id]) => id !== want);
  if (wrong.length === 0) return;
  const list = wrong.map(([id, n]) => `${id} (${n} row${n === 1 ? '' : 's'})`).join(', ');
  throw new LabelsFileError(
    want === null
      ? `the file's explanations are for ${list}, and this SAE has no Neuronpedia id to match them against: pass --np-model and --np-layer if it is that source, or --force`
      : `the file's explanations are for ${list}, not this SAE's ${want}: pass --force to import them anyway`,
  );
}

function definedOnly(patch: LabelPatch): LabelPatch {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as LabelPatch;
}

/**
 * Applies rows to one SAE in one transaction; a bad row rolls everything back and names itself.
 * A feature may appear several times only in Neuronpedia files (it allows several explanations a
 * feature): they apply oldest first (by createdAt, then file order), so the newest is the label and
 * the others are in its history.
 */
export function importLabels(
  store: LabelsStore,
  saeId: string,
  rows: readonly LabelImportRow[],
  meta: { author: string; at?: string },
): { features: number; explanations: number; changed: number } {
  const seen = new Set<number>();
  for (const row of rows) {
    if (seen.has(row.index) && row.source === undefined) throw new LabelsFileError(`feature ${row.index} appears twice in the file`);
    seen.add(row.index);
  }
  const ordered = rows.some((r) => r.source !== undefined) ? inHistoryOrder(rows.map((r) => ({ ...r, at: r.at ?? null }))) : rows;
  const at = meta.at ?? new Date().toISOString();
  const changed = store.setMany(
    saeId,
    ordered,
    { author: meta.author, at, source: 'import' },
    (index, error) => new LabelsFileError(`feature ${index}: ${error.message}`),
  );
  return { features: seen.size, explanations: rows.length, changed };
}
