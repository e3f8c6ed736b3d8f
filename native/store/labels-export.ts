import { ApiFailure } from '../api/errors.js';
import type { LabelFileFormat, LabelsProvenance } from '../api/types.js';
import type { Database } from './database.js';
import { IndexRunsTable } from './index-runs-table.js';
import { exportLabels } from './labels-io.js';
import type { NeuronpediaExportTarget } from './labels-neuronpedia.js';
import { LabelsStore } from './labels.js';
import { ModelsTable } from './models-table.js';
import { SaesTable } from './saes-table.js';

/**
 * One labels file, whoever asks (the app's labels.export, `loupe labels export`): the SAE's labels,
 * in one format, with what they were written about. A label means something only for one SAE on
 * one hook of one model, read over one corpus; a file without those is a list of strings.
 */

/** The SAE, its hook, its model and the corpus of the index run its feature pages show. */
export function labelsProvenance(db: Database, saeId: string): LabelsProvenance {
  const sae = new SaesTable(db).get(saeId);
  if (!sae) throw new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, 'saeId');
  const model = sae.modelId === null ? undefined : new ModelsTable(db).get(sae.modelId);
  const run = new IndexRunsTable(db).current(saeId);
  return {
    sae: { id: sae.id, name: sae.name, dSae: sae.dSae, fingerprint: sae.fingerprint },
    hook: sae.hookName,
    model: model ? { id: model.id, name: model.name, fingerprint: model.fingerprint } : null,
    corpus: run ? { spec: run.corpusSpec, tokens: run.tokensDone, contextLength: run.contextLength } : null,
  };
}

export interface BuiltLabelsFile {
  text: string;
  /** features in the file: Neuronpedia's formats carry only the labelled ones */
  features: number;
  fileName: string;
  mediaType: string;
  /** Neuronpedia's self-hosted importer reads {model}/{source}/explanations/*.jsonl.gz */
  gzip: boolean;
}

const fileSuffix: Record<LabelFileFormat, { suffix: string; mediaType: string; gzip: boolean }> = {
  json: { suffix: 'labels.json', mediaType: 'application/json', gzip: false },
  csv: { suffix: 'labels.csv', mediaType: 'text/csv;charset=utf-8', gzip: false },
  neuronpedia: { suffix: 'explanations.jsonl.gz', mediaType: 'application/gzip', gzip: true },
  'neuronpedia-autointerp': { suffix: 'autointerp.json', mediaType: 'application/json', gzip: false },
};

export function buildLabelsFile(
  db: Database,
  saeId: string,
  format: LabelFileFormat,
  options: { exportedAt?: string; neuronpedia?: NeuronpediaExportTarget } = {},
): BuiltLabelsFile {
  return db.readTransaction(() => {
    const provenance = labelsProvenance(db, saeId);
    const labels = new LabelsStore(db).listForSae(saeId);
    const text = exportLabels(labels, format, {
      saeId,
      exportedAt: options.exportedAt ?? new Date().toISOString(),
      neuronpedia: options.neuronpedia,
      provenance,
    });
    const features = format.startsWith('neuronpedia') ? labels.filter((l) => l.label.trim() !== '').length : labels.length;
    const { suffix, mediaType, gzip } = fileSuffix[format];
    return { text, features, fileName: `${saeId}-${suffix}`, mediaType, gzip };
  });
}
