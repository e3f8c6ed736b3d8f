/**
 * Learning rate at step t (0-based) of `steps`: linear warm-up over `warmupSteps`, constant, then a
 * linear decay to zero over the last `decayFraction` of the steps (the TopK paper's and SAELens's shape).
 */
export function learningRate(t: number, steps: number, lr: number, warmupSteps: number, decayFraction: number): number {
  const warm = warmupSteps > 0 ? Math.min(1, (t + 1) / warmupSteps) : 1;
  const decayStart = steps * (1 - decayFraction);
  const decay = t < decayStart || decayFraction <= 0 ? 1 : Math.max(0, (steps - t) / (steps - decayStart));
  return lr * warm * decay;
}

/** Gao et al. scale Adam's learning rate as 1/sqrt(latents): 2e-4 at 16,384 latents. */
export function defaultLearningRate(dSae: number): number {
  return 2e-4 * Math.sqrt(16384 / dSae);
}
