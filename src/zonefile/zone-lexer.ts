/**
 * Splits master-file text (RFC 1035 §5.1) into logical lines of tokens.
 * Parentheses join physical lines, `;` starts a comment, double quotes
 * group words, a backslash escapes the next character (escapes are kept
 * raw in the token for the name and string decoders). Text is fed in
 * chunks, so memory does not grow with the file: a physical line is held
 * (as the chunks it spans, joined once) only up to `maxLineBytes`, and a
 * longer one is reported and skipped to its end; a logical line joined by
 * parentheses is bounded the same way.
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

/** `code` is set for a limit (ZONEFILE_LINE_TOO_LONG); a syntax error has none. */
export type LexProblem = (line: number, col: number, message: string, code?: string) => void;

/**
 * Takes a plain line (see ZoneLexer) as the offsets of its words: word k is
 * s[starts[k], ends[k]), at column starts[k] - from + 1 of physical line `line`.
 * True when it took the line; false to have it emitted as a LogicalLine
 * (the same tokens the general path makes). The arrays are the lexer's,
 * reused for the next line.
 */
export type PlainLineHandler = (
  s: string, from: number, line: number, blankOwner: boolean, count: number, starts: Int32Array, ends: Int32Array,
) => boolean;

/** Most words a plain line may have (a longer line goes the general way). */
const MAX_PLAIN_WORDS = 16;

/** Octet classes of the plain-line scan (see plainWords): a word's, white space, `;`, or one that a plain line has none of. */
const WORD = 0;
const BLANK = 1;
const COMMENT = 2;
const NOT_PLAIN = 3;
const CLASS_OF = new Uint8Array(256);
CLASS_OF[0x20] = CLASS_OF[0x09] = CLASS_OF[0x0d] = BLANK;
CLASS_OF[0x3b] = COMMENT;
CLASS_OF[0x22] = CLASS_OF[0x28] = CLASS_OF[0x29] = CLASS_OF[0x5c] = NOT_PLAIN;

