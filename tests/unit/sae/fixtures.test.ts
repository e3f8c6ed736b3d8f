import { describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { decodeReference, encodeReference, loadSae } from '../../../native/sae/index.js';
import { FIXTURES } from './helpers.js';
import { relativeError } from '../../helpers/numeric.js';

/** Every tensor of refs.safetensors, as float32 with its token count. */
function refs(folder: string): { n: number; get(name: string): Float32Array } {
  const file = openSafetensors(`${FIXTURES}/saes/${folder}/refs.safetensors`);
  const tensors = new Map([...file.entries.keys()].map((name) => [name, file.readFloat32(name)] as const));
  file.close();
  return { n: tensors.get('x')!.shape[0], get: (name) => tensors.get(name)!.data };
}

const CASES = [
  { folder: 'saelens-relu', path: 'saelens-relu', acts: 'feature_acts', out: 'sae_out', format: 'saelens', kind: 'relu' },
  { folder: 'saelens-topk', path: 'saelens-topk', acts: 'feature_acts', out: 'sae_out', format: 'saelens', kind: 'topk' },
  { folder: 'openai-topk', path: 'openai-topk/layer_1.pt', acts: 'latents', out: 'recons', format: 'openai', kind: 'topk' },
] as const;

describe('loadSae + reference encoder reproduce the PyTorch fixtures', () => {
  for (const c of CASES) {
    it(`${c.folder}: ${c.acts} and ${c.out} within 1e-4 relative error`, () => {
      const sae = loadSae(`${FIXTURES}/saes/${c.path}`);
      expect(sae.source.format).toBe(c.format);
      expect(sae.activation.kind).toBe(c.kind);
      expect(sae.hookName).toBe('blocks.1.hook_resid_pre');
      const r = refs(c.folder);
      const acts = encodeReference(sae, r.get('x'), r.n);
      expect(relativeError(acts, r.get(c.acts))).toBeLessThan(1e-4);
      // Decoding the reference activations isolates the decoder from any TopK selection difference.
      expect(relativeError(decodeReference(sae, r.get(c.acts), r.n), r.get(c.out))).toBeLessThan(1e-4);
      expect(relativeError(decodeReference(sae, acts, r.n), r.get(c.out))).toBeLessThan(1e-4);
    });
  }

  it('reads k from the settings each fixture gives: SAELens activation_fn_kwargs, openai NOTE.json', () => {
    expect(loadSae(`${FIXTURES}/saes/saelens-topk`).activation).toEqual({ kind: 'topk', k: 8 });
    const openai = loadSae(`${FIXTURES}/saes/openai-topk`);
    expect(openai.activation).toEqual({ kind: 'topk', k: 6 });
    expect(openai.inputNorm).toBe('none');
    expect(openai.subtractDecoderBias).toBe(true);
    expect([openai.dIn, openai.dSae]).toEqual([64, 768]);
  });

  it('keeps SAELens settings and the config verbatim', () => {
    const sae = loadSae(`${FIXTURES}/saes/saelens-relu/cfg.json`);
    expect(sae).toMatchObject({ dIn: 64, dSae: 512, subtractDecoderBias: true, inputNorm: 'none', inputScale: 1, modelName: 'gpt2-tiny' });
    expect(sae.config).toMatchObject({ context_size: 128, hook_layer: 1, prepend_bos: true });
  });
});
