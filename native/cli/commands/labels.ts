import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { userInfo } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { ApiFailure } from '../../api/errors.js';
import {
  LabelsFileError,
  checkNeuronpediaSource,
  importLabels,
  labelFormats,
  parseLabelsCsv,
  parseLabelsJson,
  parseLabelsJsonLines,
} from '../../store/labels-io.js';
import type { LabelFormat, LabelImportRow } from '../../store/labels-io.js';
import type { NeuronpediaExportTarget } from '../../store/labels-neuronpedia.js';
import type { NeuronpediaSource } from '../../api/types.js';
import { databaseFileName, openWorkspace } from '../../store/workspace.js';
import type { Workspace } from '../../store/workspace.js';
import { parseFlags, requireFlag } from '../args.js';
import { CliError } from '../command.js';
import type { CliCommand } from '../command.js';

const usage = `Usage: loupe labels export --workspace DIR --sae ID [--format json|csv|neuronpedia|neuronpedia-autointerp] --out FILE
       loupe labels import --workspace DIR --sae ID [--author NAME] [--force] FILE

export writes every feature of the SAE that has a label, notes or tags.
  --format json         Loupe's labels file (default): label, notes, tags, who and when, and the SAE,
                        hook, model and indexed corpus they describe; re-importable
  --format csv          columns index,label,notes,tags,updated_at,updated_by,sae,hook,model,corpus
                        (RFC 4180; tags split by ";"; the last four the same on every row)
  --format neuronpedia  Neuronpedia Explanation rows, one JSON object a line, with every field its
                        self-hosted importer needs (id, modelId, layer, index, description, authorId, ...);
                        name the file {model}/{source}/explanations/NAME.jsonl.gz: an --out ending in .gz
                        is gzipped. Labelled features only
  --format neuronpedia-autointerp
                        the JSON body of Neuronpedia's POST /api/admin/upload-autointerp
                        ([{modelId, layer, index, explanation, creatorId, skipScore}])
  --np-model ID         Neuronpedia model id (e.g. gpt2-small)    } default: the SAE's SAELens
  --np-layer ID         Neuronpedia source id (e.g. 6-res-jb)     } "neuronpedia_id" (top level or metadata)
  --np-author ID        the Neuronpedia user id the explanations are by (authorId, creatorId); required
  --out FILE            file to write, or - for standard output

import reads Loupe's json or csv, or Neuronpedia explanations: a JSON list, .jsonl or .jsonl.gz (any of
Explanation rows, upload-autointerp rows, Loupe's older {modelId, layer, index, description} list). A
feature with several explanations gets them all: oldest first, so the newest is its label and the
others are in its label history. Rows naming another Neuronpedia model or source than the SAE's
(--np-model/--np-layer, else its "neuronpedia_id") are refused unless --force. Fields the file lacks are
left as they are. All rows apply or none do; every change is recorded in the label history under
--author (default: your user name) and can be undone.`;

function formatFlag(value: unknown, allowed: readonly LabelFormat[]): LabelFormat {
  if (!(allowed as readonly unknown[]).includes(value))
    throw new CliError(`--format "${String(value)}": expected one of ${allowed.join(', ')}`, 2);
  return value as LabelFormat;
}

/** The app may have this workspace open with jobs running: they are not this process's to mark interrupted. */
function openExisting(dir: string): Workspace {
  if (!existsSync(join(dir, databaseFileName)))
    throw new CliError(`--workspace ${dir}: no ${databaseFileName} there (not a Loupe workspace)`);
  return openWorkspace(dir, { markInterrupted: false });
}

function saeConfig(ws: Workspace, saeId: string): Record<string, unknown> {
  const sae = ws.saes.get(saeId);
  if (!sae) {
    const known = ws.saes.list().map((s) => s.id);
    throw new CliError(`--sae ${saeId}: no such SAE in the workspace (it has ${known.length === 0 ? 'none' : known.join(', ')})`);
  }
  return sae.config;
}

/** --np-model/--np-layer, else the SAE's SAELens "neuronpedia_id" (top level or v6's metadata). */
function neuronpediaSource(values: Record<string, unknown>, ws: Workspace, saeId: string): NeuronpediaSource | null {
  const fromConfig = ws.saes.neuronpediaSource(saeId);
  const modelId = (values['np-model'] as string | undefined) ?? fromConfig?.modelId;
  const layer = (values['np-layer'] as string | undefined) ?? fromConfig?.layer;
  return modelId && layer ? { modelId, layer } : null;
}

