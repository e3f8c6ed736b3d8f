import type { NeuronpediaSource } from './features.js';

/**
 * Neuronpedia's names for a feature: a model id (gpt2-small), a source id, which Neuronpedia calls
 * the "layer" (6-res-jb), and the feature index. Plain TS: the engine builds links with it and the
 * Electron shell checks a link with it before handing it to the system browser.
 */

export const neuronpediaOrigin = 'https://www.neuronpedia.org';

/** Model and source ids: what Neuronpedia's own ids look like (letters, digits, . _ -), nothing a URL would reinterpret. */
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isNeuronpediaId(value: string): boolean {
  return idPattern.test(value);
}

/** "gpt2-small/6-res-jb" (SAELens's neuronpedia_id) → its two ids, or null when it is not that shape. */
export function parseNeuronpediaId(value: unknown): NeuronpediaSource | null {
  if (typeof value !== 'string') return null;
  const parts = value.split('/');
  if (parts.length !== 2 || !parts.every(isNeuronpediaId)) return null;
  return { modelId: parts[0], layer: parts[1] };
}

/**
 * The Neuronpedia ids in an SAE's config: SAELens's top-level "neuronpedia_id" (up to v5) or
 * v6's "metadata.neuronpedia_id".
 */
export function neuronpediaIdOfConfig(config: Record<string, unknown>): NeuronpediaSource | null {
  const metadata = config.metadata;
  const nested =
    typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)
      ? (metadata as Record<string, unknown>).neuronpedia_id
      : undefined;
  return parseNeuronpediaId(config.neuronpedia_id) ?? parseNeuronpediaId(nested);
}

/** https://www.neuronpedia.org/{modelId}/{layer}/{index} */
export function neuronpediaFeatureUrl(source: NeuronpediaSource, index: number): string {
  if (!isNeuronpediaId(source.modelId) || !isNeuronpediaId(source.layer)) throw new Error(`not Neuronpedia ids: ${JSON.stringify(source)}`);
  if (!Number.isSafeInteger(index) || index < 0) throw new Error(`not a feature index: ${index}`);
  return `${neuronpediaOrigin}/${source.modelId}/${source.layer}/${index}`;
}

/** Whether `url` is exactly a Neuronpedia feature page as neuronpediaFeatureUrl writes it (nothing else leaves the app). */
export function isNeuronpediaFeatureUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.origin !== neuronpediaOrigin || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '')
    return false;
  const parts = parsed.pathname.split('/');
  if (parts.length !== 4 || parts[0] !== '' || !/^\d{1,10}$/.test(parts[3])) return false;
  return (
    isNeuronpediaId(parts[1]) &&
    isNeuronpediaId(parts[2]) &&
    neuronpediaFeatureUrl({ modelId: parts[1], layer: parts[2] }, Number(parts[3])) === url
  );
}
