import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBf16, encodeF16 } from '../../../native/formats/float16.js';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { toFloat32 } from '../../../native/formats/tensor.js';
import { readTorchCheckpoint } from '../../../native/formats/torch.js';
import { checkpointZip, statePickle } from './fixtures-writers/torch.js';
import { scratchDir } from './fixtures-writers/tmp.js';

/** The shared golden fixtures live beside the repository, in ../shared/fixtures. */
const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));
const tmp = scratchDir('torch');
afterAll(() => tmp.remove());

describe('readTorchCheckpoint on torch.save files', () => {
  it('reads the TransformerLens state dict with shapes from its config', () => {
    const cfg = JSON.parse(readFileSync(`${FIXTURES}/tl-tiny/config.json`, 'utf8'));
    const { tensors, extra } = readTorchCheckpoint(`${FIXTURES}/tl-tiny/model_final.pth`);
    const { d_model: dModel, d_vocab: dVocab, n_ctx: nCtx, n_heads: nHeads, d_head: dHead, d_mlp: dMlp } = cfg;
    expect(tensors.get('embed.W_E')?.shape).toEqual([dVocab, dModel]);
    expect(tensors.get('pos_embed.W_pos')?.shape).toEqual([nCtx, dModel]);
    expect(tensors.get('blocks.0.attn.W_Q')?.shape).toEqual([nHeads, dModel, dHead]);
    expect(tensors.get('blocks.0.attn.W_O')?.shape).toEqual([nHeads, dHead, dModel]);
    expect(tensors.get('blocks.0.mlp.W_in')?.shape).toEqual([dModel, dMlp]);
    expect(tensors.get('unembed.W_U')?.shape).toEqual([dModel, dVocab]);
    expect(tensors.size).toBe(22);
    expect(Object.keys(extra)).toEqual([]);
    for (const t of tensors.values()) expect(toFloat32(t).every(Number.isFinite)).toBe(true);
    // Sums from an independent numpy reading of the same zip (pickle.Unpickler + as_strided).
    expect(sum(toFloat32(tensors.get('embed.W_E')!))).toBeCloseTo(-29.934642442354743, 4);
    expect(sum(toFloat32(tensors.get('blocks.0.attn.W_K')!))).toBeCloseTo(19.279934788006358, 4);
    expect(toFloat32(tensors.get('blocks.0.ln1.w')!)[0]).toBeCloseTo(1.0596242, 6);
  });

  it('reads the openai SAE state dict; its decoder reproduces the PyTorch reconstructions', () => {
    const { tensors } = readTorchCheckpoint(`${FIXTURES}/saes/openai-topk/layer_1.pt`);
    expect(tensors.get('stats_last_nonzero')?.dtype).toBe('I64');
    const dec = tensors.get('decoder.weight')!; /** [dIn, dSae] */
    const preBias = toFloat32(tensors.get('pre_bias')!); /** [dIn] */
    expect(dec.shape).toEqual([64, 768]);
    expect(tensors.get('encoder.weight')?.shape).toEqual([768, 64]);
    const refs = openSafetensors(`${FIXTURES}/saes/openai-topk/refs.safetensors`);
    const latents = refs.readFloat32('latents'); /** [nTokens, dSae] */
    const recons = refs.readFloat32('recons'); /** [nTokens, dIn] */
    refs.close();
    const [nTokens, dSae] = latents.shape;
    const w = toFloat32(dec);
    let err = 0;
    let norm = 0;
    for (let t = 0; t < nTokens; t++) {
      for (let i = 0; i < 64; i++) {
        let acc = preBias[i];
        for (let f = 0; f < dSae; f++) acc += latents.data[t * dSae + f] * w[i * dSae + f];
        err += (acc - recons.data[t * 64 + i]) ** 2;
        norm += recons.data[t * 64 + i] ** 2;
      }
    }
    expect(Math.sqrt(err / norm)).toBeLessThan(1e-5);
  });
});

