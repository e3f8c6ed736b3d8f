// Runs one index job in its own process and reports each committed batch on stdout, so a test can
// SIGKILL it right after a commit (or in the middle of the next one) and resume it.
import { runIndex } from '../../../native/index/indexer.js';
import type { IndexConfig } from '../../../native/index/indexer.js';
import { RUN, workspaceWithSae } from './index-setup.js';

// An optional third argument, JSON, overrides settings of RUN.
const [dir, saePath, overrides] = process.argv.slice(2);
const { ws, saeId } = await workspaceWithSae(dir, saePath, { markInterrupted: false });
await runIndex(
  ws,
  { saeId, ...RUN, ...(overrides ? (JSON.parse(overrides) as Partial<Omit<IndexConfig, 'saeId'>>) : {}) },
  { onCommit: (cursor) => process.stdout.write(`commit ${cursor.batchesDone}\n`) },
);
process.stdout.write('done\n');
