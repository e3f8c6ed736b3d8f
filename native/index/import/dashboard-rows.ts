import type { JsonValue } from '../../formats/strict-json.js';
import { FormatError } from '../../formats/tensor.js';

/**
 * Rows of SAEDashboard's outputs, checked field by field. Two shapes carry the same data:
 *
 * - `batch-N.json` (NeuronpediaConverter / NeuronpediaDashboardFeature.to_dict): `{ model_id, layer,
 *   sae_set, features: [{ feature_index, frac_nonzero, freq_hist_data_bar_values (bin centres),
 *   freq_hist_data_bar_heights, pos_str, pos_values, neg_str, neg_values, ..., activations: [{ bin_min,
 *   bin_max, bin_contains, tokens, values, qualifying_token_index? }] }] }`;
 * - Neuronpedia's bulk layout (neuronpedia_export.py): `features/batch-N.jsonl.gz`, one Feature per line
 *   (`index` a string, camelCase `maxActApprox`, the same snake_case statistics), and
 *   `activations/batch-N.jsonl.gz`, one Activation per line (`index`, `tokens`, `values`, `maxValue`,
 *   `maxValueTokenIndex`, `binMin`, `binMax`, `binContains`).
 *
 * In both, an example of the top group has bin_min = -1 (sae_vis's "TOP ACTIVATIONS" title); the
 * others belong to the interval [bin_min, bin_max].
 */

export interface DashboardFeature {
  index: number;
  /** fraction of tokens where the feature fires (frac_nonzero) */
  density: number;
  /** maxActApprox, when the row carries it */
  maxActApprox: number | null;
  /** activation histogram: bin centres and counts, as the export rounded them */
  histCentres: number[];
  histHeights: number[];
  pos: { token: string; value: number }[];
  neg: { token: string; value: number }[];
}

export interface DashboardActivation {
  index: number;
  tokens: string[];
  /** [nTokens] */
  values: Float32Array;
  /** -1 for the top group */
  binMin: number;
  binMax: number;
}

/** Where a row came from, for errors: the file and its 1-based line (or the feature's position in a batch file). */
export interface RowPlace {
  file: string;
  where: string;
}

function fail(place: RowPlace, message: string): never {
  throw new FormatError(place.file, `${place.where}: ${message}`);
}

function object(v: JsonValue | undefined, place: RowPlace, what: string): Record<string, JsonValue> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(place, `${what} is not a JSON object`);
  return v;
}

function num(o: Record<string, JsonValue>, key: string, place: RowPlace): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v))
    fail(place, `"${key}" is ${v === undefined ? 'missing' : JSON.stringify(v)}, expected a finite number`);
  return v;
}

function optionalNum(o: Record<string, JsonValue>, key: string, place: RowPlace): number | null {
  return o[key] === undefined || o[key] === null ? null : num(o, key, place);
}

function numbers(o: Record<string, JsonValue>, key: string, place: RowPlace, optional = false): number[] {
  const v = o[key];
  if (v === undefined && optional) return [];
  if (!Array.isArray(v)) fail(place, `"${key}" is ${v === undefined ? 'missing' : 'not an array'}, expected an array of numbers`);
  return v.map((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(place, `"${key}"[${i}] is ${JSON.stringify(x)}, expected a finite number`);
    return x;
  });
}

function strings(o: Record<string, JsonValue>, key: string, place: RowPlace, optional = false): string[] {
  const v = o[key];
  if (v === undefined && optional) return [];
  if (!Array.isArray(v)) fail(place, `"${key}" is ${v === undefined ? 'missing' : 'not an array'}, expected an array of strings`);
  return v.map((x, i) => {
    if (typeof x !== 'string') fail(place, `"${key}"[${i}] is ${JSON.stringify(x)}, expected a string`);
    return x;
  });
}

/** A feature index: SAEDashboard writes an integer, Neuronpedia's rows a decimal string. */
function featureIndex(o: Record<string, JsonValue>, key: string, place: RowPlace): number {
  const v = o[key];
  const n = typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > 2_147_483_647)
    fail(place, `"${key}" is ${JSON.stringify(v)}, expected a feature index (0 or more)`);
  return n;
}

function pairs(o: Record<string, JsonValue>, strKey: string, valueKey: string, place: RowPlace): { token: string; value: number }[] {
  const tokens = strings(o, strKey, place, true);
  const values = numbers(o, valueKey, place, true);
  if (tokens.length !== values.length) fail(place, `"${strKey}" has ${tokens.length} tokens but "${valueKey}" ${values.length} values`);
  return tokens.map((token, i) => ({ token, value: values[i] }));
}

/** A feature of either shape (`feature_index` in batch files, `index` in Neuronpedia rows). */
export function parseFeature(v: JsonValue, place: RowPlace): DashboardFeature {
  const o = object(v, place, 'the feature');
  const index = featureIndex(o, o.feature_index !== undefined ? 'feature_index' : 'index', place);
  const density = num(o, 'frac_nonzero', place);
  if (density < 0 || density > 1) fail(place, `"frac_nonzero" is ${density}, expected a fraction in [0, 1]`);
  const histCentres = numbers(o, 'freq_hist_data_bar_values', place, true);
  const histHeights = numbers(o, 'freq_hist_data_bar_heights', place, true);
  if (histCentres.length !== histHeights.length)
    fail(place, `"freq_hist_data_bar_values" has ${histCentres.length} bins but "freq_hist_data_bar_heights" ${histHeights.length}`);
  return {
    index,
    density,
    maxActApprox: optionalNum(o, 'maxActApprox', place),
    histCentres,
    histHeights,
    pos: pairs(o, 'pos_str', 'pos_values', place),
    neg: pairs(o, 'neg_str', 'neg_values', place),
  };
}

/** An activation of either shape; `index` is the feature's (batch files give it by nesting). */
export function parseActivation(v: JsonValue, place: RowPlace, index?: number): DashboardActivation {
  const o = object(v, place, 'the activation');
  const tokens = strings(o, 'tokens', place);
  const values = numbers(o, 'values', place);
  if (tokens.length === 0) fail(place, 'an activation with no tokens');
  if (tokens.length !== values.length) fail(place, `${tokens.length} tokens but ${values.length} values`);
  if (tokens.length > 0xffff) fail(place, `${tokens.length} tokens; at most 65,535 per example`);
  const snake = o.bin_min !== undefined;
  return {
    index: index ?? featureIndex(o, 'index', place),
    tokens,
    values: Float32Array.from(values),
    binMin: num(o, snake ? 'bin_min' : 'binMin', place),
    binMax: num(o, snake ? 'bin_max' : 'binMax', place),
  };
}

/** The activations nested in a batch file's feature. */
export function nestedActivations(v: JsonValue, place: RowPlace, index: number): DashboardActivation[] {
  const o = object(v, place, 'the feature');
  const list = o.activations;
  if (list === undefined) return [];
  if (!Array.isArray(list)) fail(place, '"activations" is not an array');
  return list.map((a, i) => parseActivation(a, { file: place.file, where: `${place.where}, activation ${i}` }, index));
}
