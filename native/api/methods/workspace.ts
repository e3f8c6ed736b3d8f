import { z } from 'zod';
import { method } from '../define.js';
import { noParams, id, path } from '../params.js';
import type { JobSummary } from '../jobs.js';
import type { MatmulRate, ModelRegistration, ModelSummary, PathGrant, SaeRegistration, SaeSummary, WorkspaceInfo } from '../workspace.js';

export const workspaceMethods = {
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
  'models.add': method<ModelRegistration>()({
    summary:
      'Register a model folder (or weights file) by path and content fingerprint; registering the same path again returns its row, rewritten if the files changed.',
    params: z.strictObject({ path }),
  }),
  'saes.add': method<SaeRegistration>()({
    summary:
      "Register an SAE (any layout Loupe reads) by path and content fingerprint; with modelId, attach it to that model after checking its d_in against the model's hook width. hook gives the hook it reads when its files do not say (a Gemma Scope params.npz outside the hub layout) or say otherwise.",
    params: z.strictObject({ path, modelId: id.optional(), hook: z.string().min(1).max(200).optional() }),
  }),
  'grants.choose': method<PathGrant | null>()({
    summary:
      'Desktop app: choose a file or folder in a native dialog and get an opaque grant to send wherever a path is asked for (the app refuses typed paths); null when cancelled. loupe serve has no dialog: there paths are typed.',
    params: z.strictObject({ kind: z.enum(['file', 'folder']), title: z.string().max(200).optional() }),
  }),
};
