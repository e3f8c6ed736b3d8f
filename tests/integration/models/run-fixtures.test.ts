import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../../../native/formats/safetensors.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { relativeError } from '../../helpers/numeric.js';
import { SHARED } from '../../helpers/shared.js';

const FIXTURES = `${SHARED}/fixtures`;
const DEMO = `${SHARED}/demo-model`;
const scratch = tempDir('run');
afterAll(() => scratch.cleanup());

/** Runs `loupe run` on a folder's refs.safetensors ids and returns each requested tensor's error against the refs. */
async function runAgainstRefs(modelDir: string, hooks: string[], out: string): Promise<Map<string, number>> {
  const refsPath = join(modelDir, 'refs.safetensors');
  const { code, err } = await loupe('run', '--model', modelDir, '--ids', refsPath, '--hooks', hooks.join(','), '--logits', '--out', out);
  expect(err).toBe('');
  expect(code).toBe(0);
  const refs = openSafetensors(refsPath);
  const written = openSafetensors(out);
  const errors = new Map<string, number>();
  for (const name of [...hooks, 'logits']) {
    const ref = refs.readFloat32(name);
    const got = written.read(name);
    expect(got.dtype).toBe('F32');
    expect(got.shape).toEqual(ref.shape);
    errors.set(name, relativeError(got.data as Float32Array, ref.data));
  }
  refs.close();
  written.close();
  return errors;
}

function refHooks(modelDir: string): string[] {
  const refs = openSafetensors(join(modelDir, 'refs.safetensors'));
  refs.close();
  return [...refs.entries.keys()].filter((name) => name.startsWith('blocks.') || name.startsWith('ln_final.'));
}

describe('loupe run reproduces PyTorch', () => {
  it('matches every hook and the logits of the Hugging Face GPT-2 fixture (transformer. prefix, Conv1D, tied unembedding)', async () => {
    const hooks = refHooks(`${FIXTURES}/gpt2-tiny`);
    expect(hooks).toHaveLength(12);
    const errors = await runAgainstRefs(`${FIXTURES}/gpt2-tiny`, hooks, join(scratch.path, 'gpt2-tiny.safetensors'));
    for (const [name, e] of errors) expect(e, name).toBeLessThan(1e-4);
  });

  it('matches every hook and the logits of the TransformerLens fixture (torch.save state dict, exact GELU, unembedding bias)', async () => {
    const hooks = refHooks(`${FIXTURES}/tl-tiny`);
    expect(hooks).toHaveLength(6);
    const errors = await runAgainstRefs(`${FIXTURES}/tl-tiny`, hooks, join(scratch.path, 'tl-tiny.safetensors'));
    for (const [name, e] of errors) expect(e, name).toBeLessThan(1e-4);
  });

  it("matches the demo model's logits and hooks, and its next-token loss", async () => {
    const out = join(scratch.path, 'demo.safetensors');
    const errors = await runAgainstRefs(DEMO, ['blocks.0.mlp.hook_post', 'blocks.1.hook_resid_post'], out);
    for (const [name, e] of errors) expect(e, name).toBeLessThan(1e-4);

    const refs = openSafetensors(join(DEMO, 'refs.safetensors'));
    const ids = refs.read('input_ids').data as BigInt64Array;
    const refLoss = refs.readFloat32('loss').data[0];
    refs.close();
    const written = openSafetensors(out);
    const logits = written.readFloat32('logits');
    written.close();
    expect(Math.abs(nextTokenLoss(logits.data, logits.shape[2], ids) - refLoss) / refLoss).toBeLessThan(1e-4);
  });
});

/** Mean cross-entropy of predicting token t+1 from position t, for one sequence. */
function nextTokenLoss(logits: Float32Array, vocab: number, ids: BigInt64Array): number {
  let total = 0;
  for (let t = 0; t + 1 < ids.length; t++) {
    const row = logits.subarray(t * vocab, (t + 1) * vocab);
    let max = -Infinity;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    total += Math.log(sum) + max - row[Number(ids[t + 1])];
  }
  return total / (ids.length - 1);
}
