// Child of bench/index.ts: indexes 1M tokens with a 32,768-feature SAE and prints its own peak RSS.
import { join } from 'node:path';
import { registerModel, registerSae } from '../native/registry/catalog.js';
import { runIndex } from '../native/index/indexer.js';
import { openWorkspace } from '../native/store/workspace.js';
import { DEMO_MODEL } from '../tests/helpers/shared.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { writeRandomSae } from './index.js';

const tokens = Number(process.env.LOUPE_BENCH_INDEX_TOKENS ?? 1_000_000);
const tmp = tempDir('bench-index-memory');
try {
  writeRandomSae(join(tmp.path, 'sae'), 256, 32_768, 32, 'blocks.1.hook_resid_pre');
  const ws = openWorkspace(join(tmp.path, 'ws'));
  const model = await registerModel(ws, DEMO_MODEL);
  const { id } = registerSae(ws, join(tmp.path, 'sae'), model.id);
  const start = performance.now();
  const summary = await runIndex(ws, { saeId: id, corpus: 'brown', tokens });
  ws.close();
  process.stdout.write(
    `${JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, tokens: summary.tokens, seconds: (performance.now() - start) / 1000 })}\n`,
  );
} finally {
  tmp.cleanup();
}
