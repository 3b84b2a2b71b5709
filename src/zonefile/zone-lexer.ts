/**
 * Splits master-file text (RFC 1035 §5.1) into logical lines of tokens.
 * Parentheses join physical lines, `;` starts a comment, double quotes
 * group words, a backslash escapes the next character (escapes are kept
 * raw in the token for the name and string decoders). Text is fed in
 * chunks, so memory does not grow with the file.
 */

/** One word of a logical line, with its 1-based position. */
export interface ZoneToken {
  text: string;
  quoted: boolean;
  line: number;
  col: number;
}

/** One record or directive. */
export interface LogicalLine {
  tokens: ZoneToken[];
  /** The first physical line began with white space: the owner is the previous one. */
  blankOwner: boolean;
  line: number;
}

export type LexProblem = (line: number, col: number, message: string) => void;

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const QUOTE = 0x22;
const SEMI = 0x3b;
const OPEN = 0x28;
const CLOSE = 0x29;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;

export class ZoneLexer {
  private pending = '';
  private lineNo = 0;
  private depth = 0;
  private tokens: ZoneToken[] = [];
  private blankOwner = false;
  private startLine = 0;
  private openLine = 0;

  constructor(private readonly problem: LexProblem) {}

  /** Feeds a chunk of text; `emit` receives every logical line completed by it. */
  push(chunk: string, emit: (l: LogicalLine) => void): void {
    let text = this.pending + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.line(text, start, nl, emit);
      start = nl + 1;
    }
    this.pending = text.slice(start);
    text = '';
  }

  /** Ends the input: the last line, and a check for an unclosed parenthesis. */
  end(emit: (l: LogicalLine) => void): void {
    if (this.pending.length > 0) {
      const t = this.pending;
      this.pending = '';
      this.line(t, 0, t.length, emit);
    }
    if (this.depth > 0) {
      this.problem(this.openLine, 1, 'unbalanced parentheses: the file ends inside "("');
      this.depth = 0;
      this.tokens = [];
    }
  }

  private line(s: string, from: number, to: number, emit: (l: LogicalLine) => void): void {
    const lineNo = ++this.lineNo;
    if (to > from && s.charCodeAt(to - 1) === CR) to--;
    if (this.depth === 0) {
      // (Every way a logical line ends leaves a fresh, empty array here.)
      if (this.tokens.length > 0) this.tokens = [];
      const c = s.charCodeAt(from);
      this.blankOwner = to > from && (c === SPACE || c === TAB);
      this.startLine = lineNo;
    }
    const tokens = this.tokens;
    let i = from;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c === SPACE || c === TAB || c === CR) {
        i++;
        continue;
      }
      if (c === SEMI) break;
      if (c === OPEN) {
        if (this.depth === 0) this.openLine = lineNo;
        this.depth++;
        i++;
        continue;
      }
      if (c === CLOSE) {
        if (this.depth === 0) {
          this.problem(lineNo, i - from + 1, 'unbalanced parentheses: ")" without "("');
          this.tokens = [];
          return;
        }
        this.depth--;
        i++;
        continue;
      }
      const col = i - from + 1;
      if (c === QUOTE) {
        const close = closingQuote(s, i + 1, to);
        if (close < 0) {
          this.problem(lineNo, col, 'unterminated quoted string');
          this.abandon();
          return;
        }
        tokens.push({ text: s.slice(i + 1, close), quoted: true, line: lineNo, col });
        i = close + 1;
        continue;
      }
      // A word. `key="quoted value"` (RFC 9460 §2.1) stays one word.
      let j = i;
      let word = '';
      let wordStart = i;
      while (j < to) {
        const d = s.charCodeAt(j);
        if (d === BACKSLASH) {
          if (j + 1 >= to) {
            this.problem(lineNo, j - from + 1, 'backslash at the end of a line');
            this.abandon();
            return;
          }
          j += 2;
          continue;
        }
        if (d === QUOTE && j > i && s.charCodeAt(j - 1) === EQUALS) {
          const close = closingQuote(s, j + 1, to);
          if (close < 0) {
            this.problem(lineNo, j - from + 1, 'unterminated quoted string');
            this.abandon();
            return;
          }
          word += s.slice(wordStart, j) + s.slice(j + 1, close);
          j = close + 1;
          wordStart = j;
          continue;
        }
        if (d === SPACE || d === TAB || d === CR || d === SEMI || d === OPEN || d === CLOSE || d === QUOTE) break;
        j++;
      }
      word = word === '' && wordStart === i ? commonWord(s, i, j) : word + s.slice(wordStart, j);
      tokens.push({ text: word, quoted: false, line: lineNo, col });
      i = j;
    }
    if (this.depth === 0 && tokens.length > 0) {
      emit({ tokens, blankOwner: this.blankOwner, line: this.startLine });
      this.tokens = [];
    }
  }

  /** Drops the logical line in progress after an error in it. */
  private abandon(): void {
    this.tokens = [];
    this.depth = 0;
  }
}

/** s.slice(i, j), without a new string for the usual class and type words. */
function commonWord(s: string, i: number, j: number): string {
  const n = j - i;
  if (n === 2) {
    if (s.charCodeAt(i) === 0x49 && s.charCodeAt(i + 1) === 0x4e) return 'IN';
  } else if (n === 1) {
    if (s.charCodeAt(i) === 0x41) return 'A';
  } else if (n === 4) {
    if (s.charCodeAt(i) === 0x41 && s.charCodeAt(i + 1) === 0x41 && s.charCodeAt(i + 2) === 0x41 && s.charCodeAt(i + 3) === 0x41) return 'AAAA';
  }
  return s.slice(i, j);
}

function closingQuote(s: string, from: number, to: number): number {
  for (let j = from; j < to; j++) {
    const d = s.charCodeAt(j);
    if (d === BACKSLASH) j++;
    else if (d === QUOTE) return j;
  }
  return -1;
}