/** Code of a line longer than `maxLineBytes` (see ZoneFileCode). */
export const LINE_TOO_LONG = 'ZONEFILE_LINE_TOO_LONG';

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
  /** The start of the physical line in progress: the tails of earlier chunks, joined when its end comes. */
  private pending: string[] = [];
  private pendingLen = 0;
  /** The physical line in progress went over the limit: dropped up to its end. */
  private skipping = false;
  private lineNo = 0;
  private depth = 0;
  private tokens: ZoneToken[] = [];
  private blankOwner = false;
  private startLine = 0;
  private openLine = 0;
  /** Octets of the logical line so far (its physical lines, newlines included). */
  private logicalLen = 0;
  /** The logical line in progress went over the limit: its tokens are dropped until its parentheses close. */
  private dropping = false;

  /** Word offsets of the plain line in progress (see PlainLineHandler). */
  private readonly starts = new Int32Array(MAX_PLAIN_WORDS);
  private readonly ends = new Int32Array(MAX_PLAIN_WORDS);

  /**
   * `maxLineBytes`: longest physical or logical line (default: no limit).
   * `plain`: offered each plain line first, that is a whole logical line on
   * one physical line with words only (no quote, parenthesis or backslash;
   * a comment may end it), at most MAX_PLAIN_WORDS of them: most lines of a
   * large zone. Such a line then costs no token objects and no strings.
   */
  constructor(private readonly problem: LexProblem, private readonly maxLineBytes = Infinity, private readonly plain?: PlainLineHandler) {}

  /**
   * Feeds a chunk of text; `emit` receives every logical line completed by
   * it. Only the chunk is searched for line ends (earlier text is not
   * scanned again), so a long line costs its length, not its square.
   */
  push(chunk: string, emit: (l: LogicalLine) => void): void {
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl >= 0 && (this.pendingLen > 0 || this.skipping)) {
      // The end of a line begun in earlier chunks.
      this.hold(chunk, 0, nl);
      if (this.skipping) this.skipped();
      else {
        const text = this.pending.join('');
        this.pending = [];
        this.pendingLen = 0;
        this.line(text, 0, text.length, emit);
      }
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    while (nl >= 0) {
      if (nl - start > this.maxLineBytes) {
        this.tooLong();
        this.skipped();
      } else {
        this.line(chunk, start, nl, emit);
      }
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    this.hold(chunk, start, chunk.length);
  }

  /** Keeps chunk[from, to) as part of the line in progress, unless that makes it too long. */
  private hold(chunk: string, from: number, to: number): void {
    if (this.skipping || from === to) return;
    this.pendingLen += to - from;
    if (this.pendingLen > this.maxLineBytes) {
      this.pending = [];
      this.pendingLen = 0;
      this.tooLong();
      return;
    }
    this.pending.push(from === 0 && to === chunk.length ? chunk : chunk.slice(from, to));
  }

  /** Reports the physical line in progress (numbered lineNo + 1) as too long, once; it is skipped to its end. */
  private tooLong(): void {
    this.skipping = true;
    this.problem(this.lineNo + 1, this.maxLineBytes + 1, `line longer than ${this.maxLineBytes} octets (max-line-length); skipped`, LINE_TOO_LONG);
  }

  /** The end of a skipped line: counted, and the logical line it was part of is dropped. */
  private skipped(): void {
    this.skipping = false;
    this.lineNo++;
    this.abandon();
  }

  /** Ends the input: the last line, and a check for an unclosed parenthesis. */
  end(emit: (l: LogicalLine) => void): void {
    if (this.skipping) {
      this.skipped();
    } else if (this.pendingLen > 0) {
      const t = this.pending.join('');
      this.pending = [];
      this.pendingLen = 0;
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
      this.logicalLen = 0;
    }
    this.logicalLen += to - from + 1;
    if (this.depth > 0 && !this.dropping && this.logicalLen > this.maxLineBytes) {
      this.problem(this.startLine, 1, `logical line (joined by parentheses) longer than ${this.maxLineBytes} octets (max-line-length); skipped`, LINE_TOO_LONG);
      this.dropping = true;
    }
    if (this.dropping) this.tokens = [];
    if (this.depth === 0 && !this.dropping && this.plain !== undefined) {
      const n = this.plainWords(s, from, to);
      if (n === 0) return; // blank, or a comment only: the general path would emit nothing either
      if (n > 0) {
        if (this.plain(s, from, lineNo, this.blankOwner, n, this.starts, this.ends)) return;
        // The tokens the general path makes of such a line.
        const words: ZoneToken[] = [];
        for (let k = 0; k < n; k++) {
          const a = this.starts[k]!;
          words.push({ text: commonWord(s, a, this.ends[k]!), quoted: false, line: lineNo, col: a - from + 1 });
        }
        emit({ tokens: words, blankOwner: this.blankOwner, line: lineNo });
        return;
      }
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
    if (this.depth === 0 && this.dropping) {
      // The parentheses of a logical line that went over the limit closed: it ends here, unused.
      this.dropping = false;
      this.tokens = [];
    } else if (this.depth === 0 && tokens.length > 0) {
      emit({ tokens, blankOwner: this.blankOwner, line: this.startLine });
      this.tokens = [];
    }
  }

  /**
   * The words of s[from, to) into starts/ends when it is a plain line (see
   * the constructor), and how many; -1 when it is not.
   */
  private plainWords(s: string, from: number, to: number): number {
    const starts = this.starts;
    const ends = this.ends;
    let n = 0;
    let i = from;
    while (i < to) {
      const c = s.charCodeAt(i);
      const k = c < 256 ? CLASS_OF[c]! : WORD;
      if (k === BLANK) {
        i++;
        continue;
      }
      if (k === COMMENT) break;
      if (k === NOT_PLAIN || n === MAX_PLAIN_WORDS) return -1;
      const start = i;
      for (i++; i < to; i++) {
        const d = s.charCodeAt(i);
        const kd = d < 256 ? CLASS_OF[d]! : WORD;
        if (kd === WORD) continue;
        if (kd === NOT_PLAIN) return -1;
        break;
      }
      starts[n] = start;
      ends[n] = i;
      n++;
    }
    return n;
  }

  /** Drops the logical line in progress after an error in it. */
  private abandon(): void {
    this.tokens = [];
    this.depth = 0;
    this.dropping = false;
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
