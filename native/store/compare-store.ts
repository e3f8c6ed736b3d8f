import type { CompareGroups, CompareLinks, MatchMeasure, MatchPage, SplitTree } from '../api/types.js';
import { compareGroups, compareLinks, matchPage, splitTree } from './compare-query.js';
import type { GroupQuery, MatchQuery, TreeQuery } from './compare-query.js';
import { CompareTable } from './compare-table.js';

/** A workspace's comparisons: the stored runs (compare-table.ts) and the reads over their matches (compare-query.ts). */
export class CompareStore extends CompareTable {
  /** compare.matches */
  matchPage(q: MatchQuery): MatchPage {
    return matchPage(this.db, q);
  }

  /** compare.groups */
  groups(q: GroupQuery): CompareGroups {
    return compareGroups(this.db, q);
  }

  /** compare.links */
  links(runId: number, pair: number, by: MatchMeasure): CompareLinks {
    return compareLinks(this.db, runId, pair, by);
  }

  /** compare.tree */
  tree(q: TreeQuery): SplitTree {
    return splitTree(this.db, q);
  }
}