describe('readTorchCheckpoint on hand-built checkpoints', () => {
  const f32 = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

  it('materialises transposed views, storage offsets and shared storages row-major', () => {
    const storage = f32([0, 1, 2, 3, 4, 5, 6]); // 7 elements; views start at offset 1
    const pickle = statePickle({
      base: { storageType: 'FloatStorage', key: '0', storageNumel: 7, offset: 1, shape: [2, 3], strides: [3, 1] },
      transposed: { storageType: 'FloatStorage', key: '0', storageNumel: 7, offset: 1, shape: [3, 2], strides: [1, 3] },
      column: { storageType: 'FloatStorage', key: '0', storageNumel: 7, offset: 2, shape: [2], strides: [3] },
      broadcast: { storageType: 'FloatStorage', key: '0', storageNumel: 7, offset: 6, shape: [2, 2], strides: [0, 0] },
    });
    const path = tmp.write('views.pt', checkpointZip({ pickle, storages: { '0': storage }, byteorder: 'little' }));
    const { tensors } = readTorchCheckpoint(path);
    expect([...toFloat32(tensors.get('base')!)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensors.get('transposed')!.shape).toEqual([3, 2]);
    expect([...toFloat32(tensors.get('transposed')!)]).toEqual([1, 4, 2, 5, 3, 6]);
    expect([...toFloat32(tensors.get('column')!)]).toEqual([2, 5]);
    expect([...toFloat32(tensors.get('broadcast')!)]).toEqual([6, 6, 6, 6]);
  });

  it('reads float16, bfloat16, int64 and float64 storages, transposed too', () => {
    const pickle = statePickle({
      half: { storageType: 'HalfStorage', key: 'h', storageNumel: 4, offset: 0, shape: [2, 2], strides: [1, 2] },
      brain: { storageType: 'BFloat16Storage', key: 'b', storageNumel: 2, offset: 0, shape: [2], strides: [1] },
      ids: { storageType: 'LongStorage', key: 'i', storageNumel: 3, offset: 0, shape: [3, 1], strides: [1, 3] },
      wide: { storageType: 'DoubleStorage', key: 'd', storageNumel: 4, offset: 0, shape: [2, 2], strides: [1, 2] },
    });
    const storages = {
      h: new Uint8Array(encodeF16([1, 2, -0.5, 65504]).buffer),
      b: new Uint8Array(encodeBf16([3.140625, -2]).buffer),
      i: new Uint8Array(new BigInt64Array([-1n, 2n ** 40n, 50256n]).buffer),
      d: new Uint8Array(new Float64Array([1e-300, 2, 3, 4]).buffer),
    };
    const { tensors } = readTorchCheckpoint(tmp.write('dtypes.pt', checkpointZip({ pickle, storages })));
    expect(tensors.get('half')!.dtype).toBe('F16');
    expect([...toFloat32(tensors.get('half')!)]).toEqual([1, -0.5, 2, 65504]);
    expect([...toFloat32(tensors.get('brain')!)]).toEqual([3.140625, -2]);
    expect(tensors.get('ids')!.data).toEqual(new BigInt64Array([-1n, 2n ** 40n, 50256n]));
    expect(tensors.get('wide')!.data).toEqual(new Float64Array([1e-300, 3, 2, 4]));
  });

  it('unwraps parameters, flattens nested dicts and keeps scalars in extra', () => {
    const pickle = statePickle({
      model: {
        W_enc: { storageType: 'FloatStorage', key: '0', storageNumel: 2, offset: 0, shape: [2], strides: [1], parameter: true },
      },
      cfg: { k: 6, name: 'sae', lr: 0.5, tied: false, big: 2 ** 40, none: null },
    });
    const { tensors, extra } = readTorchCheckpoint(tmp.write('nested.pt', checkpointZip({ pickle, storages: { '0': f32([7, 8]) } })));
    expect([...tensors.keys()]).toEqual(['model.W_enc']);
    expect([...toFloat32(tensors.get('model.W_enc')!)]).toEqual([7, 8]);
    expect({ ...extra }).toEqual({ 'cfg.k': 6, 'cfg.name': 'sae', 'cfg.lr': 0.5, 'cfg.tied': false, 'cfg.big': 2 ** 40, 'cfg.none': null });
  });
});

function sum(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}
