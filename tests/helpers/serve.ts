import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface Served {
  url: string;
  port: number;
  token: string;
  process: ChildProcess;
  /** Calls a contract method over HTTP with the token. */
  call<T = unknown>(method: string, params: unknown): Promise<T>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Everything the server printed to stdout so far. */
  output(): string;
}

export interface ServeOptions {
  /** Added to this process's environment (e.g. LOUPE_HOME for the default workspace). */
  env?: NodeJS.ProcessEnv;
}

const repoRoot = join(import.meta.dirname, '..', '..');

/**
 * Runs the built `loupe serve` (bin/loupe.js → dist/) as a user would, on a free port. Without a
 * workspace it opens the default one ($LOUPE_HOME/workspaces/default: pass LOUPE_HOME in `env`).
 */
export function startServe(workspace?: string, options: ServeOptions = {}): Promise<Served> {
  return new Promise((resolve, reject) => {
    const args = [
      join(repoRoot, 'bin', 'loupe.js'),
      'serve',
      ...(workspace === undefined ? [] : ['--workspace', workspace]),
      '--port',
      '0',
    ];
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => reject(new Error(`loupe serve exited (${code}) before it printed a URL:\n${out}${err}`)));
    const onData = (c: Buffer) => {
      out += c.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+)/.exec(out);
      if (!match) return;
      child.stdout.off('data', onData);
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.removeAllListeners('exit');
      const [url, port, token] = [match[0], Number(match[1]), match[2]];
      resolve({
        url,
        port,
        token,
        process: child,
        async call<T>(method: string, params: unknown): Promise<T> {
          const response = await fetch(`http://127.0.0.1:${port}/api/call`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'X-Loupe-Token': token },
            body: JSON.stringify({ method, params }),
          });
          const body = (await response.json()) as { ok: boolean; result: T; error: unknown };
          if (!body.ok) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
          return body.result;
        },
        output: () => out,
        stop: (signal = 'SIGTERM') =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill(signal);
          }),
      });
    };
    child.stdout.on('data', onData);
  });
}
