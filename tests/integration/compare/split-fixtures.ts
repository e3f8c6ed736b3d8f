// SAEs whose feature splitting is known by construction: every feature of a wider SAE is a small
// perturbation of one feature of the narrower SAE (its parent), in groups of known sizes, plus a few
// features in new random directions that have no parent. Real SAELens files on the demo model's hook.
import { mulberry32 } from '../../../native/api/random.js';
import type { CanonicalSae } from '../../../native/sae/canonical.js';
import { writeSaeLens } from '../../../native/sae/saelens-writer.js';
import { saeFromWeights } from '../../helpers/random-sae.js';

export const SPLIT_HOOK = 'blocks.0.hook_mlp_out';
const D_IN = 256;

/** [D_IN] a unit vector in a uniformly random direction (Box–Muller normals). */
function randomUnit(next: () => number): Float32Array {
  const v = Float32Array.from({ length: D_IN }, () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));
  return scale(v, 1);
}

function scale(v: Float32Array, norm: number): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => (x * norm) / n);
}

/** parent + noise · (a random unit direction), back to unit length: cosine to the parent ≈ 1/√(1 + noise²). */
function perturb(parent: Float32Array, noise: number, next: () => number): Float32Array {
  const r = randomUnit(next);
  return scale(
    parent.map((x, i) => x + noise * r[i]),
    1,
  );
}

/** A TopK SAE whose encoder columns are its decoder rows (tied), written in SAELens format. */
function tiedSae(path: string, rows: Float32Array[], k: number): CanonicalSae {
  const dSae = rows.length;
  const wDec = new Float32Array(dSae * D_IN);
  const wEnc = new Float32Array(D_IN * dSae);
  rows.forEach((row, j) => {
    wDec.set(row, j * D_IN);
    for (let i = 0; i < D_IN; i++) wEnc[i * dSae + j] = row[i];
  });
  const sae = saeFromWeights(path, {
    dIn: D_IN,
    dSae,
    wEnc,
    wDec,
    activation: { kind: 'topk', k },
    subtractDecoderBias: true,
    hookName: SPLIT_HOOK,
    modelName: 'demo-model',
  });
  writeSaeLens(path, sae);
  return sae;
}

export interface SplitLevel {
  sae: CanonicalSae;
  /** [dSae] the true parent of each feature in the previous level, −1 for a new direction (none at level 0) */
  parent: Int32Array;
}

/**
 * Level 0: `nNarrow` random directions. Each next level: feature j of the previous level gets
 * `children(j)` perturbed copies (noise 0.35, cosine ≈ 0.94), plus `novel` random directions; the
 * features are shuffled so that index order says nothing.
 */
export function splitLevels(
  paths: string[],
  spec: { nNarrow: number; children: (j: number, level: number) => number; novel: number; k: number[]; seed?: number },
): SplitLevel[] {
  const next = mulberry32(spec.seed ?? 7);
  let rows = Array.from({ length: spec.nNarrow }, () => randomUnit(next));
  const levels: SplitLevel[] = [{ sae: tiedSae(paths[0], rows, spec.k[0]), parent: new Int32Array(spec.nNarrow).fill(-1) }];
  for (let level = 1; level < paths.length; level++) {
    const made: { row: Float32Array; parent: number }[] = [];
    rows.forEach((row, j) => {
      for (let c = 0; c < spec.children(j, level); c++) made.push({ row: perturb(row, 0.35, next), parent: j });
    });
    for (let c = 0; c < spec.novel; c++) made.push({ row: randomUnit(next), parent: -1 });
    // Fisher–Yates with the seeded generator.
    for (let i = made.length - 1; i > 0; i--) {
      const r = Math.floor(next() * (i + 1));
      [made[i], made[r]] = [made[r], made[i]];
    }
    rows = made.map((m) => m.row);
    levels.push({ sae: tiedSae(paths[level], rows, spec.k[level]), parent: Int32Array.from(made, (m) => m.parent) });
  }
  return levels;
}
