import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../native/formats/tokenizer.js';
import type { Tokenizer } from '../../../native/formats/tokenizer.js';
import { registerModel, registerSae } from '../../../native/registry/catalog.js';
import { runImport } from '../../../native/index/import/run-import.js';
import { writeSafetensors } from '../../../native/formats/safetensors.js';
import { loadTransformer } from '../../../native/models/load.js';
import { loadSae } from '../../../native/sae/formats/load.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import type { Workspace } from '../../../native/store/workspace.js';
import { SMALL, writeAllExports, writeDelphiCache } from '../../fixtures-writers/dashboard-exports.js';
import type { ExpectedFeature } from '../../fixtures-writers/dashboard-exports.js';
import { DEMO_MODEL_DIR, DEMO_SAE_DIRS } from '../../helpers/indexed-workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { dumpIndex } from './index-setup.js';
import { withDatabase } from '../../helpers/workspace-database.js';

// Exports of every layout, written by the kept fixture writer from the demo model's Brown windows.
const tmp = tempDir('dash-import');
const exportsDir = join(tmp.path, 'exports');
let expected: Awaited<ReturnType<typeof writeAllExports>>;
let tokenizer: Tokenizer;
const NP = () => join(exportsDir, 'neuronpedia', 'loupe-demo', '0-brown-mlp0');
const SD = () => join(exportsDir, 'saedashboard');
const DELPHI = () => join(exportsDir, 'delphi', 'blocks.0.hook_mlp_out');
/** the same cache in one split per latent: a kill after the first commit leaves many to resume */
const DELPHI_FINE = () => join(exportsDir, 'delphi-fine', 'blocks.0.hook_mlp_out');

beforeAll(async () => {
  expected = await writeAllExports(exportsDir, DEMO_MODEL_DIR);
  tokenizer = await loadTokenizer(DEMO_MODEL_DIR);
  writeDelphiCache(DELPHI_FINE(), SMALL, expected.windows, SMALL.features);
}, 120_000);
afterAll(() => tmp.cleanup());

async function imported(name: string, path: string, commitRows?: number): Promise<{ ws: Workspace; saeId: string; runId: number }> {
  const ws = openWorkspace(join(tmp.path, name));
  const model = await registerModel(ws, DEMO_MODEL_DIR);
  const summary = await runImport(ws, { path, modelId: model.id, commitRows });
  return { ws, saeId: summary.saeId, runId: summary.runId };
}

/** float16 storage of example activations: relative error ≤ 2⁻¹¹. */
function expectHalfClose(got: readonly number[], want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(Math.abs(want[i]) * 2 ** -11 + 1e-7);
}

function checkDashboardFeature(ws: Workspace, saeId: string, f: ExpectedFeature): void {
  const page = ws.features.page({ saeId, index: f.index });
  expect(page.stats?.density).toBeCloseTo(f.density, 12);
  expect(page.stats?.absent).toEqual(['fires', 'frequent', 'meanAct', 'tokensSeen']);
  const top = f.activations.filter((a) => a.binMin === -1).sort((a, b) => Math.max(...b.values) - Math.max(...a.values));
  expect(page.top.length).toBe(top.length);
  page.top.forEach((e, i) => {
    expectHalfClose(e.acts, top[i].values);
    expect(e.maxAct).toBeCloseTo(Math.max(...top[i].values), 5);
    expect(page.windows[e.window].tokens).toEqual(Array.from(expected.windows[top[i].window], (id) => tokenizer.tokenText(id)));
  });
  const intervals = [...new Set(f.activations.filter((a) => a.binMin !== -1).map((a) => a.binMin))];
  expect(page.quantiles.length).toBe(intervals.length);
  if (intervals.length > 0) expect(page.quantiles[0].lo).toBeCloseTo(0, 6);
  expect(page.boosted.map((t) => t.value)).toEqual(f.pos.map((t) => t.value));
  expect(page.suppressed.map((t) => t.tokenId)).toEqual(f.neg.map((t) => t.id));
  expect(page.stats?.histogram.counts).toEqual(f.histHeights);
}

