import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../native/cli.js';
import { discoverHfCache, hfCacheDir } from '../../../native/formats/discovery.js';
import { FIXTURES, gemmaScopeNpz } from './layouts.js';

const root = mkdtempSync(join(tmpdir(), 'loupe-hfcache-'));
const hub = join(root, 'hub');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * Lays out a repo as huggingface_hub does: content-addressed blobs, snapshot folders of relative
 * symlinks into them, and refs/main holding the current commit.
 */
function cachedRepo(
  folder: string,
  revisions: Record<string, Record<string, string | Uint8Array | { copy: string }>>,
  main?: string,
): void {
  const repo = join(hub, folder);
  mkdirSync(join(repo, 'blobs'), { recursive: true });
  let blob = 0;
  for (const [revision, files] of Object.entries(revisions)) {
    for (const [rel, content] of Object.entries(files)) {
      const sha = `${revision.slice(0, 4)}blob${blob++}`;
      const blobPath = join(repo, 'blobs', sha);
      if (typeof content === 'object' && 'copy' in content) copyFileSync(content.copy, blobPath);
      else writeFileSync(blobPath, content);
      const link = join(repo, 'snapshots', revision, rel);
      mkdirSync(join(link, '..'), { recursive: true });
      const depth = rel.split('/').length + 1;
      symlinkSync(`${'../'.repeat(depth)}blobs/${sha}`, link);
    }
  }
  if (main !== undefined) {
    mkdirSync(join(repo, 'refs'), { recursive: true });
    writeFileSync(join(repo, 'refs', 'main'), main);
  }
}

const NEW = 'a'.repeat(40);
const OLD = 'b'.repeat(40);

beforeAll(() => {
  cachedRepo(
    'models--tiny-org--gpt2-tiny',
    {
      [NEW]: {
        'config.json': { copy: `${FIXTURES}/gpt2-tiny/config.json` },
        'model.safetensors': { copy: `${FIXTURES}/gpt2-tiny/model.safetensors` },
      },
      [OLD]: {
        'config.json': { copy: `${FIXTURES}/tl-tiny/config.json` },
        'model_final.pth': { copy: `${FIXTURES}/tl-tiny/model_final.pth` },
      },
    },
    NEW,
  );
  cachedRepo(
    'models--someone--tiny-saes',
    {
      [NEW]: {
        'blocks.1.hook_resid_pre/cfg.json': { copy: `${FIXTURES}/saes/saelens-topk/cfg.json` },
        'blocks.1.hook_resid_pre/sae_weights.safetensors': { copy: `${FIXTURES}/saes/saelens-topk/sae_weights.safetensors` },
      },
    },
    `${NEW}\n`,
  );
  cachedRepo('models--google--gemma-scope-2b-pt-att', { [OLD]: { 'layer_3/width_1k/average_l0_9/params.npz': gemmaScopeNpz(8, 16) } });
  cachedRepo('datasets--someone--corpus', { [NEW]: { 'config.json': '{}' } }, NEW);
  // An interrupted download leaves a snapshot link whose blob never arrived.
  mkdirSync(join(hub, 'models--someone--tiny-saes', 'snapshots', NEW, 'partial'), { recursive: true });
  symlinkSync('../../../blobs/missing', join(hub, 'models--someone--tiny-saes', 'snapshots', NEW, 'partial', 'cfg.json'));
});

describe('discoverHfCache', () => {
  it('lists each repo at the revision refs/main names, with repo id and revision', () => {
    const items = discoverHfCache({ HF_HUB_CACHE: hub });
    const snapshot = (folder: string, rev: string) => join(hub, folder, 'snapshots', rev);
    expect(items).toEqual([
      {
        kind: 'sae',
        format: 'gemma-scope',
        path: join(snapshot('models--google--gemma-scope-2b-pt-att', OLD), 'layer_3/width_1k/average_l0_9'),
        architecture: 'jumprelu',
        hookName: 'blocks.3.attn.hook_z',
        dIn: 8,
        dSae: 16,
        repoId: 'google/gemma-scope-2b-pt-att',
        revision: OLD,
      },
      {
        kind: 'sae',
        format: 'saelens',
        path: join(snapshot('models--someone--tiny-saes', NEW), 'blocks.1.hook_resid_pre'),
        dIn: 64,
        dSae: 1024,
        k: 8,
        architecture: 'topk',
        hookName: 'blocks.1.hook_resid_pre',
        modelName: 'gpt2-tiny',
        repoId: 'someone/tiny-saes',
        revision: NEW,
      },
      {
        kind: 'model',
        format: 'hf-gpt2',
        path: snapshot('models--tiny-org--gpt2-tiny', NEW),
        weights: 'model.safetensors',
        dModel: 64,
        nLayers: 2,
        architecture: 'GPT2LMHeadModel',
        repoId: 'tiny-org/gpt2-tiny',
        revision: NEW,
      },
    ]);
  });

  it('finds the cache under HF_HOME/hub', () => {
    expect(discoverHfCache({ HF_HOME: root }).map((i) => i.repoId)).toEqual([
      'google/gemma-scope-2b-pt-att',
      'someone/tiny-saes',
      'tiny-org/gpt2-tiny',
    ]);
  });

  it('returns nothing for a cache folder that does not exist', () => {
    expect(discoverHfCache({ HF_HUB_CACHE: join(root, 'absent') })).toEqual([]);
  });
});

describe('loupe inspect --hf-cache', () => {
  it("lists the cache's models and SAEs with repo id, revision and each one's config", async () => {
    const saved = { HF_HUB_CACHE: process.env.HF_HUB_CACHE, write: process.stdout.write };
    const out: string[] = [];
    process.env.HF_HUB_CACHE = hub;
    process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['inspect', '--hf-cache']);
    } finally {
      process.stdout.write = saved.write;
      if (saved.HF_HUB_CACHE === undefined) delete process.env.HF_HUB_CACHE;
      else process.env.HF_HUB_CACHE = saved.HF_HUB_CACHE;
    }
    expect(code).toBe(0);
    const json = JSON.parse(out.join('')) as {
      path: string;
      type: string;
      items: { repoId: string; revision: string; kind: string; config?: unknown; rawConfig?: unknown }[];
    };
    expect(json).toMatchObject({ path: hub, type: 'hf-cache' });
    expect(json.items.map((i) => [i.repoId, i.revision, i.kind])).toEqual([
      ['google/gemma-scope-2b-pt-att', OLD, 'sae'],
      ['someone/tiny-saes', NEW, 'sae'],
      ['tiny-org/gpt2-tiny', NEW, 'model'],
    ]);
    expect(json.items[1].config).toMatchObject({ d_in: 64, d_sae: 1024 });
    expect(json.items[2].rawConfig).toMatchObject({ model_type: 'gpt2', n_embd: 64 });
  });

  it('refuses a PATH beside --hf-cache', async () => {
    expect(await main(['inspect', '--hf-cache', '/tmp'])).toBe(2);
  });
});

describe('hfCacheDir', () => {
  it('resolves as huggingface_hub does: HF_HUB_CACHE, then HF_HOME/hub, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(hfCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b' })).toBe('/a');
    expect(hfCacheDir({ HF_HOME: '/b', XDG_CACHE_HOME: '/c' })).toBe('/b/hub');
    expect(hfCacheDir({ XDG_CACHE_HOME: '/c', HOME: '/h' })).toBe('/c/huggingface/hub');
    expect(hfCacheDir({ HOME: '/h' })).toBe('/h/.cache/huggingface/hub');
  });
});
