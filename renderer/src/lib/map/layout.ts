import type { MapData } from '../../../../native/api/types.js';

/**
 * One map's points as flat typed arrays, every SAE of a joint map stacked in the order the map
 * lists them: point p is feature `feature[p]` of SAE `saeIds[sae[p]]`.
 */
export interface MapLayout {
  saeIds: string[];
  /** number of points, all SAEs */
  n: number;
  /** [n, 2], row-major: (x, y) in [0, 1]² */
  xy: Float32Array;
  /** [n] position of the point's SAE in saeIds */
  sae: Uint8Array;
  /** [n] the point's feature index in its SAE */
  feature: Int32Array;
  /** [saeIds.length] the first point of each SAE */
  offsets: number[];
}

/** A map's `#/map/<param>`: one SAE id, or several joined by "+" (ids are slugs: no "+" in them). */
export function parseMapParam(param: string | undefined): string[] {
  if (param === undefined) return [];
  return param.split('+').filter((id) => id.length > 0);
}

export function mapParam(saeIds: readonly string[]): string {
  return saeIds.join('+');
}

/** base64 of little-endian float32 pairs → [nPoints, 2]; read with a DataView, so any host byte order works. */
export function decodeXy(base64: string, nPoints: number, saeId = '?'): Float32Array {
  const binary = atob(base64);
  if (binary.length !== nPoints * 8) {
    throw new Error(
      `map points of SAE "${saeId}": expected ${nPoints} (x, y) float32 pairs (${nPoints * 8} bytes), got ${binary.length} bytes`,
    );
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const out = new Float32Array(nPoints * 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function buildLayout(map: Pick<MapData, 'points'>): MapLayout {
  const n = map.points.reduce((sum, p) => sum + p.nPoints, 0);
  const layout: MapLayout = {
    saeIds: map.points.map((p) => p.saeId),
    n,
    xy: new Float32Array(n * 2),
    sae: new Uint8Array(n),
    feature: new Int32Array(n),
    offsets: [],
  };
  let start = 0;
  map.points.forEach((p, s) => {
    layout.offsets.push(start);
    layout.xy.set(decodeXy(p.xy, p.nPoints, p.saeId), start * 2);
    layout.sae.fill(s, start, start + p.nPoints);
    for (let i = 0; i < p.nPoints; i++) layout.feature[start + i] = i;
    start += p.nPoints;
  });
  return layout;
}

/** The point of feature `index` of SAE `saeId`, or -1 when the map does not hold it. */
export function pointOf(layout: MapLayout, saeId: string, index: number): number {
  const s = layout.saeIds.indexOf(saeId);
  if (s < 0 || index < 0) return -1;
  const end = s + 1 < layout.offsets.length ? layout.offsets[s + 1] : layout.n;
  const p = layout.offsets[s] + index;
  return p < end ? p : -1;
}
