/** Maps: 2-D layouts of SAEs' decoder directions. */

/** A stored 2-D map of 1–3 SAEs' decoder directions (UMAP). */
export interface MapData {
  mapId: number;
  key: string;
  saeIds: string[];
  params: { algorithm: string; nNeighbors: number; minDist: number; seed: number; nEpochs: number };
  createdAt: string;
  /** per SAE: base64 of little-endian float32 (x, y) pairs, [nPoints, 2] in [0, 1]² (a third of the size of JSON numbers) */
  points: { saeId: string; nPoints: number; xy: string }[];
  /** how faithfully the layout keeps the directions' neighbourhoods (null for maps made before it was measured) */
  quality?: MapQuality | null;
}

/**
 * A map's faithfulness, measured when it is made (native/maps/layout-quality.ts): the share of each
 * point's k nearest directions (exact cosine) among its k nearest map points, next to chance, and
 * how far the directions are from random ones (mean cosine to the nearest other direction).
 */
export interface MapQuality {
  k: number;
  sampled: number;
  recall: number;
  chanceRecall: number;
  nearestCosine: number;
  randomNearestCosine: number;
}
