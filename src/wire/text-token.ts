import { TextErrorCode, TextFormatError } from './text-format-error.js';

/**
 * One whitespace-separated word of presentation text. `text` keeps its
 * backslash escapes undecoded (names and character-strings decode them
 * differently); `quoted` tells whether it was written in double quotes.
 */
export interface TextToken {
  text: string;
  quoted: boolean;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * Splits one record's rdata text into tokens (RFC 1035 §5.1): whitespace
 * separates words, double quotes group them, backslash escapes the next
 * character. Zone-file syntax (parentheses, comments) belongs to the zone
 * file lexer, which produces the same tokens.
 */
export function tokenize(text: string): TextToken[] {
  const out: TextToken[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let word = '';
      for (;;) {
        if (j >= n) throw new TextFormatError(TextErrorCode.UNBALANCED_QUOTE, 'missing closing quote', out.length);
        const d = text.charCodeAt(j);
        if (d === 0x5c && j + 1 < n) {
          word += text.slice(j, j + 2);
          j += 2;
          continue;
        }
        if (d === 0x22) break;
        word += text[j];
        j++;
      }
      out.push({ text: word, quoted: true });
      i = j + 1;
      continue;
    }
    // An unquoted word; `key="quoted value"` (SVCB, RFC 9460 §2.1) stays one word.
    let j = i;
    let word = '';
    while (j < n) {
      const d = text.charCodeAt(j);
      if (d === 0x5c && j + 1 < n) {
        word += text.slice(j, j + 2);
        j += 2;
        continue;
      }
      if (d === 0x22 && j > i && text.charCodeAt(j - 1) === 0x3d /* = */) {
        const close = findClosingQuote(text, j + 1);
        if (close < 0) throw new TextFormatError(TextErrorCode.UNBALANCED_QUOTE, 'missing closing quote', out.length);
        word += text.slice(j + 1, close);
        j = close + 1;
        continue;
      }
      if (isSpace(d) || d === 0x22) break;
      word += text[j];
      j++;
    }
    out.push({ text: word, quoted: false });
    i = j;
  }
  return out;
}

/** Index of the `"` closing a quoted section that starts at `from`, or -1. */
export function findClosingQuote(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    const d = text.charCodeAt(j);
    if (d === 0x5c) j++;
    else if (d === 0x22) return j;
  }
  return -1;
}
