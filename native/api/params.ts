import { z } from 'zod';

/** The zod building blocks the domains' method specs share: ids, paths, corpus specs, counts, pages. */

export const noParams = z.strictObject({});
export const id = z.string().min(1).max(200);
export const path = z.string().min(1).max(4096);
/** A corpus spec: brown, brown:SELECTION, text:PATH, jsonl:PATH#FIELD, parquet:PATH#COLUMN, or a path. */
export const corpus = z.string().min(1).max(4200);
/** A feature's index in its SAE; the service checks it against the SAE's d_sae. */
export const featureIndex = z.int().min(0).max(2_147_483_647);
/** Token counts: a run may index or train on billions of tokens, never more than a float64 counts exactly. */
export const tokenCount = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
export const contextLength = z.int().min(1).max(65_536);
export const density = z.number().min(0).max(1);
export const offset = z.int().min(0).max(1_000_000_000);
export const pageLimit = z.int().min(1).max(1000);
