/**
 * Tokens since each latent last fired. A latent is dead once that count reaches `deadTokens`
 * (the TopK paper uses 10M tokens; shorter runs scale it down, see trainer.ts).
 */
export class DeadLatents {
  /** [dSae] */
  readonly sinceFired: Float64Array;

  constructor(
    readonly dSae: number,
    readonly deadTokens: number,
    sinceFired?: Float64Array,
  ) {
    this.sinceFired = sinceFired ?? new Float64Array(dSae);
  }

  /** fired [dSae]: tokens of this batch each latent fired on. */
  update(fired: Float32Array, nTokens: number): void {
    for (let j = 0; j < this.dSae; j++) this.sinceFired[j] = fired[j] > 0 ? 0 : this.sinceFired[j] + nTokens;
  }

  /** bool [dSae] as bytes, and how many are dead. */
  mask(): { dead: Uint8Array; count: number } {
    const dead = new Uint8Array(this.dSae);
    let count = 0;
    for (let j = 0; j < this.dSae; j++) {
      if (this.sinceFired[j] >= this.deadTokens) {
        dead[j] = 1;
        count++;
      }
    }
    return { dead, count };
  }
}
