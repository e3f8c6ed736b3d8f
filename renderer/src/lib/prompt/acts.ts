import type { PromptResult } from '../../../../native/api/types.js';

/** Reading a prompt.run result the way the Prompt view needs it: one feature's column, one token's row. */

/** A feature in a list: its index, its label ('' for none) and a value (on a token, or its max on the prompt). */
export interface FeatureValue {
  index: number;
  label: string;
  value: number;
  /** its most frequent firing tokens over the index run, when the list knows them */
  topTokens?: string[];
  /** its firing density over the index run, when known */
  density?: number | null;
}

/** [nTokens] the feature's activation on each token (0 where it does not fire), from the sparse activations. */
export function featureActs(result: PromptResult, feature: number): Float32Array {
  const { rowStart, features, values } = result.acts;
  const out = new Float32Array(result.tokens.length);
  for (let t = 0; t < out.length; t++) {
    for (let j = rowStart[t]; j < rowStart[t + 1]; j++) {
      if (features[j] === feature) {
        out[t] = values[j];
        break;
      }
    }
  }
  return out;
}

/** Labels of the features that fire on the prompt, by index. */
export function labelsOf(result: PromptResult): Map<number, string> {
  return new Map(result.features.map((f) => [f.index, f.label]));
}

/** Token t's strongest features (the result's per-token list), with labels. */
export function tokenFeatures(result: PromptResult, t: number, labels = labelsOf(result)): FeatureValue[] {
  const row = result.perToken[t];
  if (!row) return [];
  const known = new Map(result.features.map((f) => [f.index, f]));
  return row.features.map((index, j) => ({
    index,
    label: labels.get(index) ?? '',
    value: row.values[j],
    topTokens: known.get(index)?.topTokens,
    density: known.get(index)?.density,
  }));
}

/** The prompt's strongest features by their max, at most `n`. */
export function strongestFeatures(result: PromptResult, n: number): FeatureValue[] {
  return result.features
    .slice(0, n)
    .map((f) => ({ index: f.index, label: f.label, value: f.max, topTokens: f.topTokens, density: f.density }));
}

/** The feature the strip is coloured by: the chosen one, else the strongest on the prompt, else none. */
export function colouringFeature(result: PromptResult | null, chosen: number | null): number | null {
  if (chosen !== null) return chosen;
  return result?.features[0]?.index ?? null;
}

/** How a feature is named in lists and tooltips: its label, else "Feature N". */
export function featureName(index: number, label: string): string {
  return label.trim() !== '' ? label : `Feature ${index}`;
}

/** The token a keyboard step lands on: clamped to the strip, starting from the first or last token when none is selected. */
export function stepToken(selected: number | null, delta: number, nTokens: number): number | null {
  if (nTokens === 0) return null;
  if (selected === null) return delta >= 0 ? 0 : nTokens - 1;
  return Math.max(0, Math.min(nTokens - 1, selected + delta));
}

/**
 * What the strip's colour scale runs to for a feature: its max over the indexed corpus when the SAE
 * is indexed (so a weak firing looks weak, as on its feature page), else its max on this prompt.
 */
export function featureScale(result: PromptResult, feature: number): { promptMax: number; corpusMax: number | null; scaleMax: number } {
  const f = result.features.find((x) => x.index === feature);
  const promptMax = f?.max ?? 0;
  const corpusMax = f?.corpusMax ?? null;
  return { promptMax, corpusMax, scaleMax: Math.max(corpusMax ?? 0, promptMax) };
}
