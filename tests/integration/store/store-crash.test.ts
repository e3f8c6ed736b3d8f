import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWorkspace } from '../../../native/store/workspace.js';
import { tempDir } from '../../helpers/tmp.js';
import { withDatabase } from '../../helpers/workspace-database.js';

const dir = tempDir('crash');
afterAll(() => dir.cleanup());

/** Starts writer-child.ts and SIGKILLs it once it says it is in the middle of a transaction. */
function killMidTransaction(workspace: string, round: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'writer-child.ts'), workspace, String(round)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('mid-transaction')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(out) : reject(new Error(`writer exited on its own: ${err}`))));
  });
}

describe('a writer killed with SIGKILL mid-transaction', () => {
  it('leaves a database that reopens, passes integrity_check, and keeps exactly the committed rows', async () => {
    const workspace = join(dir.path, 'ws');
    openWorkspace(workspace).close();
    for (const round of [1, 2, 3]) {
      const out = await killMidTransaction(workspace, round);
      expect(out).toContain('committed');

      const ws = openWorkspace(workspace);
      try {
        expect(withDatabase(ws, (db) => db.integrityCheck())).toEqual(['ok']);
        const ids = ws.jobs
          .list({ limit: 1000 })
          .map((j) => j.id)
          .sort();
        expect(ids).toEqual(Array.from({ length: round }, (_, i) => `committed-${i + 1}`));
        // The job the dead process was running can never finish: it is shown as interrupted.
        expect(ws.jobs.get(`committed-${round}`)?.state).toBe('interrupted');
        expect(ws.interruptedJobs).toBe(1);
      } finally {
        ws.close();
      }
    }
  });
});
