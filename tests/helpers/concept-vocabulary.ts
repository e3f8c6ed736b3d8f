import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { loadTokenizer } from '../../native/formats/index.js';
import { buildVocabulary, vocabularyOfTokenizer } from '../../native/maps/concepts/vocabulary.js';
import type { Vocabulary } from '../../native/maps/concepts/vocabulary.js';
import { DEMO_MODEL, FIXTURES } from './shared.js';

let demo: Promise<Vocabulary> | null = null;

/** The demo model's real vocabulary (4,096 byte-level BPE tokens), with Brown cut into its tokens. */
export function demoVocabulary(): Promise<Vocabulary> {
  demo ??= loadTokenizer(DEMO_MODEL).then((t) => vocabularyOfTokenizer(t, 4096));
  return demo;
}

/**
 * The Gemma-2 fixture's SentencePiece-style vocabulary ("▁" words, 640 tokens), encoded by
 * @huggingface/tokenizers itself: Loupe's tokenizer reader takes byte-level BPE only so far.
 */
export function gemmaFixtureVocabulary(): Vocabulary {
  const json = JSON.parse(readFileSync(join(FIXTURES, 'families', 'gemma2-tiny', 'tokenizer.json'), 'utf8')) as {
    model: { vocab: Record<string, number> };
  };
  const hf = new HfTokenizer(json as never, {});
  const raw: string[] = [];
  for (const [token, id] of Object.entries(json.model.vocab)) raw[id] = token;
  const texts = raw.map((t) => t.replaceAll('▁', ' '));
  return buildVocabulary({ raw, texts, encode: (text) => hf.encode(text, { add_special_tokens: false }).ids });
}
