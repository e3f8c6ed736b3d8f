import { dot, norm } from './linalg.js';
import { mulberry32 } from '../../api/random.js';

/** Two unit axes of the whitened space, and an orthonormal basis of their plane. */
export interface PlaneAxes {
  /** [d] unit */
  x: Float64Array;
  /** [d] unit; orthogonal to x when orthogonalised */
  y: Float64Array;
  /** cos between the axis vectors as given */
  cosXY: number;
  orthogonalized: boolean;
  /** [d] unit, orthogonal to x, spanning the plane with it */
  yPerp: Float64Array;
}

export class PlaneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlaneError';
  }
}

/** Below this |sin| the two axes are one direction: no plane. */
const minSine = 1e-6;

export function planeAxes(xVector: ArrayLike<number>, yVector: ArrayLike<number>, orthogonalize: boolean): PlaneAxes {
  const nx = norm(xVector);
  const ny = norm(yVector);
  if (nx === 0) throw new PlaneError('the x axis is the zero vector');
  if (ny === 0) throw new PlaneError('the y axis is the zero vector (its two concepts have the same vector)');
  const x = Float64Array.from(xVector, (v) => v / nx);
  const y = Float64Array.from(yVector, (v) => v / ny);
  const cosXY = dot(x, y);
  const rest = y.map((v, i) => v - cosXY * x[i]);
  const sine = norm(rest);
  if (sine < minSine) throw new PlaneError(`the axes point the same way (cos ${cosXY.toFixed(6)}): they span no plane`);
  const yPerp = rest.map((v) => v / sine);
  return { x, y: orthogonalize ? yPerp : y, cosXY, orthogonalized: orthogonalize, yPerp };
}

/** [2, d] float32 rows (x̂, ŷ): the right operand of a [n, d] × [d, 2] projection. */
export function axesMatrix(axes: PlaneAxes): Float32Array {
  const d = axes.x.length;
  const m = new Float32Array(2 * d);
  m.set(axes.x, 0);
  m.set(axes.y, d);
  return m;
}

/**
 * Which tokens the plane shows: every highlighted token, then a seeded sample of the rest up to
 * `max` (ascending ids). The view draws all of them as a faint cloud.
 */
export function sampleTokens(dVocab: number, highlighted: ReadonlySet<number>, max: number, seed: number): number[] {
  if (dVocab <= max) return Array.from({ length: dVocab }, (_, i) => i);
  const chosen = new Set(highlighted);
  const rest = Array.from({ length: dVocab }, (_, i) => i).filter((i) => !chosen.has(i));
  const random = mulberry32(seed);
  for (let i = 0; i < rest.length && chosen.size < max; i++) {
    const j = i + Math.floor(random() * (rest.length - i));
    const t = rest[i];
    rest[i] = rest[j];
    rest[j] = t;
    chosen.add(rest[i]);
  }
  return [...chosen].sort((a, b) => a - b);
}

/**
 * For each token, the index of the most specific group holding it (the one with the fewest tokens,
 * so mammal's words stay mammal inside animal), or −1.
 */
export function groupOfTokens(tokenIds: readonly number[], groups: readonly (readonly number[])[]): number[] {
  const owner = new Map<number, number>();
  const bySize = groups.map((g, i) => ({ g, i })).sort((a, b) => b.g.length - a.g.length);
  for (const { g, i } of bySize) for (const id of g) owner.set(id, i);
  return tokenIds.map((id) => owner.get(id) ?? -1);
}

/** base64 of a float32 array's little-endian bytes. */
export function float32Base64(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}
