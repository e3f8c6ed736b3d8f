// A process that holds a workspace (as `loupe serve` does) with one running job, until stdin closes.
// Usage: lock-holder-child.ts WORKSPACE
import { openWorkspace } from '../../../native/store/workspace.js';

const [workspacePath] = process.argv.slice(2);
const ws = openWorkspace(workspacePath, { lockAs: 'lock-holder-child (test)' });
const now = new Date().toISOString();
ws.jobs.insert({
  id: 'held-job',
  kind: 'test.hold',
  title: 'held',
  params: {},
  state: 'running',
  progress: 0.5,
  message: '',
  error: null,
  result: null,
  createdAt: now,
  startedAt: now,
  finishedAt: null,
});
process.stdout.write('holding\n');
process.stdin.resume();
process.stdin.on('end', () => {
  ws.close();
  process.exit(0);
});
