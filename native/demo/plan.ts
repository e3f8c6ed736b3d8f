import type { DemoStatus, DemoStep } from '../api/demo.js';
import { isActiveJobState, type JobSummary } from '../api/types.js';
import { summaryOf, type JobRecord } from '../store/jobs-table.js';
import type { Workspace } from '../store/workspace.js';
import { firstFeature } from './first-feature.js';
import { DEMO_CORPUS, DEMO_TOKENS, type DemoResources } from './resources.js';
import { findDemo, type DemoParts } from './seed.js';

export interface DemoOptions {
  /** Brown tokens each SAE is indexed over (default DEMO_TOKENS; tests use a few thousand). */
  tokens?: number;
}

/** The job that performs a step, as the runner takes it. */
export type DemoJob =
  | { kind: 'index.start'; params: { saeId: string; corpus: string; tokens: number } }
  | { kind: 'maps.compute'; params: { saeIds: string[] } };

export interface DemoStepPlan extends DemoStep {
  job: DemoJob;
  /** This step's job queued or running now, if any: starting another would do the work twice. */
  active: JobSummary | null;
}

/** Jobs looked at to find each step's job: far more than a demo workspace's launches ever make. */
const RECENT_JOBS = 1000;

/**
 * The demo's steps in the order they should run: the narrow SAE's index and map first (usable after
 * about a fifth of the wait), then the wide SAE's, then the joint map.
 */
export function demoSteps(ws: Workspace, parts: DemoParts, options: DemoOptions = {}): DemoStepPlan[] {
  const tokens = options.tokens ?? DEMO_TOKENS;
  const corpus = DEMO_CORPUS;
  const maps = ws.maps;
  const jobs = ws.jobs.list({ limit: RECENT_JOBS });
  const steps: DemoStepPlan[] = [];
  const add = (step: Omit<DemoStepPlan, 'jobId' | 'active'>) => {
    const mine = jobs.filter((j) => jobDoes(j, step.job));
    const active = mine.find((j) => isActiveJobState(j.state));
    steps.push({ ...step, jobId: mine[0]?.id ?? null, active: active ? summaryOf(active) : null });
  };
  for (const sae of parts.saes) {
    const indexed = ws.features.runs.listForSae(sae.id).some((run) => run.state === 'done');
    add({
      kind: 'index',
      saeIds: [sae.id],
      title: `Index the ${sae.dSae.toLocaleString('en-US')}-feature SAE`,
      done: indexed,
      job: { kind: 'index.start', params: { saeId: sae.id, corpus, tokens } },
    });
    add({
      kind: 'map',
      saeIds: [sae.id],
      title: `Map its ${sae.dSae.toLocaleString('en-US')} features`,
      done: maps.latestFor([sae.id]) !== undefined,
      job: { kind: 'maps.compute', params: { saeIds: [sae.id] } },
    });
  }
  if (parts.saes.length > 1) {
    const saeIds = parts.saes.map((s) => s.id);
    add({
      kind: 'map',
      saeIds,
      title: 'Map both SAEs together',
      done: maps.latestFor(saeIds) !== undefined,
      job: { kind: 'maps.compute', params: { saeIds } },
    });
  }
  return steps;
}

/** Whether a job (of any session) works on a step: same kind, same SAE or same set of SAEs. */
function jobDoes(job: JobRecord, step: DemoJob): boolean {
  if (job.kind !== step.kind) return false;
  const params = job.params as { saeId?: unknown; saeIds?: unknown } | null;
  if (step.kind === 'index.start') return params?.saeId === step.params.saeId;
  return Array.isArray(params?.saeIds) && sameSet(params.saeIds, step.params.saeIds);
}

function sameSet(a: readonly unknown[], b: readonly string[]): boolean {
  return a.length === b.length && b.every((id) => a.includes(id));
}

/** demo.status: reads the store only (no weights, no fingerprints), so launchers can ask on every start. */
export function demoStatus(ws: Workspace, resources: DemoResources, options: DemoOptions = {}): DemoStatus {
  const tokens = options.tokens ?? DEMO_TOKENS;
  const fresh = ws.models.count() === 0 && ws.saes.count() === 0 && ws.jobs.count().total === 0;
  const parts = findDemo(ws, resources);
  const base = { fresh, tokens, corpus: DEMO_CORPUS };
  if (!parts) return { ...base, demo: false, ready: false, modelId: null, saes: [], steps: [], firstFeature: null, firstFeatureTokens: [] };
  const steps = demoSteps(ws, parts, options).map(({ job: _job, active: _active, ...step }) => step);
  const complete = parts.saes.length === resources.saeDirs.length;
  const narrow = parts.saes[0];
  const narrowIndexed = steps.some((s) => s.kind === 'index' && s.done && s.saeIds[0] === narrow?.id);
  const first = narrowIndexed ? firstFeature(ws, narrow.id) : null;
  // Once indexed, the card says what the index read, not what the demo would plan: the demo SAEs may have been
  // indexed by hand over another budget or corpus.
  const indexed = narrowIndexed ? ws.features.runs.current(narrow.id) : undefined;
  return {
    ...base,
    ...(indexed?.state === 'done' ? { tokens: indexed.tokensDone, corpus: indexed.corpusSpec } : {}),
    demo: true,
    ready: complete && steps.every((s) => s.done),
    modelId: parts.modelId,
    saes: parts.saes.map((s) => ({ id: s.id, dSae: s.dSae })),
    steps,
    firstFeature: first,
    firstFeatureTokens: first
      ? ws.features
          .page(first)
          .frequent.slice(0, 4)
          .map((t) => t.token)
      : [],
  };
}
