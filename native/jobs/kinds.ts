import type { JobMethod, ValidParamsOf } from '../api/methods.js';
import type { JobKind } from './job.js';

/**
 * Every kind of job: one per method declared with `job: true`, taking that method's validated params.
 * Implementations load lazily so the engine worker does not pull in ONNX Runtime (or any other heavy
 * module) until a job needs it.
 */
export const jobKinds: { [K in JobMethod]: () => Promise<JobKind<ValidParamsOf<K>>> } = {
  'engine.measureMatmul': async () => (await import('./kinds/measure-matmul.js')).measureMatmulJob,
  'maps.compute': async () => (await import('./kinds/compute-map.js')).computeMapJob,
  'index.start': async () => (await import('./kinds/index-sae.js')).indexSaeJob,
  'train.start': async () => (await import('./kinds/train-sae.js')).trainSaeJob,
  'compare.start': async () => (await import('./kinds/compare-saes.js')).compareSaesJob,
  'eval.start': async () => (await import('./kinds/eval-sae.js')).evalSaeJob,
  'imports.start': async () => (await import('./kinds/import-dashboards.js')).importDashboardsJob,
  'steer.start': async () => (await import('./kinds/steer.js')).steerJob,
};

export function isJobKind(kind: string): kind is JobMethod {
  return Object.hasOwn(jobKinds, kind);
}

export async function loadJobKind(kind: string): Promise<JobKind<unknown>> {
  if (!isJobKind(kind)) throw new Error(`unknown job kind "${kind}": expected one of ${Object.keys(jobKinds).join(', ')}`);
  // A stored job's params are the ones its kind was started with (JobRunner.start), so the kind takes them.
  return (await jobKinds[kind]()) as JobKind<unknown>;
}
