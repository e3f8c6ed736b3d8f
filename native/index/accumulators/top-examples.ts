import { compareExamples } from './window-examples.js';
import type { WindowExample } from './window-examples.js';

/**
 * The N windows with the highest maximum activation of each feature, best first. N is small (20),
 * so a sorted array with insertion beats a heap. Features whose list changed since the last
 * `takeDirty` are remembered, so a commit writes only those.
 */
export class TopExamples {
  readonly #lists: WindowExample[][];
  readonly #dirty = new Set<number>();

  constructor(
    readonly dSae: number,
    readonly n: number,
  ) {
    this.#lists = Array.from({ length: dSae }, () => []);
  }

  /** Offers a window; `make` builds the stored example only when it gets in. */
  offer(feature: number, windowIndex: number, maxAct: number, make: () => WindowExample): void {
    const list = this.#lists[feature];
    const candidate = { windowIndex, maxAct };
    if (list.length === this.n && compareExamples(candidate, list[list.length - 1]) >= 0) return;
    let at = list.length;
    while (at > 0 && compareExamples(candidate, list[at - 1]) < 0) at--;
    list.splice(at, 0, make());
    if (list.length > this.n) list.pop();
    this.#dirty.add(feature);
  }

  list(feature: number): readonly WindowExample[] {
    return this.#lists[feature];
  }

  /** Restores a feature's list from stored examples (on resume). */
  restore(feature: number, examples: readonly WindowExample[]): void {
    this.#lists[feature] = [...examples].sort(compareExamples).slice(0, this.n);
  }

  takeDirty(): number[] {
    const out = [...this.#dirty].sort((a, b) => a - b);
    this.#dirty.clear();
    return out;
  }
}
