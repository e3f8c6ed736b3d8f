/** Labels: what people write about features, their history, and label files. */

import type { FeatureKey } from './features.js';

export interface FeatureLabel {
  key: FeatureKey;
  label: string;
  notes: string;
  /** Sorted, no duplicates. */
  tags: string[];
  /** null when nobody has written anything about the feature. */
  updatedAt: string | null;
  updatedBy: string | null;
}

/** Fields to change; an omitted field is left as it is. `tags` replaces the whole set. */
export interface LabelPatch {
  label?: string;
  notes?: string;
  tags?: readonly string[];
}

export type LabelField = 'label' | 'notes' | 'tag';
export type LabelSource = 'edit' | 'import' | 'undo';

/** One changed field. For a tag: old null = added, new null = removed. */
export interface LabelEvent {
  id: number;
  /** Events written by one call share an action: the id of its first event. */
  action: number;
  key: FeatureKey;
  field: LabelField;
  old: string | null;
  new: string | null;
  author: string;
  at: string;
  source: LabelSource;
  /** For an undo: the action it inverted. */
  undoes: number | null;
}

/** labels.export and `loupe labels export`: Loupe's JSON and CSV, Neuronpedia's Explanation rows and upload-autointerp body. */
export const labelFileFormats = ['json', 'csv', 'neuronpedia', 'neuronpedia-autointerp'] as const;
export type LabelFileFormat = (typeof labelFileFormats)[number];

/** What the labels were written about: Loupe's JSON and CSV carry it, so a file says which SAE, hook, model and corpus. */
export interface LabelsProvenance {
  sae: { id: string; name: string; dSae: number; fingerprint: string };
  hook: string;
  model: { id: string; name: string; fingerprint: string } | null;
  /** the index run the labeller saw (feature pages, queue): its corpus spec and counted tokens; null before indexing */
  corpus: { spec: string; tokens: number; contextLength: number } | null;
}

/** A labels file as the engine built it, for the renderer to hand to the browser as a download. */
export interface LabelsFile {
  fileName: string;
  mediaType: string;
  /** the file's bytes: UTF-8 text, or base64 (Neuronpedia's rows are gzipped, as its importer reads them) */
  content: string;
  encoding: 'utf8' | 'base64';
  /** features in the file */
  features: number;
}

/** The tag the label queue's "u" writes: reviewed, but no label fits. The map's label-state colouring reads it. */
export const uninterpretableTag = 'uninterpretable';
