/** A span of a document's text with a label, e.g. a Brown part-of-speech tag on one word. */
export interface Annotation {
  /** [start, end) in UTF-16 units (JS string indices) of the document's text */
  start: number;
  end: number;
  tag: string;
}

export interface CorpusDocument {
  /** Stable within the corpus: 'ca01' (Brown), 'doc-3' (text), 'line-12' (JSON lines), 'row-5' (Parquet). */
  id: string;
  text: string;
  /** Character-level annotations, sorted by start; only annotated corpora (Brown) have them. */
  annotations?: Annotation[];
}

/** Counts for the pass in progress (reset when `documents()` starts again). */
export interface CorpusStats {
  documents: number;
  /** UTF-16 units of document text yielded. */
  characters: number;
  /** Invalid UTF-8 sequences that were replaced by U+FFFD. */
  invalidUtf8: number;
}

export interface Corpus {
  /** The spec in its canonical form ('brown', 'brown:news', 'text:/abs/file.txt', 'jsonl:/abs/f.jsonl#body'). */
  spec: string;
  /** Whether documents carry annotations. */
  annotated: boolean;
  /** Streams the documents, reading the source afresh on each call; never holds the whole corpus. */
  documents(): AsyncIterable<CorpusDocument>;
  readonly stats: CorpusStats;
}

export type CorpusSpec =
  | {
      kind: 'brown';
      /** Brown file ids ('ca01'…), in corpus order */ files: string[];
      /** what followed 'brown:', if anything */ selection?: string;
    }
  | { kind: 'text'; path: string }
  | { kind: 'jsonl'; path: string; field: string }
  | { kind: 'parquet'; path: string; column: string };

/** Bad corpus input: an invalid spec, a missing file, a malformed line, an empty corpus. */
export class CorpusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorpusError';
  }
}
