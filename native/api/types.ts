/**
 * The contract's shapes, re-exported from their domain files so importers keep one path. The domain
 * files hold no schemas (zod stays out of the renderer's bundle); their methods are in ./methods/.
 */
export * from './workspace.js';
export * from './jobs.js';
export * from './features.js';
export * from './labels.js';
export * from './train.js';
export * from './maps.js';
export * from './compare.js';
export * from './concepts.js';
export * from './prompt.js';
export * from './steer.js';
export * from './imports.js';
export * from './corpus.js';
