/**
 * One piece of data a view asks the engine for again and again (a page, a tree, a summary): each
 * request carries a rising id and a reply to an older one is dropped, so scrubbing through pages or
 * sliding a threshold never shows a stale answer after a fresh one.
 */
export class LatestRequest<T> {
  #id = 0;
  data = $state.raw<T | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);

  async run(fetch: () => Promise<T>): Promise<void> {
    const id = ++this.#id;
    this.loading = true;
    try {
      const value = await fetch();
      if (id !== this.#id) return;
      this.data = value;
      this.error = null;
    } catch (error) {
      if (id === this.#id) this.error = (error as Error).message;
    } finally {
      if (id === this.#id) this.loading = false;
    }
  }

  /** Forget the data (a different subject): the next run starts from a skeleton, not from another subject's data. */
  clear(): void {
    this.#id++;
    this.data = null;
    this.error = null;
    this.loading = false;
  }
}
