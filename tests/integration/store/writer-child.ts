// A process that writes to a workspace and is killed with SIGKILL by store-crash.test.ts.
// Usage: writer-child.ts WORKSPACE ROUND
import { Database } from '../../../native/store/database.js';
import { JobsTable } from '../../../native/store/jobs-table.js';
import { openWorkspace } from '../../../native/store/workspace.js';
import { runningJobRecord } from '../../helpers/job-record.js';

const [workspacePath, round] = process.argv.slice(2);
// Opened (and migrated, and its jobs marked interrupted) as the app opens it; then written through a
// connection of the child's own, whose page cache the test shrinks: the Workspace keeps its own private.
const ws = openWorkspace(workspacePath);
const db = new Database(ws.databasePath);
ws.close();
// A small page cache makes SQLite spill uncommitted pages into the WAL mid-transaction.
db.pragma('cache_size = 16');
const jobs = new JobsTable(db);

const now = new Date().toISOString();
const job = (id: string, state: 'running' | 'queued', payload: string) =>
  runningJobRecord({ id, kind: 'test.write', title: `round ${round}`, params: { payload }, state }, now);

jobs.insert(job(`committed-${round}`, 'running', 'small'));
process.stdout.write('committed\n');

const big = 'x'.repeat(64 * 1024);
db.transaction(() => {
  for (let i = 0; ; i++) {
    jobs.insert(job(`uncommitted-${round}-${i}`, 'queued', big));
    if (i === 200) process.stdout.write('mid-transaction\n');
  }
});
