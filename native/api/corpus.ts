/** Corpora. */

/** The start of a corpus, for a form to show before a job reads it (corpus.preview). */
export interface CorpusPreview {
  /** the spec as the engine reads it (e.g. brown:news expanded to its files' category) */
  spec: string;
  /** Brown carries part-of-speech tags (candidate labels come from them) */
  annotated: boolean;
  /** ids of the first documents (at most 5) */
  firstDocuments: string[];
  /** the first document's start (at most 600 characters) */
  text: string;
  /** with a model: its first window's text (BOS and padding not shown), its tokens, and how many of them count */
  window: { text: string; tokens: number; counted: number } | null;
}
