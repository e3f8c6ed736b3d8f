import { z } from 'zod';
import { method } from '../define.js';
import { id, featureIndex } from '../params.js';
import { storedText } from '../text.js';
import { isNeuronpediaId } from '../neuronpedia.js';
import { labelFileFormats, type FeatureLabel, type LabelEvent, type LabelsFile } from '../labels.js';

// Same limits as the store's label checks (store/label-values.ts), so an overlong value never reaches it.
const neuronpediaIdText = z.string().refine(isNeuronpediaId, 'expected a Neuronpedia id: letters, digits, ".", "_" or "-"');
const labelText = storedText(1000);
const notesText = storedText(100_000);
const tags = z.array(storedText(64, 1)).max(64);

export const labelsMethods = {
  'labels.set': method<FeatureLabel>()({
    summary: "Change a feature's label, notes or tags (omitted fields are kept; tags replace the set); recorded in the history.",
    params: z.strictObject({
      saeId: id,
      index: featureIndex,
      label: labelText.optional(),
      notes: notesText.optional(),
      tags: tags.optional(),
    }),
  }),
  'labels.history': method<LabelEvent[]>()({
    summary: "Label changes, newest first: one feature's, or the whole SAE's; beforeId pages further back.",
    params: z.strictObject({
      saeId: id,
      index: featureIndex.optional(),
      limit: z.int().min(1).max(10_000).default(100),
      beforeId: z.int().min(1).optional(),
    }),
  }),
  'labels.undo': method<FeatureLabel | null>()({
    summary: 'Undo the newest label change not yet undone (of one feature, or of any feature of the SAE); null when there is none.',
    params: z.strictObject({ saeId: id, index: featureIndex.optional() }),
  }),
  'labels.export': method<LabelsFile>()({
    summary:
      "Every label of the SAE as a file, as `loupe labels export` writes it: Loupe's JSON or CSV (with the SAE, hook, model and corpus), Neuronpedia Explanation rows (.jsonl.gz) or the upload-autointerp body; Neuronpedia ids default to the SAE's neuronpedia_id.",
    params: z.strictObject({
      saeId: id,
      format: z.enum(labelFileFormats),
      neuronpedia: z
        .strictObject({ modelId: neuronpediaIdText.optional(), layer: neuronpediaIdText.optional(), authorId: neuronpediaIdText })
        .optional(),
    }),
  }),
};
