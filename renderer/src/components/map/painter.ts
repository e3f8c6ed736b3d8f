import type { MapLayout } from '../../lib/map/layout.js';
import type { Vec } from '../../lib/map/lasso.js';
import { packColour } from '../../lib/map/colour.js';
import { discMask, rasterPoints, type Disc } from '../../lib/map/raster.js';
import { scaleAffine, toScreen, type Affine } from '../../lib/map/view.js';

/** Everything one frame shows. Coordinates and sizes in CSS pixels. */
export interface Scene {
  layout: MapLayout;
  /** [n] pixel words */
  colours: Uint32Array;
  /** draw order (later on top), or null for point order */
  order: Int32Array | null;
  view: Affine;
  radius: number;
  /** points circled (search hits, a selection), when few enough to read */
  rings: readonly number[];
  hovered: number;
  /** the lasso being drawn, screen coordinates */
  lasso: readonly Vec[] | null;
  ringColour: string;
  hoverColour: string;
  lassoColour: string;
  /** the map's opaque background (the rasteriser blends onto it) */
  background: string;
  /** text written beside a few points (search hits): canvas text, never HTML */
  captions: readonly { point: number; text: string }[];
  textColour: string;
  /** segments between points (a hovered feature's parent and children) */
  links: readonly (readonly [number, number])[];
}

/**
 * Draws scenes onto one canvas: points through the ImageData rasteriser (lib/map/raster.ts), then
 * the few marks on top (rings, the hovered point, the lasso) with Canvas 2D. The canvas comes sized
 * by the canvas layer (lib/canvas/layer.ts): a backing store at the device pixel ratio, so points
 * stay crisp on high-density screens, and a context that draws in CSS pixels.
 */
export class MapPainter {
  #image: ImageData | null = null;
  #words = new Uint32Array(0);
  #discs = new Map<number, Disc>();

  #disc(radius: number): Disc {
    const key = Math.round(radius * 4) / 4;
    let disc = this.#discs.get(key);
    if (!disc) this.#discs.set(key, (disc = discMask(key)));
    return disc;
  }

  /** The pixel buffer, kept across frames and made anew only when the backing store's size changes. */
  #buffer(ctx: CanvasRenderingContext2D): ImageData {
    const { width, height } = ctx.canvas;
    if (!this.#image || this.#image.width !== width || this.#image.height !== height) {
      this.#image = ctx.createImageData(width, height);
      this.#words = new Uint32Array(this.#image.data.buffer);
    }
    return this.#image;
  }

  /**
   * Draws one frame onto `ctx` (its backing store `ratio` device pixels per CSS pixel, its transform
   * scaled to match, as layer.ts sizeCanvas leaves it). Returns the milliseconds the frame took.
   */
  draw(ctx: CanvasRenderingContext2D, ratio: number, scene: Scene): number {
    const start = performance.now();
    const image = this.#buffer(ctx);
    this.#words.fill(packColour(scene.background));
    const device = scaleAffine(scene.view, ratio);
    rasterPoints(
      { data: this.#words, width: image.width, height: image.height },
      scene.layout.xy,
      scene.colours,
      device,
      this.#disc(scene.radius * ratio),
      scene.order,
    );
    // putImageData ignores the transform: the pixels land 1:1 on the backing store.
    ctx.putImageData(image, 0, 0);
    this.#marks(ctx, scene, image.width / ratio, image.height / ratio);
    return performance.now() - start;
  }

  /** width, height: the canvas in CSS pixels */
  #marks(ctx: CanvasRenderingContext2D, scene: Scene, width: number, height: number): void {
    const { xy } = scene.layout;
    if (scene.links.length > 0) {
      ctx.beginPath();
      for (const [a, b] of scene.links) {
        const [ax, ay] = toScreen(scene.view, xy[2 * a], xy[2 * a + 1]);
        const [bx, by] = toScreen(scene.view, xy[2 * b], xy[2 * b + 1]);
        ctx.moveTo(ax, ay);
        ctx.lineTo(bx, by);
      }
      ctx.lineWidth = 1.2;
      ctx.strokeStyle = scene.hoverColour;
      ctx.globalAlpha = 0.65;
      ctx.stroke();
      ctx.globalAlpha = 1;
      // The family's other members ringed too, so a child far off-screen is still seen to exist.
      ctx.beginPath();
      for (const [a, b] of scene.links) {
        for (const p of [a, b]) {
          const [x, y] = toScreen(scene.view, xy[2 * p], xy[2 * p + 1]);
          ctx.moveTo(x + scene.radius + 2, y);
          ctx.arc(x, y, scene.radius + 2, 0, 2 * Math.PI);
        }
      }
      ctx.lineWidth = 1;
      ctx.strokeStyle = scene.hoverColour;
      ctx.stroke();
    }
    if (scene.rings.length > 0) {
      ctx.beginPath();
      for (const p of scene.rings) {
        const [x, y] = toScreen(scene.view, xy[2 * p], xy[2 * p + 1]);
        if (x < -10 || y < -10 || x > width + 10 || y > height + 10) continue;
        ctx.moveTo(x + scene.radius + 3, y);
        ctx.arc(x, y, scene.radius + 3, 0, 2 * Math.PI);
      }
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = scene.ringColour;
      ctx.stroke();
    }
    if (scene.captions.length > 0) this.#captions(ctx, scene);
    if (scene.hovered >= 0) {
      const [x, y] = toScreen(scene.view, xy[2 * scene.hovered], xy[2 * scene.hovered + 1]);
      ctx.beginPath();
      ctx.arc(x, y, scene.radius + 4, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = scene.hoverColour;
      ctx.stroke();
    }
    if (scene.lasso && scene.lasso.length > 1) {
      ctx.beginPath();
      scene.lasso.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
      ctx.closePath();
      ctx.globalAlpha = 0.1;
      ctx.fillStyle = scene.lassoColour;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.setLineDash([5, 4]);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = scene.lassoColour;
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  /** Labels beside points, with a halo of the background so they read over dense clusters. */
  #captions(ctx: CanvasRenderingContext2D, scene: Scene): void {
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    for (const { point, text } of scene.captions) {
      const [x, y] = toScreen(scene.view, scene.layout.xy[2 * point], scene.layout.xy[2 * point + 1]);
      const shown = text.length > 40 ? `${text.slice(0, 39)}…` : text;
      const tx = x + scene.radius + 7;
      ctx.lineWidth = 4;
      ctx.strokeStyle = scene.background;
      ctx.strokeText(shown, tx, y);
      ctx.fillStyle = scene.textColour;
      ctx.fillText(shown, tx, y);
    }
  }
}
