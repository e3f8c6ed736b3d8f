// `npm start`: the desktop app. The Electron binary comes from outside the npm registry on first use;
// where it cannot be fetched (no display, closed network) we say so and serve the same app to a browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

function electronBinary() {
  const dir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) {
    console.log('Fetching the Electron binary (first start only)…');
    const fetched = spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: 'inherit' });
    if (fetched.status !== 0 || !existsSync(pathFile)) return null;
  }
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}

const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const binary = hasDisplay ? electronBinary() : null;
if (binary) {
  run(binary, ['dist/electron/main.js', ...args]);
} else {
  console.log(
    hasDisplay
      ? 'The Electron binary is not available here; serving Loupe to your browser instead.'
      : 'No display found; serving Loupe to your browser instead.',
  );
  run(process.execPath, ['bin/loupe.js', 'serve', ...args]);
}
