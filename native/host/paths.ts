import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Loupe's package.json, whether we run from dist/ or from sources. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find Loupe's package.json above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

/** The built renderer (`vite build` output). */
export function rendererDir(): string {
  return join(packageRoot(), 'dist', 'renderer');
}

/**
 * What ships in `resources/` (the demo's model and SAEs). A packaged app unpacks it beside the asar
 * archive (electron-builder.yml asarUnpack): the engine and job workers read it with plain `fs`, and
 * the workspace stores these paths, which must stay readable outside Electron's asar patches.
 */
export function resourcesDir(): string {
  return join(packageRoot(), 'resources').replace(/([\\/])app\.asar(?=[\\/])/, '$1app.asar.unpacked');
}

/** Where Loupe keeps its own files: `$LOUPE_HOME`, else `~/.loupe`. */
export function loupeHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOUPE_HOME || join(homedir(), '.loupe');
}

/** The workspace opened when none is named. */
export function defaultWorkspacePath(env: NodeJS.ProcessEnv = process.env): string {
  return join(loupeHome(env), 'workspaces', 'default');
}
