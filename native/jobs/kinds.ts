import type { JobKind } from './job.js';

/**
 * Every kind of job, by name. Implementations load lazily so the engine worker does not pull in
 * ONNX Runtime (or any other heavy module) until a job needs it.
 */
export const jobKinds: Record<string, () => Promise<JobKind<never>>> = {
  'engine.measureMatmul': async () => (await import('./kinds/measure-matmul.js')).measureMatmulJob as JobKind<never>,
  'maps.compute': async () => (await import('./kinds/compute-map.js')).computeMapJob as JobKind<never>,
  'index.start': async () => (await import('./kinds/index-sae.js')).indexSaeJob as JobKind<never>,
  'train.start': async () => (await import('./kinds/train-sae.js')).trainSaeJob as JobKind<never>,
  'compare.start': async () => (await import('./kinds/compare-saes.js')).compareSaesJob as JobKind<never>,
  'eval.start': async () => (await import('./kinds/eval-sae.js')).evalSaeJob as JobKind<never>,
  'imports.start': async () => (await import('./kinds/import-dashboards.js')).importDashboardsJob as JobKind<never>,
  'steer.start': async () => (await import('./kinds/steer.js')).steerJob as JobKind<never>,
};

export function isJobKind(kind: string): boolean {
  return Object.hasOwn(jobKinds, kind);
}

export async function loadJobKind(kind: string): Promise<JobKind<unknown>> {
  if (!isJobKind(kind)) throw new Error(`unknown job kind "${kind}": expected one of ${Object.keys(jobKinds).join(', ')}`);
  return (await jobKinds[kind]()) as JobKind<unknown>;
}
