import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discover } from '../../../native/formats/discovery.js';
import { gemmaScopeNpz, npyZeros } from '../../unit/discovery/layouts.js';
import { writeTinyVocabFiles } from '../../unit/tokenizer/tiny-bpe.js';
import { SHARED } from '../../helpers/shared.js';
import { loupe } from '../../helpers/loupe-cli.js';

const FIXTURES = `${SHARED}/fixtures`;
const DEMO = `${SHARED}/demo-model`;
const scratch = mkdtempSync(join(tmpdir(), 'loupe-inspect-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `loupe inspect` in this process, collecting what it writes, and parses stdout when it succeeds. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed CLI output, walked by the assertions that check its shape
async function inspect(...args: string[]): Promise<{ code: number; out: string; err: string; json: Record<string, any> }> {
  const result = await loupe('inspect', ...args);
  return { ...result, json: result.code === 0 ? JSON.parse(result.out) : {} };
}

describe('loupe inspect on files', () => {
  it('lists a safetensors file: metadata, tensors with dtype and shape, and the model it belongs to', async () => {
    const { code, json } = await inspect(`${FIXTURES}/gpt2-tiny/model.safetensors`);
    expect(code).toBe(0);
    expect(json.type).toBe('safetensors');
    expect(json.tensors).toContainEqual({ name: 'transformer.wte.weight', dtype: 'F32', shape: [97, 64] });
    expect(json.items.map((i: { format: string }) => i.format)).toEqual(['hf-gpt2']);
  });

  it("prints a safetensors file's __metadata__", async () => {
    const { json } = await inspect(`${DEMO}/refs.safetensors`);
    expect(json.metadata.text).toMatch(/^The jury said/);
    expect(json.tensors).toContainEqual({ name: 'input_ids', dtype: 'I64', shape: [1, 53] });
  });

  it('lists the tensors of a PyTorch zip checkpoint and names the openai SAE it is', async () => {
    const { code, json } = await inspect(`${FIXTURES}/saes/openai-topk/layer_1.pt`);
    expect(code).toBe(0);
    expect(json.type).toBe('torch-checkpoint');
    expect(json.tensors).toContainEqual({ name: 'encoder.weight', dtype: 'F32', shape: [768, 64] });
    expect(json.items).toEqual([
      expect.objectContaining({ kind: 'sae', format: 'openai', dIn: 64, dSae: 768, k: 6, hookName: 'blocks.1.hook_resid_pre' }),
    ]);
  });

  it('lists a TransformerLens .pth state dict', async () => {
    const { json } = await inspect(`${FIXTURES}/tl-tiny/model_final.pth`);
    expect(json.tensors).toContainEqual({ name: 'blocks.0.attn.W_Q', dtype: 'F32', shape: [4, 32, 8] });
  });

  it('lists the arrays of an .npz and the dtype and shape of an .npy', async () => {
    const npz = join(scratch, 'params.npz');
    writeFileSync(npz, gemmaScopeNpz(8, 16));
    const npy = join(scratch, 'x.npy');
    writeFileSync(npy, npyZeros([3, 5]));
    expect((await inspect(npz)).json.arrays).toContainEqual({ name: 'W_enc', dtype: 'F32', shape: [8, 16] });
    expect((await inspect(npy)).json).toMatchObject({ type: 'npy', dtype: 'F32', shape: [3, 5] });
  });

  it('describes a tokenizer.json and a GPT-2 vocab.json + merges.txt pair', async () => {
    expect((await inspect(`${DEMO}/tokenizer.json`)).json).toMatchObject({
      type: 'tokenizer',
      format: 'tokenizer-json',
      vocabSize: 4096,
      specialTokens: [{ id: 4095, content: '<|endoftext|>' }],
      eosId: 4095,
    });
    const dir = join(scratch, 'vocab');
    mkdirSync(dir);
    writeTinyVocabFiles(dir);
    expect((await inspect(join(dir, 'vocab.json'))).json).toMatchObject({ type: 'tokenizer', format: 'gpt2-vocab', vocabSize: 265 });
  });
});

describe('loupe inspect on folders', () => {
  it('shows a Hugging Face model folder with its family and config', async () => {
    const { json } = await inspect(`${FIXTURES}/gpt2-tiny`);
    expect(json.items).toEqual([
      expect.objectContaining({ kind: 'model', format: 'hf-gpt2', weights: 'model.safetensors', dModel: 64, nLayers: 2 }),
    ]);
    expect(json.items[0].config).toMatchObject({ family: 'gpt2', dModel: 64, nLayers: 2, actFn: 'gelu_new' });
    expect(json.items[0].rawConfig).toMatchObject({ model_type: 'gpt2', n_embd: 64, activation_function: 'gelu_new' });
  });

  it('shows a TransformerLens folder', async () => {
    const { json } = await inspect(`${FIXTURES}/tl-tiny`);
    expect(json.items[0]).toMatchObject({
      kind: 'model',
      format: 'transformerlens',
      weights: 'model_final.pth',
      config: { family: 'transformerlens', actFn: 'gelu', dModel: 32 },
      rawConfig: { act_fn: 'gelu', d_model: 32 },
    });
  });

  it("shows an SAE folder's format, d_in, d_sae, hook and architecture", async () => {
    const { json } = await inspect(`${FIXTURES}/saes/saelens-topk`);
    expect(json.items).toEqual([
      expect.objectContaining({
        kind: 'sae',
        format: 'saelens',
        dIn: 64,
        dSae: 1024,
        hookName: 'blocks.1.hook_resid_pre',
        architecture: 'topk',
        k: 8,
      }),
    ]);
    expect(json.items[0].config.activation_fn_kwargs).toEqual({ k: 8 });
  });

  it('lists every model and SAE under the fixtures folder', async () => {
    const { json } = await inspect(FIXTURES);
    // The exact list is discovery's (tests/unit/discovery/discover.test.ts); inspect shows every item it finds, in its order.
    const found = discover(FIXTURES);
    expect(found).toHaveLength(19);
    expect(json.items.map((i: { kind: string; format: string; path: string }) => [i.kind, i.format, i.path])).toEqual(
      found.map((i) => [i.kind, i.format, i.path]),
    );
  });

  it('shows the demo model with its tokenizer', async () => {
    const { json } = await inspect(DEMO);
    expect(json.items).toEqual([
      expect.objectContaining({ kind: 'model', format: 'hf-gpt2' }),
      expect.objectContaining({ kind: 'tokenizer', format: 'tokenizer-json', vocabSize: 4096, eosId: 4095 }),
    ]);
  });
  it('treats a config.json or cfg.json as the folder it describes', async () => {
    const { json } = await inspect(`${FIXTURES}/saes/saelens-relu/cfg.json`);
    expect(json).toMatchObject({ type: 'folder', folder: `${FIXTURES}/saes/saelens-relu` });
    expect(json.items[0]).toMatchObject({ format: 'saelens', architecture: 'standard', dSae: 512 });
  });
});

describe('loupe inspect errors', () => {
  it('exits 1 naming a path that does not exist', async () => {
    const { code, err } = await inspect(join(scratch, 'absent.safetensors'));
    expect(code).toBe(1);
    expect(err).toMatch(/loupe inspect: .*absent\.safetensors: no such file or folder/);
  });

  it('exits 1 on an unknown file type, listing the known ones', async () => {
    const { code, err } = await inspect(`${FIXTURES}/README.md`);
    expect(code).toBe(1);
    expect(err).toMatch(
      /unknown file type "\.md": expected a folder, or a \.safetensors, \.pt, \.pth, \.bin \(PyTorch zip\), \.npy, \.npz, tokenizer\.json/,
    );
  });

  it("exits 1 with the reader's message on a malformed file", async () => {
    const bad = join(scratch, 'bad.safetensors');
    writeFileSync(bad, new Uint8Array([255, 255, 255, 255, 0, 0, 0, 0, 123]));
    const { code, err } = await inspect(bad);
    expect(code).toBe(1);
    expect(err).toMatch(/bad\.safetensors: /);
    const notZip = join(scratch, 'bad.pt');
    writeFileSync(notZip, 'not a checkpoint');
    expect((await inspect(notZip)).code).toBe(1);
  });

  it('exits 2 with usage when PATH is missing or doubled', async () => {
    expect((await inspect()).code).toBe(2);
    const twice = await inspect(FIXTURES, FIXTURES);
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(/expected one PATH, got 2[\s\S]*Usage: loupe inspect PATH/);
  });

  it('runs as the loupe command line, printing JSON and exiting non-zero on error', () => {
    const run = (path: string) => spawnSync('npx', ['tsx', 'native/cli/main.ts', 'inspect', path], { encoding: 'utf8' });
    const ok = run(`${FIXTURES}/saes/saelens-relu`);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).items[0]).toMatchObject({ format: 'saelens', dSae: 512 });
    const missing = run(join(scratch, 'nothing'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nothing: no such file or folder/);
  });
});
