import { dirname, resolve } from 'node:path';
import type { ModelRegistration, SaeRegistration, SaeSummary } from '../api/types.js';
import { registerModel, registerSae } from '../registry/catalog.js';
import type { Workspace } from '../store/workspace.js';
import type { DemoResources } from './resources.js';

/** The demo's model and SAEs as registered in a workspace. */
export interface DemoParts {
  modelId: string;
  /** Narrow first (the order of DemoResources.saeDirs). */
  saes: SaeSummary[];
}

export interface SeededDemo extends DemoParts {
  model: ModelRegistration;
  registrations: SaeRegistration[];
}

/**
 * Registers the demo model and its SAEs (attached to it). Idempotent: registration is by path and
 * fingerprint, so seeding again finds the same rows ('unchanged') and changes nothing.
 */
export async function seedDemo(ws: Workspace, resources: DemoResources): Promise<SeededDemo> {
  const model = await registerModel(ws, resources.modelDir);
  const registrations = resources.saeDirs.map((dir) => registerSae(ws, dir, model.id));
  const saes = registrations.map(({ registration: _r, previousFingerprint: _p, ...summary }) => summary);
  return { modelId: model.id, saes, model, registrations };
}

/**
 * The demo's parts already registered here, without reading any file (launchers ask on every start):
 * null when the demo model is not in this workspace. SAEs not registered (yet) are left out.
 */
export function findDemo(ws: Workspace, resources: DemoResources): DemoParts | null {
  const model = ws.models.findByPath(resolve(resources.modelDir));
  if (!model) return null;
  const all = ws.saes.list(model.id);
  const saes = resources.saeDirs.flatMap((dir) => {
    const absolute = resolve(dir);
    // A SAELens folder registers as the folder; a layout with a single weights file as that file.
    const sae = all.find((s) => s.path === absolute || dirname(s.path) === absolute);
    return sae ? [sae] : [];
  });
  return { modelId: model.id, saes };
}
