// A process that holds a workspace (as `loupe serve` does) with one running job, until stdin closes.
// Usage: lock-holder-child.ts WORKSPACE
import { openWorkspace } from '../../../native/store/workspace.js';
import { runningJobRecord } from '../../helpers/job-record.js';

const [workspacePath] = process.argv.slice(2);
const ws = openWorkspace(workspacePath, { lockAs: 'lock-holder-child (test)' });
ws.jobs.insert(runningJobRecord({ id: 'held-job', kind: 'test.hold', title: 'held' }, new Date().toISOString()));
process.stdout.write('holding\n');
process.stdin.resume();
process.stdin.on('end', () => {
  ws.close();
  process.exit(0);
});
