import { lowerByte } from './case-fold.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/** RFC 1035 §2.3.4: labels are 63 octets or less, names 255 octets or less. */
export const MAX_LABEL = 63;
export const MAX_NAME = 255;

/**
 * Octets that BIND escapes with a backslash in presentation form. Anything
 * below 0x21 or above 0x7e is written as \DDD.
 */
function isSpecial(b: number): boolean {
  return (
    b === 0x22 /* " */ || b === 0x28 /* ( */ || b === 0x29 /* ) */ || b === 0x2e /* . */ ||
    b === 0x3b /* ; */ || b === 0x5c /* \ */ || b === 0x40 /* @ */ || b === 0x24 /* $ */
  );
}

function pad3(n: number): string {
  return n < 10 ? '00' + n : n < 100 ? '0' + n : String(n);
}

/** Appends one label's presentation form (escaped) to `out`. */
export function labelToText(bytes: Uint8Array, start: number, len: number): string {
  let out = '';
  for (let i = start; i < start + len; i++) {
    const b = bytes[i]!;
    if (b <= 0x20 || b >= 0x7f) out += '\\' + pad3(b);
    else if (isSpecial(b)) out += '\\' + String.fromCharCode(b);
    else out += String.fromCharCode(b);
  }
  return out;
}

/**
 * Presentation form of an uncompressed wire name starting at `offset` in
 * `bytes`. Always absolute (ends with a dot).
 */
export function wireNameToText(bytes: Uint8Array, offset = 0): string {
  let pos = offset;
  let out = '';
  for (;;) {
    const len = bytes[pos]!;
    if (len === 0) break;
    out += labelToText(bytes, pos + 1, len) + '.';
    pos += len + 1;
  }
  return out === '' ? '.' : out;
}

/** Length of the uncompressed wire name at `offset` (including the root octet). */
export function wireNameLength(bytes: Uint8Array, offset: number): number {
  let pos = offset;
  for (;;) {
    const len = bytes[pos];
    if (len === undefined) throw new WireFormatError(WireErrorCode.SHORT_READ, 'name runs past the end of its data', pos);
    if (len === 0) return pos - offset + 1;
    if (len > MAX_LABEL) {
      throw new WireFormatError(
        len >= 0xc0 ? WireErrorCode.POINTER_NOT_ALLOWED : WireErrorCode.BAD_LABEL_TYPE,
        `unexpected label octet 0x${len.toString(16)} in uncompressed name`,
        pos,
      );
    }
    pos += len + 1;
    if (pos - offset > MAX_NAME) throw new WireFormatError(WireErrorCode.NAME_TOO_LONG, 'name longer than 255 octets', offset);
  }
}

/** Case-insensitive equality of two uncompressed wire names. */
export function wireNamesEqual(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  for (;;) {
    const la = a[aOff]!;
    if (la !== b[bOff]) return false;
    if (la === 0) return true;
    for (let i = 1; i <= la; i++) {
      if (lowerByte(a[aOff + i]!) !== lowerByte(b[bOff + i]!)) return false;
    }
    aOff += la + 1;
    bOff += la + 1;
  }
}

const TEXT_SCRATCH = new Uint8Array(MAX_NAME + 4);
const KEY_SCRATCH = Buffer.alloc(MAX_NAME + 1);

function nameFail(text: string, code: (typeof TextErrorCode)[keyof typeof TextErrorCode], why: string): never {
  throw new TextFormatError(code, `bad name '${text}': ${why}`);
}

/** Appends one octet to the label being built, enforcing RFC 1035 §2.3.4 limits. */
function putOctet(text: string, buf: Uint8Array, pos: number, labelStart: number, b: number): number {
  if (pos - labelStart > MAX_LABEL) nameFail(text, TextErrorCode.LABEL_TOO_LONG, 'label longer than 63 octets');
  if (pos >= MAX_NAME) nameFail(text, TextErrorCode.NAME_TOO_LONG, 'name longer than 255 octets');
  buf[pos] = b;
  return pos + 1;
}

/**
 * A domain name: its uncompressed wire form with case preserved, plus the
 * offsets of its labels. Immutable. `key` is the canonical lowercase lookup
 * key, built on first use only.
 */
export class Name {
  /** Uncompressed wire form, case preserved, ending with the root label. */
  readonly wire: Uint8Array;
  /** Offset of each label's length octet, left to right, root excluded. */
  readonly offsets: Uint8Array;
  #key: string | undefined;

