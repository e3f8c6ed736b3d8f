import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSae } from '../../../native/sae/formats/load.js';
import { encodeReference } from '../../../native/sae/reference.js';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { DEMO_MODEL } from '../../helpers/shared.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';

const tmp = tempDir('train-cli');
afterAll(() => tmp.cleanup());

const HOOK = 'blocks.0.hook_mlp_out';
const base = ['--model', DEMO_MODEL, '--hook', HOOK, '--corpus', 'brown:ca01-ca04', '--context', '64', '--batch', '1024'];

describe('loupe train', () => {
  const narrow = join(tmp.path, 'narrow');

  it('trains a TopK SAE on the demo model over Brown and writes a SAELens folder that loads back', async () => {
    const { code, out, err } = await loupe('train', ...base, '--d-sae', '64', '--k', '8', '--tokens', '20480', '--out', narrow);
    expect(err).toContain('step 20/20');
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(summary.steps).toBe(20);
    expect(summary.final.l0).toBe(8);
    expect(summary.final.nmse).toBeLessThan(1);
    const sae = loadSae(narrow);
    expect([sae.dIn, sae.dSae, sae.hookName]).toEqual([256, 64, HOOK]);
    expect(sae.activation).toEqual({ kind: 'topk', k: 8 });
    const cfg = JSON.parse(readFileSync(join(narrow, 'cfg.json'), 'utf8'));
    expect(cfg).toMatchObject({
      architecture: 'topk',
      d_in: 256,
      d_sae: 64,
      hook_name: HOOK,
      context_size: 64,
      apply_b_dec_to_input: true,
    });
    const log = JSON.parse(readFileSync(join(narrow, 'training_log.json'), 'utf8'));
    expect(log.log.length).toBeGreaterThan(5);
    expect(log.log.at(-1).nmse).toBeLessThan(log.log[0].nmse);
    for (let j = 0; j < sae.dSae; j++) {
      const norm = Math.hypot(...sae.wDec.subarray(j * 256, (j + 1) * 256));
      expect(norm).toBeCloseTo(1, 4);
    }
  });

  it('splits one feature: trains on the tokens where it fires, initialised from the narrow SAE with that latent held at zero', async () => {
    const sae = loadSae(narrow);
    const feature = busiestFeature(sae);
    const wide = join(tmp.path, 'wide');
    const { code, out, err } = await loupe(
      'train',
      ...base,
      '--d-sae',
      '128',
      '--k',
      '8',
      '--tokens',
      '4096',
      '--out',
      wide,
      '--init-from',
      narrow,
      '--filter-feature',
      String(feature),
      '--threshold',
      '0',
      '--zero-feature',
      '--normalize-init',
    );
    expect(err).not.toContain('error');
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(summary.data.tokensKept).toBeLessThan(summary.data.tokensScanned);
    const trained = loadSae(wide);
    expect(trained.dSae).toBe(128);
    // the zeroed latent is removed from the saved SAE: it can never fire again and adds nothing
    expect(trained.bEnc[feature]).toBe(0);
    expect(trained.wDec.subarray(feature * 256, (feature + 1) * 256).every((v) => v === 0)).toBe(true);
    expect(Array.from({ length: 256 }, (_, i) => trained.wEnc[i * 128 + feature]).every((v) => v === 0)).toBe(true);
    const cfg = JSON.parse(readFileSync(join(wide, 'cfg.json'), 'utf8'));
    expect(cfg.loupe_training).toMatchObject({
      init_from: narrow,
      filter: { sae: narrow, feature, threshold: 0 },
      zero_filter_feature: true,
    });
  });

  it('refuses bad flags and bad corpora with specific errors', async () => {
    const bad = async (...args: string[]) => {
      const r = await loupe('train', ...args);
      expect(r.code).not.toBe(0);
      return r.err;
    };
    expect(await bad(...base, '--d-sae', '64', '--k', '8', '--tokens', '2048', '--out', narrow)).toContain('already holds files');
    expect(await bad(...base, '--d-sae', '8', '--k', '9', '--tokens', '2048', '--out', join(tmp.path, 'k'))).toContain(
      'k = 9 is larger than d_sae = 8',
    );
    expect(await bad(...base, '--d-sae', '8', '--k', '2', '--tokens', '2048', '--threshold', '1', '--out', join(tmp.path, 't'))).toContain(
      '--threshold needs --filter-feature',
    );
    expect(
      await bad(...base, '--d-sae', '8', '--k', '2', '--tokens', '2048', '--activation', 'gated', '--out', join(tmp.path, 'a')),
    ).toContain('--activation must be topk or relu');
    const empty = join(tmp.path, 'empty.txt');
    writeFileSync(empty, '');
    expect(
      await bad(
        '--model',
        DEMO_MODEL,
        '--hook',
        HOOK,
        '--corpus',
        `text:${empty}`,
        '--d-sae',
        '8',
        '--k',
        '2',
        '--tokens',
        '2048',
        '--out',
        join(tmp.path, 'e'),
      ),
    ).toContain('has no text');
  });

  it('replaces invalid UTF-8 in a text corpus and says how much', async () => {
    const file = join(tmp.path, 'broken.txt');
    const text = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(300));
    text[10] = 0xff;
    text[500] = 0xc3;
    writeFileSync(file, text);
    const { code, err } = await loupe(
      'train',
      '--model',
      DEMO_MODEL,
      '--hook',
      HOOK,
      '--corpus',
      `text:${file}`,
      '--context',
      '64',
      '--batch',
      '512',
      '--d-sae',
      '16',
      '--k',
      '2',
      '--tokens',
      '1024',
      '--out',
      join(tmp.path, 'utf8'),
    );
    expect(code).toBe(0);
    expect(err).toMatch(/replaced 2 invalid UTF-8 sequences/);
  });
});

/** The latent active on the most tokens of a reference sample (so the split has data). */
function busiestFeature(sae: ReturnType<typeof loadSae>): number {
  const refs = openSafetensors(join(DEMO_MODEL, 'refs.safetensors'));
  const x = refs.readFloat32(HOOK);
  refs.close();
  const n = x.data.length / sae.dIn;
  const acts = encodeReference(sae, x.data, n);
  const counts = new Array<number>(sae.dSae).fill(0);
  for (let t = 0; t < n; t++) for (let j = 0; j < sae.dSae; j++) if (acts[t * sae.dSae + j] > 0) counts[j]++;
  return counts.indexOf(Math.max(...counts));
}