function neuronpediaTarget(values: Record<string, unknown>, ws: Workspace, saeId: string): NeuronpediaExportTarget {
  const source = neuronpediaSource(values, ws, saeId);
  if (!source)
    throw new CliError('a Neuronpedia export needs --np-model and --np-layer (the SAE has no "neuronpedia_id" to take them from)', 2);
  const authorId = values['np-author'] as string | undefined;
  if (!authorId)
    throw new CliError(
      'a Neuronpedia export needs --np-author: the id of the Neuronpedia user the explanations are by (Explanation.authorId)',
      2,
    );
  return { ...source, authorId };
}

function runExport(values: Record<string, unknown>): number {
  const saeId = requireFlag(values, 'sae');
  const out = requireFlag(values, 'out');
  const format = formatFlag(values.format ?? 'json', labelFormats);
  if (out !== '-' && !existsSync(dirname(out) || '.')) throw new CliError(`--out ${out}: the folder ${dirname(out)} does not exist`);
  const ws = openExisting(requireFlag(values, 'workspace'));
  try {
    saeConfig(ws, saeId);
    const neuronpedia = format.startsWith('neuronpedia') ? neuronpediaTarget(values, ws, saeId) : undefined;
    const { text, features } = inputErrors(out, () => ws.features.labelsFile(saeId, format, { neuronpedia }));
    if (out === '-') process.stdout.write(text);
    else {
      writeFileSync(out, out.endsWith('.gz') ? gzipSync(text) : text);
      process.stdout.write(`${JSON.stringify({ out, format, features })}\n`);
    }
    return 0;
  } finally {
    ws.close();
  }
}

/** What a file holds, by --format or its name: .json, .csv, .jsonl or .jsonl.gz (Neuronpedia's explanations). */
function importFormat(values: Record<string, unknown>, file: string): 'json' | 'csv' | 'jsonl' {
  const lower = file.toLowerCase();
  const byName = lower.endsWith('.jsonl') || lower.endsWith('.jsonl.gz') ? 'jsonl' : extname(lower).slice(1);
  const format = (values.format as string | undefined) ?? byName;
  if (format !== 'json' && format !== 'csv' && format !== 'jsonl')
    throw new CliError(
      `${file}: expected a .json, .csv, .jsonl or .jsonl.gz file (or --format json|csv|jsonl), got ${JSON.stringify(format)}`,
      2,
    );
  return format;
}

async function runImport(values: Record<string, unknown>, positionals: string[]): Promise<number> {
  const saeId = requireFlag(values, 'sae');
  if (positionals.length !== 1)
    throw new CliError(`import takes one FILE, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, 2);
  const file = positionals[0];
  const format = importFormat(values, file);
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  const author = (values.author as string | undefined) ?? (userInfo().username || 'loupe');
  const ws = openExisting(requireFlag(values, 'workspace'));
  try {
    saeConfig(ws, saeId);
    let rows: LabelImportRow[];
    if (format === 'jsonl') rows = await inputErrorsAsync(file, () => parseLabelsJsonLines(file));
    else {
      const text = readFileSync(file, 'utf8');
      rows = inputErrors(file, () => (format === 'csv' ? parseLabelsCsv(text) : parseLabelsJson(text)));
    }
    const source = neuronpediaSource(values, ws, saeId);
    const result = inputErrors(file, () => {
      checkNeuronpediaSource(rows, source, values.force === true);
      return importLabels(ws.features.labels, saeId, rows, { author });
    });
    process.stdout.write(`${JSON.stringify({ file, saeId, ...result })}\n`);
    return 0;
  } finally {
    ws.close();
  }
}

async function inputErrorsAsync<T>(file: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (error) {
    if (error instanceof LabelsFileError || error instanceof ApiFailure) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
}

/** A malformed file or a row the store refuses is the user's input: exit 1 with the message. */
function inputErrors<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof LabelsFileError || error instanceof ApiFailure) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
}

export const labelsCommand: CliCommand = {
  name: 'labels',
  summary: 'export or import feature labels (JSON, CSV, Neuronpedia explanations)',
  usage,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action !== 'export' && action !== 'import')
      throw new CliError(`expected "export" or "import", got ${action === undefined ? 'nothing' : `"${action}"`}`, 2);
    const { values, positionals } = parseFlags(
      rest,
      {
        workspace: { type: 'string' },
        sae: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        author: { type: 'string' },
        'np-model': { type: 'string' },
        'np-layer': { type: 'string' },
        'np-author': { type: 'string' },
        force: { type: 'boolean' },
      },
      action === 'import',
    );
    return action === 'export' ? runExport(values) : runImport(values, positionals);
  },
};
