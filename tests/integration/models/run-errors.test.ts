import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors, writeSafetensors } from '../../../native/formats/safetensors.js';
import type { HostTensor } from '../../../native/formats/tensor.js';
import { tempDir } from '../../helpers/tmp.js';
import { loupe } from '../../helpers/loupe-cli.js';
import { SHARED } from '../../helpers/shared.js';

const GPT2 = `${SHARED}/fixtures/gpt2-tiny`;
const scratch = tempDir('run-errors');
afterAll(() => scratch.cleanup());

let fileCount = 0;
function idsFile(tensors: Record<string, HostTensor>): string {
  const path = join(scratch.path, `ids-${fileCount++}.safetensors`);
  writeSafetensors(path, tensors);
  return path;
}

function ids(rows: number[][]): HostTensor {
  return { dtype: 'I64', shape: [rows.length, rows[0].length], data: BigInt64Array.from(rows.flat(), (v) => BigInt(v)) };
}

async function run(idsPath: string, ...extra: string[]) {
  const out = join(scratch.path, `out-${fileCount++}.safetensors`);
  const result = await loupe('run', '--model', GPT2, '--ids', idsPath, '--out', out, ...extra);
  return { ...result, out };
}

describe('loupe run refuses bad input with a specific message', () => {
  it('names the missing input_ids tensor and lists what the file has', async () => {
    const { code, err, out } = await run(idsFile({ tokens: ids([[1, 2]]) }), '--logits');
    expect(code).toBe(1);
    expect(err).toMatch(/no "input_ids" tensor \(the file has tokens\)/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses input_ids that are not int64', async () => {
    const { code, err } = await run(idsFile({ input_ids: { dtype: 'I32', shape: [1, 2], data: Int32Array.of(1, 2) } }), '--logits');
    expect(code).toBe(1);
    expect(err).toMatch(/input_ids must be int64 \(I64\), got I32/);
  });

  it('refuses input_ids that are not [batch, seq]', async () => {
    const { code, err } = await run(idsFile({ input_ids: { dtype: 'I64', shape: [3], data: BigInt64Array.of(1n, 2n, 3n) } }), '--logits');
    expect(code).toBe(1);
    expect(err).toMatch(/input_ids must be 2-D \[batch, seq\], got shape \[3\]/);
  });

  it('names an id outside the vocabulary, where it is, and the vocab size', async () => {
    const { code, err } = await run(
      idsFile({
        input_ids: ids([
          [1, 2, 3, 4],
          [5, 6, 7, 97],
        ]),
      }),
      '--logits',
    );
    expect(code).toBe(1);
    expect(err).toMatch(/token id 97 at input_ids\[1, 3\] is out of the vocabulary: ids must be in 0\.\.96 \(vocab size 97\)/);
  });

  it('refuses negative ids', async () => {
    const { code, err } = await run(idsFile({ input_ids: ids([[4, -1]]) }), '--logits');
    expect(code).toBe(1);
    expect(err).toMatch(/token id -1 at input_ids\[0, 1\]/);
  });

  it("refuses a sequence longer than the model's context", async () => {
    const { code, err } = await run(idsFile({ input_ids: ids([Array.from({ length: 33 }, (_, i) => i)]) }), '--logits');
    expect(code).toBe(1);
    expect(err).toMatch(/sequence length 33 exceeds the model's context of 32 tokens/);
  });

  it('names an unknown hook and lists the valid ones for this model', async () => {
    const { code, err } = await run(idsFile({ input_ids: ids([[1, 2]]) }), '--hooks', 'blocks.0.hook_resid_pre,blocks.5.hook_resid_post');
    expect(code).toBe(1);
    expect(err).toMatch(/unknown hook "blocks\.5\.hook_resid_post" for this model/);
    expect(err).toMatch(
      /L in 0\.\.1 and P one of hook_resid_pre, ln1\.hook_normalized, attn\.hook_q, attn\.hook_k, attn\.hook_v, attn\.hook_pattern, attn\.hook_z, hook_attn_out/,
    );
  });

  it('is a usage error to ask for nothing', async () => {
    const { code, err } = await run(idsFile({ input_ids: ids([[1, 2]]) }));
    expect(code).toBe(2);
    expect(err).toMatch(/nothing to compute: give --hooks, --logits or both/);
  });

  it('lists the allowed providers for an unknown one', async () => {
    const { code, err } = await run(idsFile({ input_ids: ids([[1, 2]]) }), '--logits', '--provider', 'tpu');
    expect(code).toBe(2);
    expect(err).toMatch(/Unsupported provider "tpu": expected one of cpu, webgpu, cuda, dml, coreml/);
  });

  it('says when the model folder, its config or the ids file is missing', async () => {
    const good = idsFile({ input_ids: ids([[1, 2]]) });
    const noModel = await loupe(
      'run',
      '--model',
      join(scratch.path, 'nope'),
      '--ids',
      good,
      '--logits',
      '--out',
      join(scratch.path, 'x.safetensors'),
    );
    expect(noModel.code).toBe(1);
    expect(noModel.err).toMatch(/nope: no such file or folder/);
    const empty = join(scratch.path, 'empty-model');
    mkdirSync(empty);
    const noConfig = await loupe('run', '--model', empty, '--ids', good, '--logits', '--out', join(scratch.path, 'x.safetensors'));
    expect(noConfig.err).toMatch(/no config\.json/);
    const noIds = await run(join(scratch.path, 'missing.safetensors'), '--logits');
    expect(noIds.code).toBe(1);
    expect(noIds.err).toMatch(/--ids .*missing\.safetensors: no such file/);
  });

  it.skipIf(process.platform === 'win32')('falls back to the CPU with a message when a provider cannot start', async () => {
    // DirectML exists only on Windows, so elsewhere asking for it always exercises the fallback.
    const { code, err, out } = await run(
      idsFile({ input_ids: ids([[1, 2, 3]]) }),
      '--hooks',
      'blocks.0.hook_resid_post',
      '--provider',
      'dml',
    );
    expect(code).toBe(0);
    expect(err).toMatch(/^loupe run: Execution provider "dml" failed: .+; running on CPU\n$/);
    const written = openSafetensors(out);
    expect(written.entries.get('blocks.0.hook_resid_post')?.shape).toEqual([1, 3, 64]);
    written.close();
  });
});
