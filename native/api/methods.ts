import type { z } from 'zod';
import type { ResultOfSpec } from './define.js';
import { workspaceMethods } from './methods/workspace.js';
import { jobsMethods } from './methods/jobs.js';
import { featuresMethods } from './methods/features.js';
import { labelsMethods } from './methods/labels.js';
import { trainMethods } from './methods/train.js';
import { mapsMethods } from './methods/maps.js';
import { promptMethods } from './methods/prompt.js';
import { compareMethods } from './methods/compare.js';
import { demoMethods } from './methods/demo.js';
import { conceptsMethods } from './methods/concepts.js';
import { corpusMethods } from './methods/corpus.js';
import { importsMethods } from './methods/imports.js';
import { steerMethods } from './methods/steer.js';

/** THE contract: every method the renderer (or a script) can call, declared once in its domain's file under ./methods/. Grow by appending. */
export const methods = {
  ...workspaceMethods,
  ...jobsMethods,
  ...featuresMethods,
  ...labelsMethods,
  ...trainMethods,
  ...mapsMethods,
  ...promptMethods,
  ...compareMethods,
  ...demoMethods,
  ...conceptsMethods,
  ...corpusMethods,
  ...importsMethods,
  ...steerMethods,
};

export type Methods = typeof methods;
export type MethodName = keyof Methods;
/** Params as a caller writes them (defaults may be omitted). */
export type ParamsOf<M extends MethodName> = z.input<Methods[M]['params']>;
/** Params as a service receives them (validated, defaults applied). */
export type ValidParamsOf<M extends MethodName> = z.output<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = ResultOfSpec<Methods[M]>;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}

/** The methods declared with `job: true`: each returns a job at once, and is the kind of job it starts. */
export type JobMethod = { [M in MethodName]: Methods[M]['job'] extends true ? M : never }[MethodName];
