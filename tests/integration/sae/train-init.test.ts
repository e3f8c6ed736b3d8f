import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCorpus } from '../../../native/corpus/open.js';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import { loadTransformer } from '../../../native/models/load.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { encodeReference } from '../../../native/sae/reference.js';
import { openActivationStream } from '../../../native/sae/train/activations.js';
import { initTrainState } from '../../../native/sae/train/init.js';
import { DEMO_MODEL_DIR, DEMO_SAE_DIRS } from '../../helpers/indexed-workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';

const tmp = tempDir('train-init');
afterAll(() => tmp.cleanup());
const HOOK = 'blocks.0.hook_mlp_out';

/** For each of the first `n` rows of `wide` [*, dIn], the index of the nearest row of `narrow` by cosine. */
function nearestRows(wide: Float32Array, narrow: Float32Array, nNarrow: number, n: number, dIn: number): number[] {
  const unit = (a: Float32Array, j: number) => {
    const row = a.subarray(j * dIn, (j + 1) * dIn);
    const norm = Math.hypot(...row);
    return Array.from(row, (v) => v / norm);
  };
  const narrowRows = Array.from({ length: nNarrow }, (_, j) => unit(narrow, j));
  return Array.from({ length: n }, (_, i) => {
    const w = unit(wide, i);
    let best = -1;
    let bestCos = -2;
    narrowRows.forEach((r, j) => {
      const c = r.reduce((s, v, d) => s + v * w[d], 0);
      if (c > bestCos) [best, bestCos] = [j, c];
    });
    return best;
  });
}

describe('initialisation', () => {
  it('starts two widths trained with one seed from unrelated weights: ≤ 5 % of the wide SAE’s first 64 latents nearest to the same-index narrow one', async () => {
    const base = [
      '--model',
      DEMO_MODEL_DIR,
      '--hook',
      HOOK,
      '--corpus',
      'brown:ca01-ca04',
      '--context',
      '64',
      '--batch',
      '1024',
      '--k',
      '8',
      '--tokens',
      '16384',
      '--seed',
      '0',
    ];
    const [narrow, wide] = [join(tmp.path, 'w64'), join(tmp.path, 'w512')];
    for (const [out, width] of [
      [narrow, '64'],
      [wide, '512'],
    ]) {
      const run = await loupe('train', ...base, '--d-sae', width, '--out', out);
      expect(run.code, run.err).toBe(0);
    }
    const [a, b] = [loadSae(narrow), loadSae(wide)];
    const nearest = nearestRows(b.wDec, a.wDec, 64, 64, 256);
    const same = nearest.filter((j, i) => j === i).length;
    expect(same / 64).toBeLessThanOrEqual(0.05);
  }, 120_000);

  it('starts a split’s new latents as copies of the feature, each leaning toward one of the feature’s tokens', async () => {
    const from = loadSae(DEMO_SAE_DIRS[0]);
    const { weights } = loadTransformer(DEMO_MODEL_DIR);
    const tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
    // The busiest feature on a few real rows, and the rows themselves (the trainer's init sample).
    const stream = await openActivationStream({
      model: weights,
      tokenizer,
      corpus: openCorpus('brown:ca01-ca02'),
      hook: HOOK,
      batchTokens: 2048,
      tokens: 4096,
      seed: 3,
    });
    let rows: Float32Array = new Float32Array(0);
    for await (const batch of stream.batches(0)) {
      rows = batch.x;
      break;
    }
    const n = rows.length / 256;
    const acts = encodeReference(from, rows, n);
    const fires = new Array(from.dSae).fill(0);
    for (let t = 0; t < n; t++) for (let f = 0; f < from.dSae; f++) if (acts[t * from.dSae + f] > 0) fires[f]++;
    const F = fires.indexOf(Math.max(...fires));
    const dSae = from.dSae + 16;
    const state = initTrainState({ dIn: 256, dSae, seed: 1, bDec: from.bDec, decoderNorm: 1, from, newFromData: { rows, n, feature: F } });
    const { wEncT, bEnc, wDec } = state.params;
    const pre = (j: number, x: Float32Array) => {
      let s = bEnc[j];
      for (let i = 0; i < 256; i++) s += wEncT[j * 256 + i] * (x[i] - from.bDec[i]);
      return s;
    };
    const rowOf = (t: number) => rows.subarray(t * 256, (t + 1) * 256);
    const firing = [...Array(n).keys()].filter((t) => acts[t * from.dSae + F] > 0);
    const leads = new Set<number>();
    for (let j = from.dSae; j < dSae; j++) {
      expect(Array.from(wDec.subarray(j * 256, (j + 1) * 256))).toEqual(Array.from(from.wDec.subarray(F * 256, (F + 1) * 256)));
      // Among F's tokens, each child reads more than F on some (those like its seed): the row where it leads most.
      const lead = firing.reduce((best, t) => (pre(j, rowOf(t)) - pre(F, rowOf(t)) > pre(j, rowOf(best)) - pre(F, rowOf(best)) ? t : best));
      expect(pre(j, rowOf(lead)) - pre(F, rowOf(lead)), `latent ${j}`).toBeGreaterThan(0);
      leads.add(lead);
    }
    // Children lean different ways: they lead on different tokens.
    expect(leads.size).toBeGreaterThanOrEqual(8);
    // The copied latents are the narrow SAE's, unchanged (not renormalised).
    for (const j of [0, F, from.dSae - 1])
      expect(Array.from(wDec.subarray(j * 256, (j + 1) * 256))).toEqual(Array.from(from.wDec.subarray(j * 256, (j + 1) * 256)));
  }, 60_000);
});
