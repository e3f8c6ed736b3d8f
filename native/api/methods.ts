import { z } from 'zod';
import { method, type ResultOfSpec } from './define.js';
import type { JobSummary, MatmulRate, ModelSummary, SaeSummary, WorkspaceInfo } from './types.js';

const noParams = z.strictObject({});
const id = z.string().min(1).max(200);

/** THE contract: every method the renderer (or a script) can call, declared once. Grow by appending. */
export const methods = {
  'workspace.open': method<WorkspaceInfo>()({
    summary: 'Create or open a workspace folder (loupe.db + artifacts/).',
    params: z.strictObject({ path: z.string().min(1).max(4096) }),
    events: ['job.progress'],
  }),
  'workspace.info': method<WorkspaceInfo>()({
    summary: 'The open workspace: path, schema version, counts.',
    params: noParams,
  }),
  'models.list': method<ModelSummary[]>()({
    summary: 'Models registered in the workspace.',
    params: noParams,
  }),
  'saes.list': method<SaeSummary[]>()({
    summary: 'SAEs registered in the workspace, optionally only those of one model.',
    params: z.strictObject({ modelId: id.optional() }),
  }),
  'jobs.list': method<JobSummary[]>()({
    summary: 'Jobs, newest first.',
    params: z.strictObject({
      states: z.array(z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'])).optional(),
      limit: z.int().min(1).max(1000).default(100),
    }),
  }),
  'jobs.cancel': method<JobSummary>()({
    summary: 'Ask a queued or running job to stop.',
    params: z.strictObject({ jobId: id }),
    events: ['job.progress'],
  }),
  'engine.measureMatmul': method<JobSummary>()({
    summary: "Measure ONNX Runtime's float32 matrix-multiply rate on this machine (the limit every benchmark compares with).",
    params: z.strictObject({ seconds: z.number().min(0.5).max(120).default(5) }),
    events: ['job.progress'],
    job: true,
  }),
  'engine.matmulRate': method<MatmulRate | null>()({
    summary: 'The last measured matrix-multiply rate, or null.',
    params: noParams,
  }),
};

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** Params as a caller writes them (defaults may be omitted). */
export type ParamsOf<M extends MethodName> = z.input<Methods[M]['params']>;
/** Params as a service receives them (validated, defaults applied). */
export type ValidParamsOf<M extends MethodName> = z.output<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = ResultOfSpec<Methods[M]>;

export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
