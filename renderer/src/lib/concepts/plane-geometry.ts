import { quadtree, type Quadtree } from 'd3-quadtree';
import { scaleLinear, type ScaleLinear } from 'd3-scale';

/** Little-endian float32s from the base64 the engine sends (typed arrays do not survive JSON). */
export function decodeFloat32(base64: string): Float32Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** A point of the plane: a token of the cloud or a feature. */
export interface PlanePoint {
  kind: 'token' | 'feature';
  /** index into the cloud, or the feature's index in its SAE */
  index: number;
  x: number;
  y: number;
}

export interface PlaneScales {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
}

/**
 * Data → pixel scales with one unit per axis (so angles read true: orthogonality is the point of the
 * plot), fitted to the 0.5–99.5 % range of the tokens plus every highlighted token and feature, and
 * always holding the origin.
 */
export function planeScales(
  points: readonly { x: number; y: number }[],
  keep: readonly { x: number; y: number }[],
  width: number,
  height: number,
  margin = 18,
): PlaneScales {
  const xs = points.map((p) => p.x).sort((a, b) => a - b);
  const ys = points.map((p) => p.y).sort((a, b) => a - b);
  const q = (sorted: number[], f: number) =>
    sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(f * (sorted.length - 1))))];
  let [x0, x1, y0, y1] = [Math.min(0, q(xs, 0.005)), Math.max(0, q(xs, 0.995)), Math.min(0, q(ys, 0.005)), Math.max(0, q(ys, 0.995))];
  for (const p of keep) {
    x0 = Math.min(x0, p.x);
    x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y);
    y1 = Math.max(y1, p.y);
  }
  const w = Math.max(1, width - 2 * margin);
  const h = Math.max(1, height - 2 * margin);
  const unit = Math.min(w / Math.max(1e-9, x1 - x0), h / Math.max(1e-9, y1 - y0));
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  return {
    x: scaleLinear()
      .domain([cx - w / 2 / unit, cx + w / 2 / unit])
      .range([margin, width - margin]),
    y: scaleLinear()
      .domain([cy - h / 2 / unit, cy + h / 2 / unit])
      .range([height - margin, margin]),
  };
}

/** The plane's points from the engine's arrays: tokens, then features (when an SAE is shown). */
export function planePoints(cloudXy: Float32Array, featureXy: Float32Array | null): PlanePoint[] {
  const points: PlanePoint[] = [];
  for (let i = 0; i < cloudXy.length / 2; i++) points.push({ kind: 'token', index: i, x: cloudXy[2 * i], y: cloudXy[2 * i + 1] });
  if (featureXy)
    for (let i = 0; i < featureXy.length / 2; i++) points.push({ kind: 'feature', index: i, x: featureXy[2 * i], y: featureXy[2 * i + 1] });
  return points;
}

export type PointTree = Quadtree<PlanePoint>;

export function pointTree(points: readonly PlanePoint[]): PointTree {
  return quadtree<PlanePoint>(
    [...points],
    (p) => p.x,
    (p) => p.y,
  );
}

/** The point nearest a data position within `radius` data units (features first when they tie), or null. */
export function nearest(tree: PointTree, x: number, y: number, radius: number): PlanePoint | null {
  return tree.find(x, y, radius) ?? null;
}
