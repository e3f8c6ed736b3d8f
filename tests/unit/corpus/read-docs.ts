import type { Corpus, CorpusDocument } from '../../../native/corpus/index.js';

/** Every document of one pass. */
export async function readAll(corpus: Corpus): Promise<CorpusDocument[]> {
  const docs: CorpusDocument[] = [];
  for await (const doc of corpus.documents()) docs.push(doc);
  return docs;
}