  private constructor(wire: Uint8Array, offsets: Uint8Array) {
    this.wire = wire;
    this.offsets = offsets;
  }

  static readonly ROOT = new Name(Uint8Array.of(0), new Uint8Array(0));

  /** Wraps (without copying) an uncompressed wire name, checking its limits. */
  static fromWire(wire: Uint8Array): Name {
    const len = wireNameLength(wire, 0);
    if (len !== wire.length) throw new WireFormatError(WireErrorCode.TRAILING_BYTES, 'octets after the root label of a name', len);
    return Name.trusted(wire);
  }

  /** Wraps wire bytes already known to be a valid uncompressed name. */
  static trusted(wire: Uint8Array): Name {
    if (wire.length === 1) return Name.ROOT;
    let count = 0;
    for (let p = 0; wire[p] !== 0; p += wire[p]! + 1) count++;
    const offsets = new Uint8Array(count);
    for (let p = 0, i = 0; wire[p] !== 0; p += wire[p]! + 1) offsets[i++] = p;
    return new Name(wire, offsets);
  }

  /**
   * Parses presentation form (RFC 1035 §5.1): labels separated by dots, with
   * `\X` and `\DDD` escapes. A name without a trailing dot is relative and
   * has `origin` appended; without an origin it is an error. Characters
   * U+0000..U+00FF stand for one octet each, so latin1 text round-trips any
   * byte; higher code points are written as UTF-8.
   */
  static fromText(text: string, origin?: Name): Name {
    if (text === '.') return Name.ROOT;
    if (text === '') throw new TextFormatError(TextErrorCode.BAD_NAME, 'empty name');
    // Built in a shared scratch buffer (parsing is synchronous), copied out once.
    const buf = TEXT_SCRATCH;
    let pos = 1; // write position of the next octet
    let labelStart = 0; // position of the current label's length octet
    let absolute = false;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (c === 0x2e /* . */) {
        const len = pos - labelStart - 1;
        if (len === 0) nameFail(text, TextErrorCode.BAD_NAME, 'empty label');
        buf[labelStart] = len;
        if (i === n - 1) {
          absolute = true;
          break;
        }
        labelStart = pos;
        if (pos >= MAX_NAME) nameFail(text, TextErrorCode.NAME_TOO_LONG, 'name longer than 255 octets');
        pos++;
        continue;
      }
      if (c === 0x5c /* \ */) {
        if (i + 1 >= n) nameFail(text, TextErrorCode.BAD_ESCAPE, 'trailing backslash');
        const d0 = text.charCodeAt(i + 1);
        if (d0 >= 0x30 && d0 <= 0x39) {
          const d1 = text.charCodeAt(i + 2);
          const d2 = text.charCodeAt(i + 3);
          if (!(d1 >= 0x30 && d1 <= 0x39 && d2 >= 0x30 && d2 <= 0x39)) nameFail(text, TextErrorCode.BAD_ESCAPE, '\\DDD needs three digits');
          c = (d0 - 0x30) * 100 + (d1 - 0x30) * 10 + (d2 - 0x30);
          if (c > 255) nameFail(text, TextErrorCode.BAD_ESCAPE, `\\${text.slice(i + 1, i + 4)} is above 255`);
          i += 3;
        } else {
          c = d0;
          i += 1;
        }
      }
      if (c >= 0x100) {
        // Code points above U+00FF are written as UTF-8.
        for (const b of Buffer.from(String.fromCharCode(c), 'utf8')) pos = putOctet(text, buf, pos, labelStart, b);
        continue;
      }
      pos = putOctet(text, buf, pos, labelStart, c);
    }
    if (!absolute) {
      const len = pos - labelStart - 1;
      if (len === 0) nameFail(text, TextErrorCode.BAD_NAME, 'empty label');
      buf[labelStart] = len;
      if (origin === undefined) nameFail(text, TextErrorCode.RELATIVE_NAME, 'relative name and no origin');
      const o = origin.wire;
      if (pos + o.length > MAX_NAME) nameFail(text, TextErrorCode.NAME_TOO_LONG, 'name longer than 255 octets');
      buf.set(o, pos);
      pos += o.length;
    } else {
      buf[pos++] = 0;
      if (pos > MAX_NAME) nameFail(text, TextErrorCode.NAME_TOO_LONG, 'name longer than 255 octets');
    }
    return Name.trusted(buf.slice(0, pos));
  }

  /** Number of labels, not counting the root. */
  get labelCount(): number {
    return this.offsets.length;
  }

  /** Canonical lookup key: the lowercased wire form as a latin1 string. */
  get key(): string {
    let k = this.#key;
    if (k === undefined) {
      // Lowercased into a scratch buffer, then one flat string (a good Map key).
      const w = this.wire;
      for (let i = 0; i < w.length; i++) KEY_SCRATCH[i] = lowerByte(w[i]!);
      k = KEY_SCRATCH.toString('latin1', 0, w.length);
      this.#key = k;
    }
    return k;
  }

  /** Presentation form, absolute, with BIND's escaping. */
  toText(): string {
    return wireNameToText(this.wire, 0);
  }

  toString(): string {
    return this.toText();
  }

  /** Case-insensitive equality (RFC 4343). */
  equals(other: Name): boolean {
    return this.wire.length === other.wire.length && wireNamesEqual(this.wire, 0, other.wire, 0);
  }

  /** A copy with ASCII letters lowercased (RFC 4034 §6.2 canonical form). */
  toLowerCase(): Name {
    const w = this.wire;
    const out = new Uint8Array(w.length);
    let p = 0;
    for (;;) {
      const len = w[p]!;
      out[p] = len;
      if (len === 0) break;
      for (let i = p + 1; i <= p + len; i++) out[i] = lowerByte(w[i]!);
      p += len + 1;
    }
    return new Name(out, this.offsets);
  }

  /** True when this name equals `ancestor` or lies below it. */
  isSubdomainOf(ancestor: Name): boolean {
    const skip = this.offsets.length - ancestor.offsets.length;
    if (skip < 0) return false;
    const start = skip === this.offsets.length ? this.wire.length - 1 : this.offsets[skip]!;
    return this.wire.length - start === ancestor.wire.length && wireNamesEqual(this.wire, start, ancestor.wire, 0);
  }

  /** The name with its first `n` labels removed. */
  suffix(n: number): Name {
    if (n <= 0) return this;
    if (n >= this.offsets.length) return Name.ROOT;
    return Name.trusted(this.wire.subarray(this.offsets[n]!));
  }

  /** The name with one more label in front (raw octets). */
  prepend(label: Uint8Array): Name {
    if (label.length === 0 || label.length > MAX_LABEL) {
      throw new TextFormatError(TextErrorCode.LABEL_TOO_LONG, 'label must be 1..63 octets');
    }
    if (label.length + 1 + this.wire.length > MAX_NAME) {
      throw new TextFormatError(TextErrorCode.NAME_TOO_LONG, 'name longer than 255 octets');
    }
    const out = new Uint8Array(label.length + 1 + this.wire.length);
    out[0] = label.length;
    out.set(label, 1);
    out.set(this.wire, label.length + 1);
    return Name.trusted(out);
  }

  /** The octets of label `i` (0 = leftmost), without its length octet. */
  label(i: number): Uint8Array {
    const off = this.offsets[i]!;
    return this.wire.subarray(off + 1, off + 1 + this.wire[off]!);
  }

  /** True when the leftmost label is `*` (RFC 4592 §2.1.1). */
  get isWildcard(): boolean {
    return this.wire[0] === 1 && this.wire[1] === 0x2a;
  }

  /** RFC 4034 §6.1 canonical ordering. */
  compare(other: Name): number {
    return compareCanonical(this, other);
  }
}

/**
 * RFC 4034 §6.1: names sort by their labels read right to left, each label
 * compared as a left-justified lowercase octet string, absent octets sorting
 * first; a name that is a proper suffix of another sorts first.
 */
export function compareCanonical(a: Name, b: Name): number {
  const aw = a.wire;
  const bw = b.wire;
  let i = a.offsets.length - 1;
  let j = b.offsets.length - 1;
  for (; i >= 0 && j >= 0; i--, j--) {
    const ao = a.offsets[i]!;
    const bo = b.offsets[j]!;
    const al = aw[ao]!;
    const bl = bw[bo]!;
    const m = al < bl ? al : bl;
    for (let k = 1; k <= m; k++) {
      const d = lowerByte(aw[ao + k]!) - lowerByte(bw[bo + k]!);
      if (d !== 0) return d;
    }
    if (al !== bl) return al - bl;
  }
  return i - j;
}
