// Runs one dashboard import in its own process and reports each commit on stdout, so a test can
// SIGKILL it right after a commit and resume it.
import { registerModel } from '../../../native/registry/catalog.js';
import { runImport } from '../../../native/index/import/run-import.js';
import { openWorkspace } from '../../../native/store/workspace.js';

const [dir, modelDir, exportPath, commitRows] = process.argv.slice(2);
const ws = openWorkspace(dir, { markInterrupted: false });
const model = await registerModel(ws, modelDir);
await runImport(
  ws,
  { path: exportPath, modelId: model.id, commitRows: Number(commitRows) },
  { onCommit: (cursor) => process.stdout.write(`commit ${cursor.batchesDone}\n`) },
);
process.stdout.write('done\n');
