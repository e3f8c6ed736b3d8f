/**
 * The Compare view's hash: `#/compare/<narrow>/<wide>[/<third>][/tree/<index>[/<level>]]`. SAE ids
 * are slugs (no "/"); "tree" cannot be an SAE id's whole segment, so it separates the ids from the
 * tree root: feature <index> of the SAE at <level> (0, the narrowest, by default).
 */
export interface CompareRoute {
  saeIds: string[];
  /** the feature whose splitting tree is open */
  treeRoot: number | null;
  /** which SAE (narrowest first) the tree's root belongs to */
  treeLevel: number;
}

const digits = /^\d{1,10}$/;

export function parseCompareRoute(params: readonly string[]): CompareRoute {
  const at = params.indexOf('tree');
  const ids = (at >= 0 ? params.slice(0, at) : params).slice(0, 3);
  const [index, level] = at >= 0 ? [params[at + 1], params[at + 2]] : [undefined, undefined];
  const treeRoot = index !== undefined && digits.test(index) ? Number(index) : null;
  const treeLevel = level !== undefined && digits.test(level) && Number(level) + 1 < ids.length ? Number(level) : 0;
  return { saeIds: ids, treeRoot, treeLevel };
}

/** The params after `compare` for href('compare', ...params). */
export function compareParams(saeIds: readonly string[], treeRoot: number | null = null, treeLevel = 0): (string | number)[] {
  if (treeRoot === null) return [...saeIds];
  return treeLevel > 0 ? [...saeIds, 'tree', treeRoot, treeLevel] : [...saeIds, 'tree', treeRoot];
}
