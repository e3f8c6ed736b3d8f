import type { ZoomTransform } from 'd3-zoom';
import type { PlaneScales } from '../../lib/concepts/plane-geometry.js';
import type { ConceptTheme } from './concept-theme.svelte.js';

export interface PlaneDrawing {
  width: number;
  height: number;
  scales: PlaneScales;
  transform: ZoomTransform;
  /** [n, 2] token coordinates and each token's group (−1: the faint cloud) */
  cloud: Float32Array;
  group: readonly number[];
  /** group indices, largest concept first, so a specific concept's words are drawn over its parent's */
  groupOrder: readonly number[];
  /** [nFeatures, 2], or null without an SAE; `inPlane` [nFeatures] sets each feature's opacity */
  features: Float32Array | null;
  inPlane: Float32Array | null;
  /** features ringed (the list of aligned features) */
  ringed: ReadonlySet<number>;
  hover: { kind: 'token' | 'feature'; index: number } | null;
  theme: ConceptTheme;
}

/** Draws the plane: axes through the origin, the token cloud, concept words, features, the hovered point. */
export function paintPlane(ctx: CanvasRenderingContext2D, d: PlaneDrawing): void {
  const x = d.transform.rescaleX(d.scales.x);
  const y = d.transform.rescaleY(d.scales.y);
  ctx.clearRect(0, 0, d.width, d.height);
  ctx.strokeStyle = d.theme.axis;
  ctx.lineWidth = 1;
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(x(0), 0);
  ctx.lineTo(x(0), d.height);
  ctx.moveTo(0, y(0));
  ctx.lineTo(d.width, y(0));
  ctx.stroke();
  ctx.setLineDash([]);
  const n = d.cloud.length / 2;
  ctx.fillStyle = d.theme.cloud;
  ctx.globalAlpha = 0.28;
  for (let i = 0; i < n; i++) if (d.group[i] < 0) ctx.fillRect(x(d.cloud[2 * i]) - 1, y(d.cloud[2 * i + 1]) - 1, 2, 2);
  ctx.globalAlpha = 0.9;
  for (const g of d.groupOrder) {
    ctx.fillStyle = d.theme.groups[g % d.theme.groups.length];
    for (let i = 0; i < n; i++) {
      if (d.group[i] !== g) continue;
      ctx.beginPath();
      ctx.arc(x(d.cloud[2 * i]), y(d.cloud[2 * i + 1]), 3.2, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  if (d.features) paintFeatures(ctx, d, x, y);
  ctx.globalAlpha = 1;
  if (d.hover) {
    const xy = d.hover.kind === 'token' ? d.cloud : d.features;
    if (xy) {
      ctx.strokeStyle = d.theme.hover;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x(xy[2 * d.hover.index]), y(xy[2 * d.hover.index + 1]), 7, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
}

/** Features as small crosses, fainter the less of their direction lies in the plane; aligned ones ringed. */
function paintFeatures(ctx: CanvasRenderingContext2D, d: PlaneDrawing, x: (v: number) => number, y: (v: number) => number): void {
  const f = d.features as Float32Array;
  ctx.strokeStyle = d.theme.feature;
  ctx.lineWidth = 1.2;
  for (let i = 0; i < f.length / 2; i++) {
    const px = x(f[2 * i]);
    const py = y(f[2 * i + 1]);
    // Most features point mostly out of the plane: fade them so those in it stand out.
    ctx.globalAlpha = Math.max(0.06, Math.min(1, ((d.inPlane?.[i] ?? 0.3) * 1.8) ** 1.5));
    ctx.beginPath();
    ctx.moveTo(px - 2.5, py);
    ctx.lineTo(px + 2.5, py);
    ctx.moveTo(px, py - 2.5);
    ctx.lineTo(px, py + 2.5);
    ctx.stroke();
    if (d.ringed.has(i)) {
      ctx.globalAlpha = 1;
      ctx.beginPath();
      ctx.arc(px, py, 5, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
}
