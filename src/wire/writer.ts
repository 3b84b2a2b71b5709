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
/** Buckets of the compression table's hash index (a power of two, a few per target). */
const BUCKETS = 2048;
/** Labels a name can have (255 octets: at most 127 one-octet labels and the root). */
const MAX_LABELS = 128;
/** RFC 1035 §4.1.4: a pointer holds a 14-bit offset. */
const MAX_POINTER = 0x3fff;
/**
 * Copies up to this many octets byte by byte; longer ones use set(), which
 * costs more to start (and more again when it needs a subarray).
 */
const LOOP_COPY_WHOLE = 16;
const LOOP_COPY_PART = 48;

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
  /** ...the uncompressed length of the name from that offset on... */
  private readonly targetLen = new Uint16Array(MAX_TARGETS);
  /** ...how many of those octets are written literally from there (up to a pointer or the root, inclusive)... */
  private readonly targetFlat = new Uint16Array(MAX_TARGETS);
  /** ...and the target the pointer after them refers to, or -1 after the root. */
  private readonly targetNext = new Int16Array(MAX_TARGETS);
  private targets = 0;
  /**
   * The hash index over the targets (NSD and Knot keep one too): the hash
   * of each target's whole suffix, its bucket's chain (the next target of
   * the same bucket, -1 at the end; newest first), and each bucket's first
   * target, valid only when the bucket's stamp is the writer's (so a new
   * message clears the index by bumping the stamp).
   */
  private readonly targetHash = new Int32Array(MAX_TARGETS);
  private readonly targetChain = new Int16Array(MAX_TARGETS);
  private readonly bucketHead = new Int16Array(BUCKETS);
  private readonly bucketStamp = new Uint32Array(BUCKETS);
  private stamp = 1;
  /**
   * Told of every name written with compression (a whole name, as
   * src[off, off + total)): how the responder learns which names an answer's
   * compression could reach. Null (the default) costs one test per name.
   */
  nameSink: ((src: Uint8Array, off: number, total: number) => void) | null = null;
  /** Scratch of put(): where each label of the name starts, and the hash of the suffix from there. */
  private readonly labelAt = new Int32Array(MAX_LABELS);
  private readonly suffixHash = new Int32Array(MAX_LABELS);

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
    this.#clearIndex();
  }

  mark(): WriterMark {
    return { pos: this.pos, targets: this.targets };
  }

  restore(m: WriterMark): void {
    this.rewind(m.pos, m.targets);
  }

  /** Allocation-free variants of mark/restore for hot loops. */
  get targetCount(): number {
    return this.targets;
  }

  rewind(pos: number, targets: number): void {
    this.pos = pos;
    if (targets < this.targets) {
      // The index is rebuilt from the targets kept (at most MAX_TARGETS steps, once per rollback).
      this.targets = targets;
      this.#clearIndex();
      for (let t = 0; t < targets; t++) this.#index(t);
    }
  }

  #clearIndex(): void {
    this.stamp = (this.stamp + 1) >>> 0;
    if (this.stamp === 0) {
      this.bucketStamp.fill(0);
      this.stamp = 1;
    }
  }

  /** Puts target `t` (its hash set) at the head of its bucket's chain. */
  #index(t: number): void {
    const b = this.targetHash[t]! & (BUCKETS - 1);
    this.targetChain[t] = this.bucketStamp[b] === this.stamp ? this.bucketHead[b]! : -1;
    this.bucketHead[b] = t;
    this.bucketStamp[b] = this.stamp;
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

  /** Claims `n` octets for the caller to fill in `buf`; returns where they start. */
  reserve(n: number): number {
    const p = this.pos;
    if (p + n > this.limit) throw OVERFLOW;
    this.pos = p + n;
    return p;
  }

  /**
   * Writes the fixed part of a resource record that follows its owner
   * (RFC 1035 §4.1.3): TYPE, CLASS, TTL and a zero RDLENGTH, to be patched
   * once the rdata is written. Returns RDLENGTH's position.
   */
  rrFixed(type: number, cls: number, ttl: number): number {
    const p = this.pos;
    if (p + 10 > this.limit) throw OVERFLOW;
    const b = this.buf;
    b[p] = type >>> 8;
    b[p + 1] = type;
    b[p + 2] = cls >>> 8;
    b[p + 3] = cls;
    b[p + 4] = ttl >>> 24;
    b[p + 5] = ttl >>> 16;
    b[p + 6] = ttl >>> 8;
    b[p + 7] = ttl;
    b[p + 8] = 0;
    b[p + 9] = 0;
    this.pos = p + 10;
    return p + 8;
  }

  /** Overwrites a 16-bit value at an earlier position (lengths, counts). */
  patchU16(at: number, v: number): void {
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
  }

  bytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    const p = this.pos;
    if (p + n > this.limit) throw OVERFLOW;
    const whole = start === 0 && end === src.length;
    if (n <= (whole ? LOOP_COPY_WHOLE : LOOP_COPY_PART)) {
      const b = this.buf;
      for (let i = 0; i < n; i++) b[p + i] = src[start + i]!;
    } else {
      this.buf.set(whole ? src : src.subarray(start, end), p);
    }
    this.pos = p + n;
  }

  /**
   * Writes the uncompressed name at `src[off]`. With `compress`, the longest
   * suffix already in the message becomes a pointer. The name's own labels
   * become pointer targets either way when `register` is set.
   */
  name(src: Uint8Array, off = 0, compress = true, register = true): void {
    // Total uncompressed length, needed to match suffixes by length first.
    let total = 0;
    for (let len = src[off]!; len !== 0; len = src[off + total]!) total += len + 1;
    total += 1;
    this.put(src, off, total, compress, register);
  }

  /** name() for a compressible name of known length `total` at `src[off]`, registered as a target. */
  nameAt(src: Uint8Array, off: number, total: number, compress: boolean): void {
    this.put(src, off, total, compress, true);
  }

  /** name() for an array holding exactly one uncompressed name (a Name's `wire`). */
  wholeName(src: Uint8Array, compress: boolean, register: boolean): void {
    this.put(src, 0, src.length, compress, register);
  }

  /** name() once the name's length (`total`) is known. */
  private put(src: Uint8Array, off: number, total: number, compress: boolean, register: boolean): void {
    if (compress && this.nameSink !== null) this.nameSink(src, off, total);
    const targetLen = this.targetLen;
    const labelAt = this.labelAt;
    const suffixHash = this.suffixHash;
    // The name's labels, then the hash of each suffix, from the root up (one pass each).
    let labels = 0;
    for (let q = off; src[q] !== 0 && labels < MAX_LABELS; q += src[q]! + 1) labelAt[labels++] = q;
    let h = 0x9e3779b1 | 0;
    for (let i = labels - 1; i >= 0; i--) {
      const a = labelAt[i]!;
      const e = a + src[a]! + 1;
      for (let k = a; k < e; k++) h = Math.imul(h ^ src[k]!, 0x01000193);
      suffixHash[i] = h ^ (h >>> 15);
    }
    let hit = -1;
    let p = off;
    if (compress && this.targets > 0) {
      // Suffixes longest first; for each, the first remembered target (the lowest
      // index) of the same length whose octets match: the linear scan's choice, found by hash.
      const stamp = this.stamp;
      const targetHash = this.targetHash;
      const chain = this.targetChain;
      search: for (let i = 0; i < labels; i++) {
        const sh = suffixHash[i]!;
        const b = sh & (BUCKETS - 1);
        if (this.bucketStamp[b] !== stamp) continue;
        const at = labelAt[i]!;
        const suffixLen = total - (at - off);
        for (let t = this.bucketHead[b]!; t >= 0; t = chain[t]!) {
          if (targetHash[t] === sh && targetLen[t] === suffixLen && (hit < 0 || t < hit) && this.matches(t, src, at)) hit = t;
        }
        if (hit >= 0) {
          p = at;
          break search;
        }
      }
    }
    const literal = hit >= 0 ? p - off : total;
    const start = this.pos;
    const end = start + literal + (hit >= 0 ? 2 : 0);
    if (end > this.limit) throw OVERFLOW;
    const b = this.buf;
    // A whole Name's octets go in with one native copy; short runs byte by byte.
    if (literal > LOOP_COPY_WHOLE && off === 0 && literal === src.length) b.set(src, start);
    else for (let i = 0; i < literal; i++) b[start + i] = src[off + i]!;
    if (hit >= 0) {
      const ptr = this.targetOff[hit]!;
      b[start + literal] = 0xc0 | (ptr >>> 8);
      b[start + literal + 1] = ptr & 0xff;
    }
    this.pos = end;
    if (register) {
      // Each label written literally starts a suffix later names may reuse.
      let targets = this.targets;
      for (let j = 0; j < labels; j++) {
        const q = labelAt[j]! - off;
        if (q >= literal) break;
        const at = start + q;
        if (at > MAX_POINTER || targets >= MAX_TARGETS) break;
        this.targetOff[targets] = at;
        targetLen[targets] = total - q;
        this.targetFlat[targets] = literal - q;
        this.targetNext[targets] = hit;
        this.targetHash[targets] = suffixHash[j]!;
        this.#index(targets);
        targets++;
      }
      this.targets = targets;
    }
  }

  /**
   * True when the name at target `t` has exactly the octets of `src[p..]`
   * (the caller has checked that the lengths agree). Literal runs are
   * compared flat; a pointer continues at the target it refers to.
   */
  private matches(t: number, src: Uint8Array, p: number): boolean {
    const b = this.buf;
    for (;;) {
      const m = this.targetOff[t]!;
      const n = this.targetFlat[t]!;
      for (let i = 0; i < n; i++) {
        if (b[m + i] !== src[p + i]) return false;
      }
      t = this.targetNext[t]!;
      if (t < 0) return true;
      p += n;
    }
  }
}
