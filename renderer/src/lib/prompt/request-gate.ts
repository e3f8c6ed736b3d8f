/**
 * Newer requests supersede older ones: each request takes a rising id, and a reply is applied only
 * while its id is still the newest (a slow early run must not overwrite the result of a later one).
 */
export class RequestGate {
  #latest = 0;

  /** The id of a new request; every earlier id stops being current. */
  next(): number {
    return ++this.#latest;
  }

  isCurrent(id: number): boolean {
    return id === this.#latest;
  }

  /** Makes every outstanding request stale (e.g. the view is leaving). */
  cancel(): void {
    this.#latest++;
  }
}
