import { join, resolve } from 'node:path';

/** The demo's SAE widths, narrow first: the narrow one is indexed and mapped first, so it is usable first. */
export const DEMO_SAE_WIDTHS = [512, 4096] as const;

/**
 * Brown tokens each demo SAE is indexed over (3,072 windows of 128). Measured on 2 cores: both
 * indexes and the three maps done 78 s after `loupe serve` started (111 s with other work competing),
 * inside the 3-minute goal with room for slower machines; the 512-feature SAE usable after 17 s.
 */
export const DEMO_TOKENS = 393_216;

/**
 * The demo's corpus: Brown's news and four fiction genres, 402k tokens (measured with the demo
 * tokenizer), a little more than DEMO_TOKENS. Brown is stored genre by genre, so plain `brown` would
 * index news and editorials only; these genres add dialogue, narration and humour, and the spec
 * stays short enough to read in a job's title.
 */
export const DEMO_CORPUS = 'brown:news,fiction,science_fiction,romance,humor';

/** Where the demo's inputs are on disk (in a packaged app, outside the asar archive). */
export interface DemoResources {
  modelDir: string;
  /** One folder per DEMO_SAE_WIDTHS entry, in that order. */
  saeDirs: string[];
}

/** The demo's inputs under a `resources/` folder (native/host/paths.ts resourcesDir()). */
export function demoResources(resourcesDir: string): DemoResources {
  const demo = join(resolve(resourcesDir), 'demo');
  return {
    modelDir: join(demo, 'model'),
    saeDirs: DEMO_SAE_WIDTHS.map((width) => join(demo, 'saes', `brown-mlp0-topk${width}`)),
  };
}
