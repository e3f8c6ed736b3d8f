import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where a worker's code lives. Built code (dist/) has a `.js` sibling. When the engine runs from
 * TypeScript sources (tests, tsx), the worker is the `.ts` file, started through ts-worker.mjs:
 * on Node 20 a worker's `--import tsx` does not reach its entry module, tsx's `tsImport` does.
 */
export function workerEntry(fromUrl: string, name: string): { url: URL; argv: string[] } {
  const js = new URL(`./${name}.js`, fromUrl);
  if (existsSync(fileURLToPath(js))) return { url: js, argv: [] };
  const ts = new URL(`./${name}.ts`, fromUrl);
  if (existsSync(fileURLToPath(ts))) return { url: new URL('./ts-worker.mjs', import.meta.url), argv: [ts.href] };
  throw new Error(`worker "${name}" not found next to ${fileURLToPath(fromUrl)}`);
}
