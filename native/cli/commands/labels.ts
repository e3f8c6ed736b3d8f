import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { ApiFailure } from '../../api/errors.js';
import { LabelsStore } from '../../store/labels.js';
import { LabelsFileError, exportLabels, importLabels, labelFormats, parseLabelsCsv, parseLabelsJson } from '../../store/labels-io.js';
import type { LabelFormat, NeuronpediaTarget } from '../../store/labels-io.js';
import { databaseFileName, openWorkspace } from '../../store/workspace.js';
import type { Workspace } from '../../store/workspace.js';
import { parseFlags, requireFlag } from '../args.js';
import { CliError } from '../command.js';
import type { CliCommand } from '../command.js';

const usage = `Usage: loupe labels export --workspace DIR --sae ID [--format json|csv|neuronpedia] --out FILE
       loupe labels import --workspace DIR --sae ID [--format json|csv] [--author NAME] FILE

export writes every feature of the SAE that has a label, notes or tags.
  --format json         Loupe's labels file (default): label, notes, tags, who and when; re-importable
  --format csv          columns index,label,notes,tags,updated_at,updated_by (RFC 4180; tags split by ";")
  --format neuronpedia  a JSON list of {modelId, layer, index, description}, the record of Neuronpedia's
                        explanation exports; labelled features only
  --np-model ID         Neuronpedia model id (e.g. gpt2-small)    } default: the SAE's SAELens
  --np-layer ID         Neuronpedia source id (e.g. 6-res-jb)     } "neuronpedia_id", if it has one
  --out FILE            file to write, or - for standard output

import reads a json or csv file (by --format, else by extension); Neuronpedia records import as
labels. Fields the file lacks are left as they are. All rows apply or none do; every change is
recorded in the label history under --author (default: your user name) and can be undone.`;

function formatFlag(value: unknown, allowed: readonly LabelFormat[]): LabelFormat {
  if (!(allowed as readonly unknown[]).includes(value)) throw new CliError(`--format "${String(value)}": expected one of ${allowed.join(', ')}`, 2);
  return value as LabelFormat;
}

/** The app may have this workspace open with jobs running: they are not this process's to mark interrupted. */
function openExisting(dir: string): Workspace {
  if (!existsSync(join(dir, databaseFileName))) throw new CliError(`--workspace ${dir}: no ${databaseFileName} there (not a Loupe workspace)`);
  return openWorkspace(dir, { markInterrupted: false });
}

function saeConfig(ws: Workspace, saeId: string): Record<string, unknown> {
  const row = ws.db.get<{ config_json: string }>('SELECT config_json FROM saes WHERE id = ?', [saeId]);
  if (!row) {
    const known = ws.saes.list().map((s) => s.id);
    throw new CliError(`--sae ${saeId}: no such SAE in the workspace (it has ${known.length === 0 ? 'none' : known.join(', ')})`);
  }
  const config = JSON.parse(row.config_json) as unknown;
  return typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
}

/** --np-model/--np-layer, else the SAELens config's "neuronpedia_id" ("model/source"). */
function neuronpediaTarget(values: Record<string, unknown>, config: Record<string, unknown>): NeuronpediaTarget {
  const fromConfig = typeof config.neuronpedia_id === 'string' ? config.neuronpedia_id.split('/') : [];
  const modelId = (values['np-model'] as string | undefined) ?? (fromConfig.length === 2 ? fromConfig[0] : undefined);
  const layer = (values['np-layer'] as string | undefined) ?? (fromConfig.length === 2 ? fromConfig[1] : undefined);
  if (!modelId || !layer) throw new CliError('--format neuronpedia needs --np-model and --np-layer (the SAE has no "neuronpedia_id" to take them from)', 2);
  return { modelId, layer };
}

function runExport(values: Record<string, unknown>): number {
  const saeId = requireFlag(values, 'sae');
  const out = requireFlag(values, 'out');
  const format = formatFlag(values.format ?? 'json', labelFormats);
  if (out !== '-' && !existsSync(dirname(out) || '.')) throw new CliError(`--out ${out}: the folder ${dirname(out)} does not exist`);
  const ws = openExisting(requireFlag(values, 'workspace'));
  try {
    const config = saeConfig(ws, saeId);
    const neuronpedia = format === 'neuronpedia' ? neuronpediaTarget(values, config) : undefined;
    const labels = new LabelsStore(ws.db).listForSae(saeId);
    const text = exportLabels(labels, format, { saeId, exportedAt: new Date().toISOString(), neuronpedia });
    if (out === '-') process.stdout.write(text);
    else {
      writeFileSync(out, text);
      process.stdout.write(`${JSON.stringify({ out, format, features: labels.length })}\n`);
    }
    return 0;
  } finally {
    ws.close();
  }
}

function runImport(values: Record<string, unknown>, positionals: string[]): number {
  const saeId = requireFlag(values, 'sae');
  if (positionals.length !== 1) throw new CliError(`import takes one FILE, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, 2);
  const file = positionals[0];
  const byExtension = extname(file).toLowerCase().slice(1);
  const format = formatFlag(values.format ?? byExtension, ['json', 'csv']);
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  const author = (values.author as string | undefined) ?? (userInfo().username || 'loupe');
  const ws = openExisting(requireFlag(values, 'workspace'));
  try {
    saeConfig(ws, saeId);
    const text = readFileSync(file, 'utf8');
    const result = inputErrors(file, () => importLabels(new LabelsStore(ws.db), saeId, format === 'csv' ? parseLabelsCsv(text) : parseLabelsJson(text), { author }));
    process.stdout.write(`${JSON.stringify({ file, saeId, ...result })}\n`);
    return 0;
  } finally {
    ws.close();
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
  summary: 'export or import feature labels (JSON, CSV, Neuronpedia)',
  usage,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action !== 'export' && action !== 'import') throw new CliError(`expected "export" or "import", got ${action === undefined ? 'nothing' : `"${action}"`}`, 2);
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
      },
      action === 'import',
    );
    return action === 'export' ? runExport(values) : runImport(values, positionals);
  },
};
