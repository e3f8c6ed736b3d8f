// Plain TypeScript, so the engine (corpus shuffles, training, evals, maps) and the renderer (the label
// queue's seeded sample) draw from one generator: a seed means one sequence everywhere in Loupe.

/** mulberry32: a tiny, fast seeded PRNG (32-bit state); returns floats in [0, 1). Same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