describe('loupe import of SAEDashboard / Neuronpedia exports', () => {
  for (const [layout, path] of [
    ['Neuronpedia bulk (features/ + activations/ .jsonl.gz)', NP],
    ['SAEDashboard batch-N.json', SD],
  ] as const) {
    it(`${layout}: feature pages show the export's statistics, examples and output tokens; search finds a boosted token; labels can be set`, async () => {
      const { ws, saeId } = await imported(layout.split(' ')[0], path(), 7);
      try {
        expect(ws.saes.get(saeId)?.dSae).toBe(expected.features.length);
        // Neuronpedia's layout names its source: the features link back to it.
        expect(ws.features.page({ saeId, index: 3 }).neuronpedia?.url ?? null).toBe(
          layout.startsWith('Neuronpedia') ? 'https://www.neuronpedia.org/loupe-demo/0-brown-mlp0/3' : null,
        );
        for (const f of expected.features) checkDashboardFeature(ws, saeId, f);
        const page = ws.features.page({ saeId, index: 0 });
        const boosted = page.boosted[0].token.trim();
        const hits = ws.features.query({ saeId, token: boosted });
        expect(hits.items.map((h) => h.key.index)).toContain(0);
        ws.features.labels.set({ saeId, index: 0 }, { label: 'imported feature' }, { author: 'test' });
        expect(ws.features.page({ saeId, index: 0 }).label.label).toBe('imported feature');
        expect(ws.features.query({ saeId, text: 'imported' }).items.map((h) => h.key.index)).toEqual([0]);
        expect(withDatabase(ws, (db) => db.integrityCheck())).toEqual(['ok']);
      } finally {
        ws.close();
      }
    }, 120_000);
  }

  it('delphi cache: exact statistics and top examples rebuilt from locations + tokens', async () => {
    const { ws, saeId, runId } = await imported('delphi', DELPHI());
    try {
      // config.json is pretty-printed over many lines: its dataset_repo is read from the whole document.
      expect(ws.imports.source(runId)?.dataset).toBe('brown:news');
      const { acts, dSae } = expected.delphi;
      const nB = expected.windows.length;
      const ctx = expected.windows[0].length;
      for (let f = 0; f < dSae; f++) {
        let fires = 0;
        let sum = 0;
        let max = 0;
        for (let i = 0; i < nB * ctx; i++) {
          const v = acts[i * dSae + f];
          if (v > 0) [fires, sum, max] = [fires + 1, sum + v, Math.max(max, v)];
        }
        const page = ws.features.page({ saeId, index: f });
        expect(page.stats).toMatchObject({ tokensSeen: nB * ctx, fires, absent: ['logits', 'quantiles'] });
        expect(page.stats?.meanAct).toBeCloseTo(sum / fires, 10);
        expect(page.stats?.maxAct).toBe(max);
        expect(page.top.length).toBe(
          Math.min(
            20,
            new Set(Array.from({ length: nB * ctx }, (_, i) => (acts[i * dSae + f] > 0 ? Math.floor(i / ctx) : -1)).filter((b) => b >= 0))
              .size,
          ),
        );
        for (const e of page.top) {
          const b = page.windows[e.window].index;
          const want = Array.from({ length: ctx }, (_, p) => acts[(b * ctx + p) * dSae + f]);
          expectHalfClose(e.acts, want);
          expect(page.windows[e.window].tokens.length).toBe(ctx);
        }
        const frequent = page.frequent[0];
        if (frequent)
          expect(ws.features.query({ saeId, token: frequent.token.trim() || frequent.token }).items.map((h) => h.key.index)).toContain(f);
      }
    } finally {
      ws.close();
    }
  }, 120_000);

  it("with the SAE's weights (--sae), the import becomes that SAE's index and gets decoder neighbours", async () => {
    const ws = openWorkspace(join(tmp.path, 'with-sae'));
    try {
      const model = await registerModel(ws, DEMO_MODEL_DIR);
      const sae = registerSae(ws, DEMO_SAE_DIRS[0], model.id);
      const summary = await runImport(ws, { path: NP(), modelId: model.id, saeId: sae.id });
      expect(summary.saeId).toBe(sae.id);
      expect(ws.features.runs.current(sae.id)?.id).toBe(summary.runId);
      expect(ws.saes.get(sae.id)?.dSae).toBe(512);
      const page = ws.features.page({ saeId: sae.id, index: 3 });
      expect(page.imported?.format).toBe('neuronpedia');
      expect(page.neighbours.within.length).toBe(10);
      expect(page.neighbours.within[0].cosine).toBeLessThanOrEqual(1);
      expect(page.top.length).toBe(expected.features[3].activations.filter((a) => a.binMin === -1).length);
    } finally {
      ws.close();
    }
  }, 120_000);

  it("delphi with the SAE's weights: output-token effects through the unembedding join the exact frequent tokens", async () => {
    const ws = openWorkspace(join(tmp.path, 'delphi-with-sae'));
    try {
      const model = await registerModel(ws, DEMO_MODEL_DIR);
      const sae = registerSae(ws, DEMO_SAE_DIRS[0], model.id);
      await runImport(ws, { path: DELPHI(), modelId: model.id, saeId: sae.id });
      const page = ws.features.page({ saeId: sae.id, index: 2 });
      expect(page.imported?.absent).toEqual(['quantiles']);
      expect(page.frequent.length).toBeGreaterThan(0);
      expect(page.boosted.length).toBe(10);
      // Plain TypeScript reference: W_dec[2] · W_U over the vocabulary.
      const weights = loadTransformer(DEMO_MODEL_DIR).weights;
      const canonical = loadSae(DEMO_SAE_DIRS[0]);
      const { w, layout } = weights.unembed;
      const { dModel, dVocab } = weights.config;
      const logit = (v: number) => {
        let sum = 0;
        for (let d = 0; d < dModel; d++)
          sum += canonical.wDec[2 * dModel + d] * (layout === 'dModelByVocab' ? w.data[d * dVocab + v] : w.data[v * dModel + d]);
        return sum;
      };
      const all = Array.from({ length: dVocab }, (_, v) => logit(v));
      const best = all.indexOf(Math.max(...all));
      expect(page.boosted[0].tokenId).toBe(best);
      expect(Math.abs(page.boosted[0].value - all[best]) / Math.abs(all[best])).toBeLessThan(1e-4);
      expect(page.suppressed[0].tokenId).toBe(all.indexOf(Math.min(...all)));
    } finally {
      ws.close();
    }
  }, 120_000);

  for (const [layout, path] of [
    ['Neuronpedia', NP],
    ['delphi', DELPHI_FINE],
  ] as const) {
    it(`${layout}: resumes an import killed by SIGKILL after a commit and ends with exactly the rows of an uninterrupted one`, async () => {
      const whole = await imported(`whole-${layout}`, path(), 3);
      const want = withDatabase(whole.ws, dumpIndex);
      whole.ws.close();
      const dir = join(tmp.path, `killed-${layout}`);
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', join(import.meta.dirname, 'import-child.ts'), dir, DEMO_MODEL_DIR, path(), '3'],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let seen = 0;
        child.stdout.setEncoding('utf8').on('data', (text: string) => {
          seen += text.split('\n').filter((line) => line.startsWith('commit ')).length;
          if (seen >= 2) child.kill('SIGKILL');
          if (text.includes('done')) reject(new Error('the import finished before it was killed'));
        });
        child.on('exit', (_code, signal) =>
          signal === 'SIGKILL' ? resolve() : reject(new Error(`import child exited without being killed (${signal})`)),
        );
      });
      const ws = openWorkspace(dir);
      try {
        expect(withDatabase(ws, (db) => db.integrityCheck())).toEqual(['ok']);
        const model = await registerModel(ws, DEMO_MODEL_DIR);
        const summary = await runImport(ws, { path: path(), modelId: model.id, commitRows: 3 });
        expect(summary.resumedAtRow).toBeGreaterThan(0);
        expect(withDatabase(ws, dumpIndex)).toEqual(want);
      } finally {
        ws.close();
      }
    }, 180_000);
  }
});

