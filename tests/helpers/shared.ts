import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `../shared` beside the checkout: the fixtures and the demo model, wherever the repo is cloned. */
export const SHARED = fileURLToPath(new URL('../../../shared', import.meta.url));
export const FIXTURES = join(SHARED, 'fixtures');
export const DEMO_MODEL = join(SHARED, 'demo-model');
