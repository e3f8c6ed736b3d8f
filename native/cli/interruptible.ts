/**
 * The Ctrl-C and progress scaffolding of the long-running commands (index, import): Ctrl-C aborts the
 * work's signal instead of killing the process, so the last commit stands and the command can resume.
 */

/** Exit status of a command stopped by SIGINT (128 + 2), as shells report it. */
export const interruptedExitCode = 130;

/**
 * Runs `work` with a signal that the first Ctrl-C aborts. When the work throws after an abort, prints
 * `loupe NAME: interrupted; RESUMEHINT` and returns 130; any other error passes through. `cleanup` runs
 * either way, after the SIGINT listener is gone.
 */
export async function runInterruptible(
  name: string,
  resumeHint: string,
  work: (signal: AbortSignal) => Promise<number>,
  cleanup: () => void,
): Promise<number> {
  const controller = new AbortController();
  const interrupt = () => controller.abort();
  process.once('SIGINT', interrupt);
  try {
    return await work(controller.signal);
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    process.stderr.write(`loupe ${name}: interrupted; ${resumeHint}\n`);
    return interruptedExitCode;
  } finally {
    process.removeListener('SIGINT', interrupt);
    cleanup();
  }
}

/** True at most once per `intervalMs`, counted from the process's start: keeps stderr progress readable. */
export function throttle(intervalMs = 2000): () => boolean {
  let last = 0;
  return () => {
    const now = performance.now();
    if (now - last < intervalMs) return false;
    last = now;
    return true;
  };
}

/** An `onProgress(fraction, message)` that prints `loupe NAME: 42% · message` at most every 2 s. */
export function progressPrinter(name: string): (fraction: number, message: string) => void {
  const due = throttle();
  return (fraction, message) => {
    if (due()) process.stderr.write(`loupe ${name}: ${(100 * fraction).toFixed(0)}% · ${message}\n`);
  };
}
