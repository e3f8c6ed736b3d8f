import { randomBytes } from 'node:crypto';
import type { ApiError } from '../api/errors.js';

export type Refusal = { ok: false; error: ApiError };

/**
 * Paths in a desktop window come only from native dialogs in the main process. A dialog's choice is
 * kept here and the renderer gets an opaque grant (`grant:` and 32 hex digits) to send instead of
 * the path; the main process swaps grants back for paths before a call reaches the engine, and
 * refuses any raw path: a compromised renderer could otherwise name /etc/passwd as a corpus.
 *
 * `loupe serve` does not use this: there the person typing a path is on their own machine (or
 * shell) and could read the file anyway. The table is per process and forgotten on exit.
 */
const grantId = 'grant:[0-9a-f]{32}';

/** A corpus spec naming a granted file: `[text:|jsonl:|parquet:]grant:…[#field]`. */
const grantedCorpus = new RegExp(`^((?:text|jsonl|parquet):)?(${grantId})(#[^#/]*)?$`);

export type GrantKind = 'file' | 'folder';

export interface Grant {
  id: string;
  path: string;
  kind: GrantKind;
}

/** Where each method carries paths: plain path fields, and corpus specs (`text:PATH`, `jsonl:PATH#field`, …). */
interface PathFields {
  paths?: readonly string[];
  corpora?: readonly string[];
}

export const pathFieldsByMethod: Readonly<Record<string, PathFields>> = {
  'workspace.open': { paths: ['path'] },
  'models.add': { paths: ['path'] },
  'saes.add': { paths: ['path'] },
  'train.start': { paths: ['model', 'initFrom', 'filter.sae'], corpora: ['corpus'] },
  'index.start': { corpora: ['corpus'] },
  'compare.start': { corpora: ['corpus'] },
  'eval.start': { corpora: ['corpus'] },
  'corpus.preview': { corpora: ['corpus'] },
  'imports.start': { paths: ['path'] },
};

/** Corpus specs that name no file: the bundled Brown corpus and its categories. */
const builtInCorpus = /^brown(:[A-Za-z0-9_,-]*)?$/;

export class PathGrants {
  readonly #grants = new Map<string, Grant>();

  /** Records a path the user chose in a native dialog; returns the grant the renderer may send. */
  grant(path: string, kind: GrantKind): Grant {
    const grant = { id: `grant:${randomBytes(16).toString('hex')}`, path, kind };
    this.#grants.set(grant.id, grant);
    return grant;
  }

  get(id: string): Grant | undefined {
    return this.#grants.get(id);
  }

  /**
   * The call's params with every grant replaced by its path, or a refusal naming the field that
   * carries a raw path or an unknown grant. `allowed` says which raw paths are fine anyway (those
   * already registered in the workspace, which were granted when they were added).
   */
  resolve(method: string, params: unknown, allowed: (path: string) => boolean = () => false): { ok: true; params: unknown } | Refusal {
    const fields = pathFieldsByMethod[method];
    if (!fields || params === null || typeof params !== 'object') return { ok: true, params };
    const out = structuredClone(params) as Record<string, unknown>;
    for (const field of fields.paths ?? []) {
      const value = getField(out, field);
      if (typeof value !== 'string') continue;
      const grant = this.#grants.get(value);
      if (grant) setField(out, field, grant.path);
      else if (!allowed(value)) return refusal(method, field, value);
    }
    for (const field of fields.corpora ?? []) {
      const value = getField(out, field);
      if (typeof value !== 'string' || builtInCorpus.test(value)) continue;
      // The whole spec is one grant (and a field name): a raw path beside a grant is refused too.
      const match = grantedCorpus.exec(value);
      const grant = match ? this.#grants.get(match[2]) : undefined;
      if (!match || !grant || grant.kind !== 'file') return refusal(method, field, value);
      setField(out, field, `${match[1] ?? ''}${grant.path}${match[3] ?? ''}`);
    }
    return { ok: true, params: out };
  }
}

function refusal(method: string, field: string, value: string): Refusal {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return {
    ok: false,
    error: {
      code: 'invalid_params',
      method,
      field,
      reason: `"${shown}" is not a file or folder chosen in this window: the desktop app takes paths only from its own file dialogs (grants.choose)`,
    },
  };
}

function getField(params: Record<string, unknown>, dotted: string): unknown {
  let value: unknown = params;
  for (const key of dotted.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function setField(params: Record<string, unknown>, dotted: string, path: string): void {
  const keys = dotted.split('.');
  let target = params;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[keys[keys.length - 1]] = path;
}
