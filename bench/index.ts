// Indexing speed (model forward + SAE encode + bookkeeping + store) against the forward + encode alone,
// and the peak memory of indexing 1M tokens with a 32,768-feature SAE (in a child process, so its own peak).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadTokenizer } from '../native/formats/tokenizer.js';
import { registerSae } from '../native/registry/catalog.js';
import { openCorpus } from '../native/corpus/open.js';
import { prepareIndexPass } from '../native/sae/index-graph.js';
import { indexLoaded } from '../native/index/indexer.js';
import { tokenWindows } from '../native/corpus/windows.js';
import { GPT2_SMALL, randomTransformer } from '../native/models/random.js';
import type { TransformerWeights } from '../native/models/weights.js';
import type { CanonicalSae } from '../native/sae/canonical.js';
import { openWorkspace } from '../native/store/workspace.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { writeTiedRandomSae } from '../tests/helpers/random-sae.js';
import { DEMO_MODEL } from '../tests/helpers/shared.js';
import type { BenchResult } from './types.js';

const TOKENS = 131_072;
const CONTEXT = 128;

/** A random TopK SAE written in SAELens format (registration reads it from disk). */
export function writeRandomSae(dir: string, dIn: number, dSae: number, k: number, hook: string): CanonicalSae {
  return writeTiedRandomSae(dir, {
    dIn,
    dSae,
    seed: 7,
    scale: 0.1,
    activation: { kind: 'topk', k },
    subtractDecoderBias: true,
    hookName: hook,
    modelName: 'random',
  });
}

export async function benchIndex(): Promise<BenchResult[]> {
  const tmp = tempDir('bench-index');
  try {
    const model: TransformerWeights = randomTransformer(
      { ...GPT2_SMALL, nLayers: 4, dModel: 512, nHeads: 8, dMlp: 2048, dVocab: 4096, nCtx: 256 },
      3,
    );
    const hook = 'blocks.3.hook_resid_post';
    const sae = writeRandomSae(join(tmp.path, 'sae'), 512, 4096, 32, hook);
    const tokenizer = await loadTokenizer(DEMO_MODEL);
    const passSeconds = await forwardAndEncodeSeconds(model, sae, hook, tokenizer);
    const ws = openWorkspace(join(tmp.path, 'ws'));
    const { id } = registerSae(ws, join(tmp.path, 'sae'));
    const start = performance.now();
    await indexLoaded(ws, { sae, model, tokenizer, hook }, { saeId: id, corpus: 'brown', tokens: TOKENS, contextLength: CONTEXT });
    const fullSeconds = (performance.now() - start) / 1000;
    ws.close();
    const results: BenchResult[] = [
      {
        name: 'index d_model 512, 4096-feature TopK SAE',
        value: TOKENS / fullSeconds,
        unit: 'tok/s',
        limit: TOKENS / passSeconds,
        ratio: passSeconds / fullSeconds,
        note: 'limit: forward + encode alone on the same windows; bookkeeping + store cost 1/ratio − 1 on top (goal < 50%)',
      },
    ];
    results.push(peakMemory());
    return results;
  } finally {
    tmp.cleanup();
  }
}

async function forwardAndEncodeSeconds(
  model: TransformerWeights,
  sae: CanonicalSae,
  hook: string,
  tokenizer: Awaited<ReturnType<typeof loadTokenizer>>,
): Promise<number> {
  const pass = await prepareIndexPass(model, sae, hook);
  const windows = [];
  for await (const w of tokenWindows(openCorpus('brown'), tokenizer, { contextLength: CONTEXT, maxTokens: TOKENS })) windows.push(w.ids);
  const perBatch = 4096 / CONTEXT;
  const start = performance.now();
  for (let i = 0; i < windows.length; i += perBatch) {
    const batch = windows.slice(i, i + perBatch);
    const ids = new Int32Array(batch.length * CONTEXT);
    batch.forEach((w, j) => ids.set(w, j * CONTEXT));
    await pass.run(ids, batch.length, CONTEXT);
  }
  return (performance.now() - start) / 1000;
}

/** Runs bench/index-memory.ts in a child: 1M tokens of Brown through the demo model and a 32,768-feature SAE. */
function peakMemory(): BenchResult {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'index-memory.ts')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  const { maxRssMb, tokens, seconds } = JSON.parse(line) as { maxRssMb: number; tokens: number; seconds: number };
  return {
    name: `index peak memory, ${(tokens / 1e6).toFixed(2)}M tokens, 32,768 features`,
    value: maxRssMb,
    unit: 'MB',
    limit: 2048,
    ratio: 2048 / maxRssMb,
    note: `demo model (d_model 256), TopK k 32; ${seconds.toFixed(0)} s; ratio = goal / peak RSS`,
  };
}
