import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSafetensors, writeSafetensors } from '../../formats/safetensors.js';
import { jsonLimits, readCappedJsonObjectSync } from '../../formats/strict-json.js';
import { FormatError } from '../../formats/tensor.js';
import type { HostTensor } from '../../formats/tensor.js';
import type { TrainPoint } from '../../api/train.js';
import type { TrainState } from './step-runner.js';
import { PARAM_NAMES } from './step-types.js';
import type { ParamName } from './step-types.js';

/** What, besides the tensors, a resumed run needs to continue exactly where it stopped. */
export interface CheckpointMeta {
  /** identifies the run's settings; a checkpoint of other settings is not resumed */
  runKey: string;
  step: number;
  tokensSeen: number;
  normalization: number;
  log: TrainPoint[];
}

const TENSORS = 'checkpoint.safetensors';
const META = 'checkpoint.json';

/**
 * Writes the checkpoint atomically: tensors then metadata, each to a temporary name renamed into
 * place, and the metadata names the step the tensors hold, so a crash between the two renames is
 * detected at load instead of mixing two steps.
 */
export function saveCheckpoint(dir: string, state: TrainState, sinceFired: Float64Array, meta: CheckpointMeta): void {
  const tensors: Record<string, HostTensor> = { since_fired: { dtype: 'F64', shape: [sinceFired.length], data: sinceFired } };
  for (const p of PARAM_NAMES) {
    tensors[`param.${p}`] = { dtype: 'F32', shape: [state.params[p].length], data: state.params[p] };
    tensors[`m.${p}`] = { dtype: 'F32', shape: [state.m[p].length], data: state.m[p] };
    tensors[`v.${p}`] = { dtype: 'F32', shape: [state.v[p].length], data: state.v[p] };
  }
  writeSafetensors(join(dir, `${TENSORS}.tmp`), tensors, { step: String(state.step) });
  renameSync(join(dir, `${TENSORS}.tmp`), join(dir, TENSORS));
  writeFileSync(join(dir, `${META}.tmp`), JSON.stringify(meta));
  renameSync(join(dir, `${META}.tmp`), join(dir, META));
}

/**
 * The checkpoint in `dir` if there is one for this run (same runKey) and its two files agree; else null.
 * Each tensor must have the dtype and length an SAE of `dims` gives it.
 */
export function loadCheckpoint(
  dir: string,
  runKey: string,
  dims: { dIn: number; dSae: number },
): { state: TrainState; sinceFired: Float64Array; meta: CheckpointMeta } | null {
  if (!existsSync(join(dir, META)) || !existsSync(join(dir, TENSORS))) return null;
  const meta = readMeta(join(dir, META));
  if (meta.runKey !== runKey) return null;
  const file = openSafetensors(join(dir, TENSORS));
  try {
    if (file.metadata.step !== String(meta.step)) return null;
    const lengths: Record<ParamName | 'since_fired', number> = {
      wEncT: dims.dIn * dims.dSae,
      bEnc: dims.dSae,
      wDec: dims.dSae * dims.dIn,
      bDec: dims.dIn,
      since_fired: dims.dSae,
    };
    const read = (name: string, dtype: 'F32' | 'F64', length: number) => {
      const t = file.read(name);
      if (t.dtype !== dtype || t.data.length !== length)
        throw new FormatError(file.path, `tensor "${name}" is ${t.dtype} [${t.shape.join(', ')}], expected ${dtype} of ${length} values`);
      return t.data;
    };
    const group = (prefix: string) => {
      const tensors = PARAM_NAMES.map((p) => [p, read(`${prefix}.${p}`, 'F32', lengths[p])]);
      return Object.fromEntries(tensors) as Record<ParamName, Float32Array>;
    };
    const state: TrainState = { params: group('param'), m: group('m'), v: group('v'), step: meta.step };
    return { state, sinceFired: read('since_fired', 'F64', lengths.since_fired) as Float64Array, meta };
  } finally {
    file.close();
  }
}

/** checkpoint.json, capped and checked field by field: a resumed run trusts every one of them. */
function readMeta(path: string): CheckpointMeta {
  const raw = readCappedJsonObjectSync(path, jsonLimits.trainingCheckpoint);
  const { runKey, step, tokensSeen, normalization, log } = raw;
  if (typeof runKey !== 'string') throw new FormatError(path, `"runKey" is ${JSON.stringify(runKey) ?? 'missing'}, expected a string`);
  checkWhole(path, '"step"', step);
  checkWhole(path, '"tokensSeen"', tokensSeen);
  checkFinite(path, '"normalization"', normalization);
  if (!Array.isArray(log)) throw new FormatError(path, `"log" is ${JSON.stringify(log) ?? 'missing'}, expected an array of log records`);
  log.forEach((entry, n) => checkLogEntry(path, `"log"[${n}]`, entry, step as number));
  return {
    runKey,
    step: step as number,
    tokensSeen: tokensSeen as number,
    normalization: normalization as number,
    log: log as TrainPoint[],
  };
}

function checkWhole(path: string, where: string, value: unknown): void {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw new FormatError(path, `${where} is ${JSON.stringify(value) ?? 'missing'}, expected a whole number ≥ 0`);
}

function checkFinite(path: string, where: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new FormatError(path, `${where} is ${JSON.stringify(value) ?? 'missing'}, expected a finite number`);
}

/** A log record goes on into training.json and the loss curve: every field a number, whole where counted, none after the checkpoint's step. */
function checkLogEntry(path: string, where: string, entry: unknown, step: number): void {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    throw new FormatError(path, `${where} is ${JSON.stringify(entry)}, expected a log record`);
  const record = entry as Record<string, unknown>;
  for (const key of ['step', 'steps', 'tokensSeen']) checkWhole(path, `${where}."${key}"`, record[key]);
  for (const key of ['loss', 'nmse', 'auxLoss', 'l0', 'deadFraction', 'lr']) checkFinite(path, `${where}."${key}"`, record[key]);
  if ((record.step as number) > step)
    throw new FormatError(path, `${where} is of step ${record.step as number}, after the checkpoint's step ${step}`);
}
