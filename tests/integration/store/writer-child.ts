// A process that writes to a workspace and is killed with SIGKILL by store-crash.test.ts.
// Usage: writer-child.ts WORKSPACE ROUND
import { openWorkspace } from '../../../native/store/workspace.js';

const [workspacePath, round] = process.argv.slice(2);
const ws = openWorkspace(workspacePath);
// A small page cache makes SQLite spill uncommitted pages into the WAL mid-transaction.
ws.db.pragma('cache_size = 16');

const now = new Date().toISOString();
const job = (id: string, state: 'running' | 'queued', payload: string) => ({
  id, kind: 'test.write', title: `round ${round}`, params: { payload }, state, progress: 0.5, message: '',
  error: null, result: null, createdAt: now, startedAt: now, finishedAt: null,
});

ws.jobs.insert(job(`committed-${round}`, 'running', 'small'));
process.stdout.write('committed\n');

const big = 'x'.repeat(64 * 1024);
ws.db.transaction(() => {
  for (let i = 0; ; i++) {
    ws.jobs.insert(job(`uncommitted-${round}-${i}`, 'queued', big));
    if (i === 200) process.stdout.write('mid-transaction\n');
  }
});
