import { decodeActs, encodeActs } from '../../store/acts-codec.js';

/**
 * One feature's activations over one window, a candidate example, held compactly: the store's own
 * encoding (float16, sparse when few tokens fire: tens of bytes instead of 4 per token), so the
 * examples of a 32k-feature index fit in memory; the exact maximum is kept beside it.
 */
export interface WindowExample {
  windowIndex: number;
  maxAct: number;
  /** token position of maxAct (the first, if repeated) */
  maxPos: number;
  /** encodeActs of the window's activations */
  blob: Uint8Array;
}

/** Better first: higher maximum, then the earlier window (so ties never depend on arrival order). */
export function compareExamples(
  a: Pick<WindowExample, 'maxAct' | 'windowIndex'>,
  b: Pick<WindowExample, 'maxAct' | 'windowIndex'>,
): number {
  return b.maxAct - a.maxAct || a.windowIndex - b.windowIndex;
}

export function windowExample(windowIndex: number, acts: Float32Array, maxPos: number): WindowExample {
  return { windowIndex, maxAct: acts[maxPos], maxPos, blob: encodeActs(acts) };
}

/**
 * The activations as the store will hold them: float16-rounded, nothing above the exact maximum
 * (rounding may lift a value past it) and the exact maximum at its position. What the store derives
 * max_act and max_pos from is then the same before and after a round trip through it, which is what
 * makes a resumed run's output identical to an uninterrupted one's.
 */
export function exampleActs(e: WindowExample): Float32Array {
  const acts = decodeActs(e.blob);
  for (let i = 0; i < acts.length; i++) if (acts[i] > e.maxAct) acts[i] = e.maxAct;
  acts[e.maxPos] = e.maxAct;
  return acts;
}
