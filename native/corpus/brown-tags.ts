/**
 * Brown's 80-odd part-of-speech tags (plus their -tl title, -hl headline, -nc cited, fw- foreign
 * variants and '+' contractions) folded into eleven coarse classes, so a feature's candidate label
 * reads "noun" rather than "nns$-tl".
 *
 * How a tag folds: a leading 'fw-' is dropped (a foreign noun is still a noun); everything from the
 * first '-' on is dropped ('np-tl' → 'np'), except for the dash punctuation tags '--' and '---hl';
 * a contraction takes its first part ('pps+bez', "it's" → 'pps'); a trailing '*' (negated forms,
 * 'dod*' = "didn't") and '$' (possessive, 'np$') are dropped. The base tag then maps as follows:
 * - noun: nn nns np nps nr nrs (nr: adverbial nouns such as "home", "today")
 * - verb: vb vbd vbg vbn vbz, the forms of be / do / have (be bed bedz beg bem ben ber bez, do dod
 *   doz, hv hvd hvg hvn hvz) and modals (md)
 * - adj: jj jjr jjs jjt
 * - adv: rb rbr rbt rn rp, qualifiers (ql qlp abl), wh-adverbs (wrb wql) and '*' ("not", "n't")
 * - det: at (articles), ap abn abx (quantifiers), dt dti dts dtx, wdt
 * - prep: in
 * - pron: pn pp ppl ppls ppo pps ppss, wp wpo wps, ex (existential "there")
 * - conj: cc cs
 * - num: cd od
 * - punct: . , : ( ) -- `` '' '
 * - other: to (infinitival "to"), uh (interjections), nil, and anything unknown
 */
export const COARSE_TAGS = ['noun', 'verb', 'adj', 'adv', 'det', 'prep', 'pron', 'conj', 'num', 'punct', 'other'] as const;
export type CoarseTag = (typeof COARSE_TAGS)[number];

const GROUPS: Record<Exclude<CoarseTag, 'other'>, string[]> = {
  noun: ['nn', 'nns', 'np', 'nps', 'nr', 'nrs'],
  verb: [
    'vb',
    'vbd',
    'vbg',
    'vbn',
    'vbz',
    'be',
    'bed',
    'bedz',
    'beg',
    'bem',
    'ben',
    'ber',
    'bez',
    'do',
    'dod',
    'doz',
    'hv',
    'hvd',
    'hvg',
    'hvn',
    'hvz',
    'md',
  ],
  adj: ['jj', 'jjr', 'jjs', 'jjt'],
  adv: ['rb', 'rbr', 'rbt', 'rn', 'rp', 'ql', 'qlp', 'abl', 'wrb', 'wql', '*'],
  det: ['at', 'ap', 'abn', 'abx', 'dt', 'dti', 'dts', 'dtx', 'wdt'],
  prep: ['in'],
  pron: ['pn', 'pp', 'ppl', 'ppls', 'ppo', 'pps', 'ppss', 'wp', 'wpo', 'wps', 'ex'],
  conj: ['cc', 'cs'],
  num: ['cd', 'od'],
  punct: ['.', ',', ':', '(', ')', '--', '``', "''", "'"],
};

const COARSE: ReadonlyMap<string, CoarseTag> = new Map(
  Object.entries(GROUPS).flatMap(([coarse, tags]) => tags.map((t) => [t, coarse as CoarseTag] as const)),
);

/** The base tag a Brown tag folds to ('np$-tl' → 'np', 'fw-nns' → 'nns', 'pps+bez' → 'pps', 'dod*' → 'dod'). */
export function baseBrownTag(tag: string): string {
  let t = tag.toLowerCase();
  if (t.startsWith('fw-')) t = t.slice(3);
  if (t.startsWith('--')) return '--';
  const dash = t.indexOf('-');
  if (dash > 0) t = t.slice(0, dash);
  t = t.split('+')[0];
  if (t.length > 1) t = t.replace(/[*$]+$/, '');
  return t;
}

/** The coarse class of a Brown tag (see the table above). */
export function coarseBrownTag(tag: string): CoarseTag {
  return COARSE.get(baseBrownTag(tag)) ?? 'other';
}
