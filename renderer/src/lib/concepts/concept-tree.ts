import type { ConceptNode, ConceptWordList } from '../../../../native/api/types.js';

/** A concept node as a flat row of the tree list. */
export interface TreeRow {
  node: ConceptNode;
  depth: number;
  /** ref of the parent row, null at the root */
  parent: string | null;
}

/** Pre-order rows of a concept tree (a concept reached twice, as WordNet allows, is listed twice). */
export function treeRows(root: ConceptNode): TreeRow[] {
  const rows: TreeRow[] = [];
  const visit = (node: ConceptNode, depth: number, parent: string | null) => {
    rows.push({ node, depth, parent });
    for (const c of node.children) visit(c, depth + 1, node.ref);
  };
  visit(root, 0, null);
  return rows;
}

/** The first node of the tree with this ref (pre-order), or null. */
export function findNode(root: ConceptNode, ref: string | null): ConceptNode | null {
  if (ref === null) return null;
  return treeRows(root).find((r) => r.node.ref === ref)?.node ?? null;
}

/** The first few concepts to colour in a new plane: the root's children, most tokens first (the tree's order). */
export function defaultHighlight(root: ConceptNode, max: number): string[] {
  return root.children
    .filter((c) => c.enough)
    .slice(0, max)
    .map((c) => c.ref);
}

/** A token for a tooltip or list, its spaces visible: " dog" → "␣dog". Rendered as text only. */
export function showToken(token: string): string {
  if (token.length === 0) return '∅';
  return Array.from(token, (c) => (c === ' ' ? '␣' : c === '\n' ? '↵' : c === '\t' ? '⇥' : c)).join('');
}

/**
 * What an axis can be: each concept of the tree once (indented by depth, those with enough tokens)
 * and each saved word list.
 */
export function axisOptions(
  root: ConceptNode | null,
  lists: readonly ConceptWordList[],
  minTokens: number,
): { ref: string; label: string }[] {
  const seen = new Set<string>();
  const options: { ref: string; label: string }[] = [];
  for (const row of root ? treeRows(root) : []) {
    if (seen.has(row.node.ref) || !row.node.enough) continue;
    seen.add(row.node.ref);
    options.push({ ref: row.node.ref, label: `${'\u2003'.repeat(row.depth)}${row.node.name}` });
  }
  for (const list of lists) {
    if (list.match && list.match.nTokens < minTokens) continue;
    options.push({ ref: `list:${list.name}`, label: `list: ${list.name}` });
  }
  return options;
}

/** Tokens as a short readable list: whole words (a leading space) bare, word pieces marked "-ing". */
export function tokenList(tokens: readonly string[]): string {
  return tokens.map((t) => (t.startsWith(' ') && t.trim().length > 0 ? t.trim() : `-${showToken(t)}`)).join(', ');
}
