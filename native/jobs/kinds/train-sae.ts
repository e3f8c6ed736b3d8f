import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiFailure } from '../../api/errors.js';
import type { ValidParamsOf } from '../../api/methods.js';
import type { TrainJobResult, TrainPoint } from '../../api/types.js';
import { registerModel, registerSae } from '../../registry/catalog.js';
import type { TrainingConfig } from '../../sae/train/run-training.js';
import { artifactsDirName, openWorkspace } from '../../store/workspace.js';
import type { JobKind } from '../job.js';
import { CurveSampler } from './train-curve.js';

export type TrainJobParams = ValidParamsOf<'train.start'>;

/** Where a trained SAE goes: inside the workspace, under a name, never a folder the renderer chose. */
export function trainOutDir(workspacePath: string, name: string): string {
  return join(workspacePath, artifactsDirName, 'saes', name);
}

/** A folder may hold only the checkpoint of an interrupted run with this name (the run resumes from it). */
export function checkTrainOut(out: string): void {
  if (!existsSync(out)) return;
  const others = readdirSync(out).filter((f) => f !== 'checkpoint');
  if (others.length > 0) {
    throw new ApiFailure(
      'conflict',
      `${out} already holds ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''}: choose another name`,
      'name',
    );
  }
}

export function trainingConfig(params: TrainJobParams, out: string): TrainingConfig {
  const { name: _name, activation: a, ...rest } = params;
  const activation: TrainingConfig['activation'] =
    a.kind === 'topk'
      ? { kind: 'topk', k: a.k, auxKCoefficient: a.auxKCoefficient ?? 1 / 32 }
      : { kind: 'relu', l1Coefficient: a.l1Coefficient };
  return { ...rest, activation, out };
}

export function progressMessage(p: TrainPoint): string {
  return `step ${p.step}/${p.steps} · nmse ${p.nmse.toFixed(4)} · L0 ${p.l0.toFixed(1)}`;
}

/** train.start: runTraining in the job's worker, the loss curve as job.data, then the SAE registered. */
export const trainSaeJob: JobKind<TrainJobParams> = {
  title: ({ name, hook, dSae }) => `Train ${name} (${dSae} latents on ${hook})`,
  async run({ params, workspacePath, signal, progress, data }): Promise<TrainJobResult> {
    const out = trainOutDir(workspacePath, params.name);
    checkTrainOut(out);
    // Imported here: the engine loads this module for `title`, and must not load ONNX Runtime with it.
    const { runTraining } = await import('../../sae/train/run-training.js');
    const warnings: string[] = [];
    const curve = new CurveSampler((point) => data(point));
    const outcome = await runTraining(trainingConfig(params, out), {
      signal,
      onProgress: (p) => {
        progress(p.step / p.steps, progressMessage(p));
        curve.add(p);
      },
      onWarning: (message) => warnings.push(message),
      onScan: ({ tokens, kept, filtering }) =>
        progress(
          0,
          filtering
            ? `finding feature #${params.filter?.feature}'s tokens: ${kept.toLocaleString('en-US')} in ${tokens.toLocaleString('en-US')} read`
            : `sampling the corpus: ${tokens.toLocaleString('en-US')} tokens read`,
        ),
    });
    curve.flush();
    if (outcome.fallbackMessage) warnings.push(outcome.fallbackMessage);
    // The job's own connection; the engine owns the running jobs, so none is marked interrupted.
    const ws = openWorkspace(workspacePath, { markInterrupted: false });
    try {
      const model = await registerModel(ws, params.model);
      const sae = registerSae(ws, out, model.id);
      const { steps, tokensSeen, resumedFromStep, provider } = outcome;
      const { tokensScanned, tokensKept, epochs } = outcome.data;
      return {
        saeId: sae.id,
        out,
        final: outcome.final ?? null,
        steps,
        tokensSeen,
        resumedFromStep,
        provider,
        warnings,
        data: { tokensScanned, tokensKept, epochs },
        newLatents: outcome.newLatents,
      };
    } finally {
      ws.close();
    }
  },
};
