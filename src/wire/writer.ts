/**
 * Thrown (as one shared instance, so no allocation) when a write would pass
 * the writer's limit. Callers roll back to a mark and decide what to do.
 */
export const OVERFLOW: { readonly overflow: true } = Object.freeze({ overflow: true as const });

export function isOverflow(e: unknown): boolean {
  return e === OVERFLOW;
}

/** How many name positions the compression table remembers. */
const MAX_TARGETS = 512;
/** RFC 1035 §4.1.4: a pointer holds a 14-bit offset. */
const MAX_POINTER = 0x3fff;

/** A saved writer position: restore it to undo everything written since. */
export interface WriterMark {
  pos: number;
  targets: number;
}

/**
 * Writes a DNS message into a caller-supplied buffer, never past `limit`,
 * with RFC 1035 §4.1.4 name compression. Suffixes match only when their
 * octets are identical (case included), as BIND does for responses, so every
 * name decodes with exactly the case it was written with (RFC 4343 §4.1).
 */
export class WireWriter {
  buf: Uint8Array;
  pos = 0;
  limit: number;
  /** Message offsets of names that later names may point to... */
  private readonly targetOff = new Uint16Array(MAX_TARGETS);
  /** ...and the uncompressed length of the name from that offset on. */
  private readonly targetLen = new Uint16Array(MAX_TARGETS);
  private targets = 0;

  constructor(buf: Uint8Array, limit = buf.length) {
    this.buf = buf;
    this.limit = Math.min(limit, buf.length);
  }

  /** Starts a new message in the same buffer. */
  reset(buf: Uint8Array = this.buf, limit = buf.length): void {
    this.buf = buf;
    this.limit = Math.min(limit, buf.length);
    this.pos = 0;
    this.targets = 0;
  }

  mark(): WriterMark {
    return { pos: this.pos, targets: this.targets };
  }

  restore(m: WriterMark): void {
    this.pos = m.pos;
    this.targets = m.targets;
  }

  /** Allocation-free variants of mark/restore for hot loops. */
  get targetCount(): number {
    return this.targets;
  }

  rewind(pos: number, targets: number): void {
    this.pos = pos;
    this.targets = targets;
  }

  private room(n: number): void {
    if (this.pos + n > this.limit) throw OVERFLOW;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.room(2);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
  }

  u32(v: number): void {
    this.room(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
  }

  /** Overwrites a 16-bit value at an earlier position (lengths, counts). */
  patchU16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.room(n);
    if (n < 16) {
      const b = this.buf;
      let p = this.pos;
      for (let i = start; i < end; i++) b[p++] = src[i]!;
    } else {
      this.buf.set(start === 0 && end === src.length ? src : src.subarray(start, end), this.pos);
    }
    this.pos += n;
  }

  /**
   * Writes the uncompressed name at `src[off]`. With `compress`, the longest
   * suffix already in the message becomes a pointer. The name's own labels
   * become pointer targets either way when `register` is set.
   */
  name(src: Uint8Array, off = 0, compress = true, register = true): void {
    // Total uncompressed length, needed to match suffixes by length first.
    let total = 0;
    while (src[off + total] !== 0) total += src[off + total]! + 1;
    total += 1;
    let p = off;
    let ptr = -1;
    if (compress && this.targets > 0) {
      while (src[p] !== 0) {
        const suffixLen = total - (p - off);
        ptr = this.find(src, p, suffixLen);
        if (ptr >= 0) break;
        p += src[p]! + 1;
      }
    }
    const literal = ptr >= 0 ? p - off : total;
    this.room(literal + (ptr >= 0 ? 2 : 0));
    const start = this.pos;
    this.bytes(src, off, off + literal);
    if (ptr >= 0) {
      this.buf[this.pos++] = 0xc0 | (ptr >>> 8);
      this.buf[this.pos++] = ptr & 0xff;
    }
    if (register) {
      // Each label written literally starts a suffix later names may reuse.
      for (let q = 0; q < literal && src[off + q] !== 0; q += src[off + q]! + 1) {
        const at = start + q;
        if (at > MAX_POINTER || this.targets >= MAX_TARGETS) break;
        this.targetOff[this.targets] = at;
        this.targetLen[this.targets] = total - q;
        this.targets++;
      }
    }
  }

  /** Finds a message offset holding the name `src[p..]`, or -1. */
  private find(src: Uint8Array, p: number, len: number): number {
    for (let t = 0; t < this.targets; t++) {
      if (this.targetLen[t] === len && this.matches(this.targetOff[t]!, src, p)) return this.targetOff[t]!;
    }
    return -1;
  }

  /** Compares message bytes at `m` (following our own pointers) with `src[p..]`. */
  private matches(m: number, src: Uint8Array, p: number): boolean {
    const b = this.buf;
    for (;;) {
      let len = b[m]!;
      if (len >= 0xc0) {
        m = ((len & 0x3f) << 8) | b[m + 1]!;
        len = b[m]!;
      }
      if (len !== src[p]) return false;
      if (len === 0) return true;
      for (let i = 1; i <= len; i++) {
        if (b[m + i] !== src[p + i]) return false;
      }
      m += len + 1;
      p += len + 1;
    }
  }
}
