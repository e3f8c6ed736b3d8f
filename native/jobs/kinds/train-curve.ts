import type { TrainPoint } from '../../api/types.js';

/** Seconds between curve points when training steps are slow: the live curve still moves. */
const maxSilenceMs = 2000;

/** The trainer logs about 200 points per run (trainer.ts's logInterval): the curve takes the same steps. */
export function curveInterval(steps: number): number {
  return Math.max(1, Math.floor(steps / 200));
}

/**
 * Turns per-step progress into loss-curve points for `job.data`: one at each log step of the
 * trainer and one whenever 2 s passed without a point. Loss, NMSE, aux loss and L0 are means over
 * the steps since the previous point (as in training_log.json), so the curve shows trends, not noise.
 */
export class CurveSampler {
  #pending: TrainPoint[] = [];
  #lastSent: number;

  constructor(
    readonly send: (point: TrainPoint) => void,
    readonly now: () => number = () => performance.now(),
  ) {
    this.#lastSent = now();
  }

  add(point: TrainPoint): void {
    this.#pending.push(point);
    const logStep = point.step % curveInterval(point.steps) === 0 || point.step === point.steps;
    if (logStep || this.now() - this.#lastSent >= maxSilenceMs) this.flush();
  }

  /** Sends the steps not yet in a point, if any. */
  flush(): void {
    const items = this.#pending;
    if (items.length === 0) return;
    const last = items[items.length - 1];
    const mean = (f: (p: TrainPoint) => number) => items.reduce((s, p) => s + f(p), 0) / items.length;
    this.#pending = [];
    this.#lastSent = this.now();
    const { step, steps, tokensSeen, deadFraction, lr } = last;
    this.send({
      step,
      steps,
      tokensSeen,
      loss: mean((p) => p.loss),
      nmse: mean((p) => p.nmse),
      auxLoss: mean((p) => p.auxLoss),
      l0: mean((p) => p.l0),
      deadFraction,
      lr,
    });
  }
}
