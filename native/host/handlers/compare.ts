import { ApiFailure } from '../../api/errors.js';
import type { CompareRunSummary, SaeEvalMetrics } from '../../api/types.js';
import { RegisteredInputError, registeredRows } from '../../registry/registered-inputs.js';
import type { RegisteredRows } from '../../registry/registered-inputs.js';
import type { CompareRun } from '../../store/compare-table.js';
import { evalMetrics } from '../../store/evals-table.js';
import type { Workspace } from '../../store/workspace.js';
import type { Engine } from '../engine.js';
import type { Handlers } from '../router.js';
import { checkCorpus } from './indexing.js';

type CompareMethods =
  'compare.start' | 'compare.get' | 'compare.matches' | 'compare.groups' | 'compare.links' | 'compare.tree' | 'eval.start' | 'eval.get';

/** The SAEs of one model and hook, or a failure naming `field`; the sizes checked against the model. */
function checkRegistered(
  ws: Workspace,
  saeIds: readonly string[],
  field: string,
  sizes: { tokens: number; contextLength?: number; corpus: string },
): RegisteredRows {
  let rows: RegisteredRows;
  try {
    rows = registeredRows(ws, saeIds);
  } catch (e) {
    if (e instanceof RegisteredInputError) throw new ApiFailure(e.reason, e.message, field);
    throw e;
  }
  const contextLength = sizes.contextLength ?? 128;
  if (contextLength > rows.model.nCtx)
    throw new ApiFailure(
      'failed',
      `a context of ${contextLength} tokens is longer than ${rows.model.name}'s ${rows.model.nCtx}`,
      'contextLength',
    );
  if (sizes.tokens < contextLength)
    throw new ApiFailure('failed', `tokens is ${sizes.tokens}; use at least one window of ${contextLength} tokens`, 'tokens');
  checkCorpus(sizes.corpus);
  return rows;
}

function latestEval(ws: Workspace, saeId: string): SaeEvalMetrics | null {
  const sae = ws.saes.get(saeId);
  const stored = sae ? ws.evals.latest(saeId, sae.fingerprint) : undefined;
  return stored ? evalMetrics(stored) : null;
}

/** compare.get: the run with its SAEs (name, width, index state, newest evaluation) and per-pair agreement. */
export function compareSummary(ws: Workspace, run: CompareRun): CompareRunSummary {
  const runs = ws.features.runs;
  const saes = run.saeIds.map((saeId, i) => {
    const row = ws.saes.get(saeId);
    return {
      saeId,
      name: row?.name ?? saeId,
      dSae: run.dSae[i],
      k: row?.k ?? null,
      indexed: runs.current(saeId)?.state === 'done',
      eval: latestEval(ws, saeId),
    };
  });
  const pairs = run.saeIds.slice(1).map((wideSaeId, pair) => {
    const agree = ws.compare.agreeCount(run.id, pair);
    return { pair, narrowSaeId: run.saeIds[pair], wideSaeId, nNarrow: run.dSae[pair], nWide: run.dSae[pair + 1], agree };
  });
  const { corpus, contextLength, candidates } = run.params;
  return { runId: run.id, saes, corpusSpec: corpus, tokens: run.tokens, contextLength, candidates, createdAt: run.createdAt, pairs };
}

/** SAE ids narrowest first (stable for equal widths), as compare runs store them. */
function byWidth(ws: Workspace, saeIds: readonly string[]): string[] {
  const widths = saeIds.map((id) => {
    const sae = ws.saes.get(id);
    if (!sae) throw new ApiFailure('not_found', `no SAE "${id}" in this workspace`, 'saeIds');
    return { id, dSae: sae.dSae };
  });
  return widths.sort((a, b) => a.dSae - b.dSae).map((s) => s.id);
}

export function compareHandlers(engine: Engine): Pick<Handlers, CompareMethods> {
  return {
    'compare.start': (params) => {
      checkRegistered(engine.workspace, params.saeIds, 'saeIds', params);
      return engine.runner.start('compare.start', params);
    },
    'compare.get': ({ saeIds }) => {
      const ws = engine.workspace;
      const run = ws.compare.latestFor(byWidth(ws, saeIds));
      return run ? compareSummary(ws, run) : null;
    },
    'compare.matches': (params) => engine.workspace.compare.matchPage(params),
    'compare.groups': (params) => engine.workspace.compare.groups(params),
    'compare.links': ({ runId, pair, by }) => engine.workspace.compare.links(runId, pair, by),
    'compare.tree': (params) => engine.workspace.compare.tree(params),
    'eval.start': (params) => {
      checkRegistered(engine.workspace, [params.saeId], 'saeId', params);
      return engine.runner.start('eval.start', params);
    },
    'eval.get': ({ saeId }) => {
      if (!engine.workspace.saes.get(saeId)) throw new ApiFailure('not_found', `no SAE "${saeId}" in this workspace`, 'saeId');
      return latestEval(engine.workspace, saeId);
    },
  };
}