describe('malformed exports', () => {
  async function importError(name: string, write: (dir: string) => string): Promise<string> {
    const ws = openWorkspace(join(tmp.path, `bad-${name}`));
    try {
      const model = await registerModel(ws, DEMO_MODEL_DIR);
      await runImport(ws, { path: write(join(tmp.path, `bad-${name}-export`)), modelId: model.id });
    } catch (e) {
      return (e as Error).message;
    } finally {
      ws.close();
    }
    throw new Error('the import did not fail');
  }
  const bulk = (dir: string, features: unknown[], activations: string): string => {
    mkdirSync(join(dir, 'features'), { recursive: true });
    mkdirSync(join(dir, 'activations'), { recursive: true });
    writeFileSync(join(dir, 'features', 'batch-0.jsonl.gz'), gzipSync(features.map((f) => JSON.stringify(f)).join('\n')));
    writeFileSync(join(dir, 'activations', 'batch-0.jsonl.gz'), gzipSync(activations));
    return dir;
  };
  const feature = { index: '0', frac_nonzero: 0.01, pos_str: [], pos_values: [], neg_str: [], neg_values: [] };

  it('names the file and line of an activation that is not JSON', async () => {
    const message = await importError('json', (d) =>
      bulk(
        d,
        [feature],
        `${JSON.stringify({ index: '0', tokens: ['a'], values: [1], binMin: -1, binMax: 1 })}\n{"index": "0", "tokens": [`,
      ),
    );
    expect(message).toMatch(/activations[\\/]batch-0\.jsonl\.gz: line 2: not valid JSON/);
  });
  it('names the field that is missing or of the wrong kind', async () => {
    expect(await importError('density', (d) => bulk(d, [{ ...feature, frac_nonzero: 'high' }], ''))).toMatch(
      /features[\\/]batch-0\.jsonl\.gz: line 1: "frac_nonzero" is "high", expected a finite number/,
    );
    expect(
      await importError('lengths', (d) =>
        bulk(d, [feature], JSON.stringify({ index: '0', tokens: ['a', 'b'], values: [1], binMin: -1, binMax: 1 })),
      ),
    ).toMatch(/line 1: 2 tokens but 1 values/);
  });
  it('refuses an activation of a feature the features file does not list, and a gzip stream that is not one', async () => {
    expect(
      await importError('orphan', (d) =>
        bulk(d, [feature], JSON.stringify({ index: '9', tokens: ['a'], values: [1], binMin: -1, binMax: 1 })),
      ),
    ).toMatch(/line 1: an activation of feature 9, which .*features[\\/]batch-0\.jsonl\.gz does not list/);
    expect(
      await importError('gzip', (d) => {
        bulk(d, [feature], '');
        writeFileSync(join(d, 'activations', 'batch-0.jsonl.gz'), 'not gzip at all');
        return d;
      }),
    ).toMatch(/batch-0\.jsonl\.gz: not a valid gzip stream/);
  });
  it('refuses a delphi split whose locations point outside its tokens', async () => {
    const message = await importError('delphi', (d) => {
      mkdirSync(d, { recursive: true });
      writeSafetensors(join(d, '0_3.safetensors'), {
        locations: { dtype: 'U16', shape: [1, 3], data: Uint16Array.from([5, 0, 1]) },
        activations: { dtype: 'F16', shape: [1], data: Uint16Array.from([0x3c00]) },
        tokens: { dtype: 'I64', shape: [2, 4], data: new BigInt64Array(8) },
      });
      return d;
    });
    expect(message).toMatch(/0_3\.safetensors: locations row 0 is \(5, 0, 1\): expected batch < 2/);
  });
  it('names a delphi config.json that is not JSON instead of importing without its dataset', async () => {
    const message = await importError('delphi-config', (d) => {
      writeDelphiCache(d, SMALL, expected.windows, 1);
      writeFileSync(join(d, 'config.json'), '{\n    "dataset_repo": "brown:news",\n');
      return d;
    });
    expect(message).toMatch(/bad-delphi-config-export[\\/]config\.json: not valid JSON/);
  });
  it('names a Neuronpedia source.jsonl whose first record is not JSON instead of importing without its source', async () => {
    const message = await importError('source', (d) => {
      bulk(d, [feature], '');
      writeFileSync(join(d, 'source.jsonl'), '{"id": "0-brown-mlp0", "modelId": "loupe-demo", "dataset": \n');
      return d;
    });
    expect(message).toMatch(/bad-source-export[\\/]source\.jsonl: line 1: not valid JSON/);
  });
  it('says what it expected of a folder that is no export', async () => {
    expect(
      await importError('empty', (d) => {
        mkdirSync(d, { recursive: true });
        return d;
      }),
    ).toMatch(/not an export Loupe reads: expected features\/ and activations\/ \(Neuronpedia\), batch-N\.json \(SAEDashboard\)/);
  });
});
