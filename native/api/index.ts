export * from './bridge.js';
export * from './define.js';
export * from './errors.js';
export * from './events.js';
export * from './methods.js';
export * from './types.js';
export * from './validate.js';
