/**
 * Where a tokenizer's added tokens (<bos>, <|endoftext|>, and Gemma's <0xNN> byte tokens) stand in a
 * text, found as @huggingface/tokenizers finds them before it normalizes anything: scanning left to
 * right, the longest added token that starts at each position wins, and an lstrip / rstrip token
 * takes the whitespace beside it. The offset walk must cut the text the same way the encoder did, or
 * a literal "<0x0A>" in a text would be read as the byte 0x0A.
 */

export interface AddedTokenRule {
  content: string;
  lstrip: boolean;
  rstrip: boolean;
}

/** A run of the text, [from, to) in UTF-16 units: an added token (with the whitespace it strips) or text to encode. */
export interface TextPiece {
  from: number;
  to: number;
  /** The added token this piece is; null for text. */
  token: string | null;
}

interface TrieNode {
  next: Map<string, TrieNode>;
  end: AddedTokenRule | null;
}

const WHITESPACE = /\s/;

export class AddedTokenSplitter {
  readonly #root: TrieNode = { next: new Map(), end: null };
  readonly size: number;

  constructor(rules: readonly AddedTokenRule[]) {
    for (const rule of rules) {
      let node = this.#root;
      for (let k = 0; k < rule.content.length; k++) {
        let child = node.next.get(rule.content[k]);
        if (!child) node.next.set(rule.content[k], (child = { next: new Map(), end: null }));
        node = child;
      }
      if (rule.content.length > 0) node.end = rule;
    }
    this.size = rules.length;
  }

  /** The longest added token starting at `at`, if any. */
  #matchAt(text: string, at: number, to: number): AddedTokenRule | null {
    let node: TrieNode | undefined = this.#root;
    let match: AddedTokenRule | null = null;
    for (let j = at; j < to; j++) {
      node = node.next.get(text[j]);
      if (!node) break;
      if (node.end) match = node.end;
    }
    return match;
  }

  /** The text cut into pieces; text pieces emptied by stripping are dropped. */
  split(text: string, from = 0, to = text.length): TextPiece[] {
    if (this.size === 0) return from < to ? [{ from, to, token: null }] : [];
    const raw: TextPiece[] = [];
    const rules: (AddedTokenRule | null)[] = [];
    let start = from;
    for (let i = from; i < to;) {
      const rule = this.#matchAt(text, i, to);
      if (rule === null) {
        i++;
        continue;
      }
      if (i > start) {
        raw.push({ from: start, to: i, token: null });
        rules.push(null);
      }
      raw.push({ from: i, to: i + rule.content.length, token: rule.content });
      rules.push(rule);
      i += rule.content.length;
      start = i;
    }
    if (start < to) {
      raw.push({ from: start, to, token: null });
      rules.push(null);
    }
    for (let k = 0; k < raw.length; k++) {
      const rule = rules[k];
      if (rule === null) continue;
      const before = raw[k - 1];
      if (rule.lstrip && before && before.token === null) {
        while (before.to > before.from && WHITESPACE.test(text[before.to - 1])) before.to--;
        raw[k].from = before.to;
      }
      const after = raw[k + 1];
      if (rule.rstrip && after && after.token === null) {
        while (after.from < after.to && WHITESPACE.test(text[after.from])) after.from++;
        raw[k].to = after.from;
      }
    }
    return raw.filter((p) => p.token !== null || p.to > p.from);
  }
}
