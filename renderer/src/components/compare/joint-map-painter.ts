import type { ZoomTransform } from 'd3-zoom';
import type { DecodedLinks } from '../../lib/compare/links.js';
import { pointOf, type MapLayout } from '../../lib/map/layout.js';

/** What one frame of the joint map shows. Sizes in CSS pixels. */
export interface JointScene {
  layout: MapLayout;
  /** pair p links SAE p + 1's features to their parents in SAE p (layout.saeIds order) */
  links: readonly (DecodedLinks | null)[];
  threshold: number;
  transform: ZoomTransform;
  /** one colour per SAE */
  colours: readonly string[];
  linkColour: string;
  ringColour: string;
  /** points drawn with a ring: the hovered feature and those linked to it */
  rings: readonly number[];
}

const margin = 20;

/** World [0, 1]² → screen: the unit square fitted into the canvas, then the zoom. */
export function toScreen(width: number, height: number, t: ZoomTransform, x: number, y: number): [number, number] {
  const s = Math.max(1, Math.min(width, height) - 2 * margin);
  const [ox, oy] = [(width - s) / 2, (height - s) / 2];
  return [t.x + t.k * (ox + x * s), t.y + t.k * (oy + y * s)];
}

export function toWorld(width: number, height: number, t: ZoomTransform, sx: number, sy: number): [number, number] {
  const s = Math.max(1, Math.min(width, height) - 2 * margin);
  const [ox, oy] = [(width - s) / 2, (height - s) / 2];
  return [((sx - t.x) / t.k - ox) / s, ((sy - t.y) / t.k - oy) / s];
}

/** Links under the points, the widest SAE's points first (smallest), the narrowest on top. */
export function drawJoint(ctx: CanvasRenderingContext2D, width: number, height: number, scene: JointScene): void {
  const { layout, transform: t } = scene;
  ctx.clearRect(0, 0, width, height);
  const at = (p: number) => toScreen(width, height, t, layout.xy[2 * p], layout.xy[2 * p + 1]);
  ctx.lineWidth = 0.9;
  ctx.strokeStyle = scene.linkColour;
  ctx.globalAlpha = 0.55;
  scene.links.forEach((links, pair) => {
    if (!links) return;
    ctx.beginPath();
    for (let w = 0; w < links.nWide; w++) {
      const parent = links.parents[w];
      if (parent < 0 || links.similarity[w] < scene.threshold) continue;
      const a = pointOf(layout, layout.saeIds[pair + 1], w);
      const b = pointOf(layout, layout.saeIds[pair], parent);
      if (a < 0 || b < 0) continue;
      const [ax, ay] = at(a);
      const [bx, by] = at(b);
      ctx.moveTo(ax, ay);
      ctx.lineTo(bx, by);
    }
    ctx.stroke();
  });
  ctx.globalAlpha = 1;
  const nSae = layout.saeIds.length;
  for (let s = nSae - 1; s >= 0; s--) {
    const from = layout.offsets[s];
    const to = s + 1 < nSae ? layout.offsets[s + 1] : layout.n;
    const size = Math.min(6, (s === 0 ? 3.2 : 2) * Math.pow(t.k, 0.35));
    ctx.fillStyle = scene.colours[s] ?? '#888';
    for (let p = from; p < to; p++) {
      const [x, y] = at(p);
      if (x < -size || y < -size || x > width + size || y > height + size) continue;
      ctx.fillRect(x - size / 2, y - size / 2, size, size);
    }
  }
  ctx.strokeStyle = scene.ringColour;
  ctx.lineWidth = 1.5;
  for (const p of scene.rings) {
    const [x, y] = at(p);
    ctx.beginPath();
    ctx.arc(x, y, 5, 0, 2 * Math.PI);
    ctx.stroke();
  }
}

/** The hovered point and the points one link away from it (its parent, or its children). */
export function linkedPoints(layout: MapLayout, links: readonly (DecodedLinks | null)[], point: number, threshold: number): number[] {
  const s = layout.sae[point];
  const feature = layout.feature[point];
  const out = [point];
  const up = links[s - 1];
  if (up && up.parents[feature] >= 0 && up.similarity[feature] >= threshold)
    out.push(pointOf(layout, layout.saeIds[s - 1], up.parents[feature]));
  const down = links[s];
  if (down) {
    for (let w = 0; w < down.nWide && out.length < 64; w++) {
      if (down.parents[w] === feature && down.similarity[w] >= threshold) out.push(pointOf(layout, layout.saeIds[s + 1], w));
    }
  }
  return out.filter((p) => p >= 0);
}
