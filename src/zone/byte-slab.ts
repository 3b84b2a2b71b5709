import { copyBytes } from '../wire/index.js';

/**
 * Copies small byte strings (owner names, rdata) into large shared chunks.
 * A stand-alone Uint8Array costs V8 about 220 octets (its own ArrayBuffer)
 * and a view into a shared one about 100, so the zone keeps (chunk, start,
 * end) triples and makes views only when asked. Copying also makes the
 * zone independent of the caller's buffers.
 *
 * Chunks start small and double up to `chunkSize`: a six-record zone keeps
 * one chunk of 512 octets or two, not 256 KiB (issue 14: thousands of small zones).
 * What counts as too big to share a chunk is set by `chunkSize` alone.
 */
/** Octets of a slab's first chunk. */
const FIRST_CHUNK = 512;

export class ByteSlab {
  private chunk: Uint8Array;
  private used = 0;
  private made: number;
  /** Chunk and offset of the bytes stored by the last `put`. */
  lastChunk: Uint8Array;
  lastStart = 0;

  constructor(private readonly chunkSize = 1 << 18) {
    this.chunk = new Uint8Array(Math.min(chunkSize, FIRST_CHUNK));
    this.made = this.chunk.length;
    this.lastChunk = this.chunk;
  }

  /** Octets of all chunks made so far (not counting stand-alone copies). */
  get chunkOctets(): number {
    return this.made;
  }

  /** Starts a new chunk with room for `n` octets: twice the last one, up to chunkSize. */
  private next(n: number): void {
    let size = Math.min(this.chunkSize, this.chunk.length * 2);
    while (size < n) size *= 2;
    this.chunk = new Uint8Array(size);
    this.made += size;
    this.used = 0;
  }

  /** Stores a copy of `bytes`; read it back at `lastChunk[lastStart ..]`. */
  put(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n > this.chunkSize >>> 4) {
      this.lastChunk = copyBytes(bytes); // not bytes.slice(): a view when bytes is a Buffer
      this.lastStart = 0;
      return;
    }
    if (this.used + n > this.chunk.length) this.next(n);
    const start = this.used;
    const chunk = this.chunk;
    if (n <= 32) for (let i = 0; i < n; i++) chunk[start + i] = bytes[i]!;
    else chunk.set(bytes, start);
    this.used = start + n;
    this.lastChunk = chunk;
    this.lastStart = start;
  }

  /**
   * Stores a copy of `src[start, end)` (no view of it needed); false (nothing
   * stored) when it is too big to share a chunk. Read it back at
   * `lastChunk[lastStart ..]`.
   */
  putRange(src: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    if (n > this.chunkSize >>> 4) return false;
    if (this.used + n > this.chunk.length) this.next(n);
    const at = this.used;
    const chunk = this.chunk;
    for (let i = 0; i < n; i++) chunk[at + i] = src[start + i]!;
    this.used = at + n;
    this.lastChunk = chunk;
    this.lastStart = at;
    return true;
  }

  /**
   * Stores copies of `a` (its first `na` octets) then `b` next to each other in one chunk, `a` at
   * `lastChunk[lastStart ..]`; false (nothing stored) when they are too big for that.
   */
  putPair(a: Uint8Array, b: Uint8Array, na = a.length): boolean {
    const n = na + b.length;
    if (n > this.chunkSize >>> 4) return false;
    if (this.used + n > this.chunk.length) this.next(n);
    const start = this.used;
    const chunk = this.chunk;
    for (let i = 0; i < na; i++) chunk[start + i] = a[i]!;
    if (b.length <= 32) for (let i = 0, j = start + na; i < b.length; i++, j++) chunk[j] = b[i]!;
    else chunk.set(b, start + na);
    this.used = start + n;
    this.lastChunk = chunk;
    this.lastStart = start;
    return true;
  }

  /**
   * Stores a copy of `bytes` at chunk[at ..] when that is exactly where the
   * next bytes would go (the same chunk, with room); false (nothing stored) otherwise.
   */
  putAt(chunk: Uint8Array, at: number, bytes: Uint8Array): boolean {
    const n = bytes.length;
    if (chunk !== this.chunk || at !== this.used || n > this.chunkSize >>> 4 || at + n > chunk.length) return false;
    for (let i = 0; i < n; i++) chunk[at + i] = bytes[i]!;
    this.used = at + n;
    this.lastChunk = chunk;
    this.lastStart = at;
    return true;
  }

  /** A view holding a copy of `bytes`. */
  copy(bytes: Uint8Array): Uint8Array {
    this.put(bytes);
    return this.lastChunk.subarray(this.lastStart, this.lastStart + bytes.length);
  }
}
