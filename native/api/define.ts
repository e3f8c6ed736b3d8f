import type { z } from 'zod';

declare const resultBrand: unique symbol;

/** A method of the contract: its params schema (validated at runtime by the host), its result type, its events. */
export interface MethodSpec<P extends z.ZodType, R, E extends string> {
  summary: string;
  params: P;
  /** Events the method may cause, by name (for documentation and for clients that subscribe lazily). */
  events: readonly E[];
  /** Long work: the call returns a job at once and reports through `job.progress`. */
  job: boolean;
  readonly [resultBrand]?: R;
}

/**
 * Declares a method once. The result type is given as a type argument because results are produced by
 * our own services (trusted), while params come from the renderer (untrusted) and need a runtime schema.
 */
export function method<R>() {
  // `job` keeps its literal type, so the job kinds can be derived from the specs (methods.ts JobMethod).
  return <P extends z.ZodType, const E extends string = never, const J extends boolean = false>(spec: {
    summary: string;
    params: P;
    events?: readonly E[];
    job?: J;
  }): MethodSpec<P, R, E> & { job: J } => ({ events: [], job: false as J, ...spec });
}

export type ResultOfSpec<S> = S extends MethodSpec<z.ZodType, infer R, string> ? R : never;
