import { tokenClass, type StripToken } from './strip.js';

/**
 * Fills `node` with one span per token, replacing what it held, in one DOM operation. A page of
 * examples is ~45 strips × ~60 tokens: built here as plain elements it costs a few milliseconds,
 * where one reactive block per token costs ten times that on every flip to another feature.
 * Token text goes in as textContent only (never HTML: tokens are untrusted corpus text).
 */
export function fillStrip(node: HTMLElement, tokens: readonly StripToken[], maxPos: number, breakLines: boolean): void {
  const fragment = document.createDocumentFragment();
  for (const t of tokens) {
    const span = document.createElement('span');
    span.className = tokenClass(t, maxPos);
    span.dataset.pos = String(t.i);
    span.textContent = t.text;
    if (t.context)
      span.title = t.bos
        ? 'the BOS the model reads before every window (a document starts here); never counted'
        : 'context: read by the model before the counted tokens, not counted in statistics';
    fragment.append(span);
    if (breakLines && t.breaksLine) fragment.append(document.createElement('br'));
  }
  node.replaceChildren(fragment);
}
