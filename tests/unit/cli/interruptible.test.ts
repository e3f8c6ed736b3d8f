import { describe, expect, it } from 'vitest';
import { interruptedExitCode, runInterruptible } from '../../../native/cli/interruptible.js';

/** The SIGINT listener runInterruptible added, called as Ctrl-C would (no signal is sent to the test process). */
function pressCtrlC(before: NodeJS.SignalsListener[]): void {
  const added = process.listeners('SIGINT').filter((l) => !before.includes(l));
  expect(added).toHaveLength(1);
  added[0]('SIGINT');
}

function captureStderr(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => chunks.push(String(chunk)) > 0) as typeof process.stderr.write;
  return { text: () => chunks.join(''), restore: () => void (process.stderr.write = write) };
}

describe('runInterruptible (Ctrl-C in loupe index and loupe import)', () => {
  it('aborts the work on Ctrl-C, says how to resume, exits 130, cleans up and removes its listener', async () => {
    const before = process.listeners('SIGINT');
    const stderr = captureStderr();
    let cleaned = 0;
    let code: number;
    try {
      const running = runInterruptible(
        'index',
        'run it again',
        (signal) => new Promise<number>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
        () => cleaned++,
      );
      pressCtrlC(before);
      code = await running;
    } finally {
      stderr.restore();
    }
    expect(code).toBe(interruptedExitCode);
    expect(code).toBe(130);
    expect(stderr.text()).toBe('loupe index: interrupted; run it again\n');
    expect(cleaned).toBe(1);
    expect(process.listeners('SIGINT')).toEqual(before);
  });

  it('returns the work’s exit code and passes its errors through when nothing interrupted it', async () => {
    const before = process.listeners('SIGINT');
    let cleaned = 0;
    expect(
      await runInterruptible(
        'import',
        'unused',
        async () => 0,
        () => cleaned++,
      ),
    ).toBe(0);
    await expect(
      runInterruptible(
        'import',
        'unused',
        async () => {
          throw new Error('bad export');
        },
        () => cleaned++,
      ),
    ).rejects.toThrow('bad export');
    expect(cleaned).toBe(2);
    expect(process.listeners('SIGINT')).toEqual(before);
  });
});
