// Electron loads a sandboxed preload as one CommonJS file: bundle electron/preload.ts (and the
// contract constants it uses) into dist/electron/preload.cjs.
import { build } from 'esbuild';

await build({
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['electron'],
  logLevel: 'warning',
});
