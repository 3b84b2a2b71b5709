import type { SourcePosition } from '../wire/index.js';

/** Positions per chunk (a power of two): the table grows a chunk at a time, never by copying what it holds. */
const CHUNK_SHIFT = 14;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;
/** Positions the first chunk holds to start with; it doubles (a copy of at most 96 KiB) until it is a whole chunk. */
const FIRST = 64;

/**
 * Source positions kept as three numbers each in typed arrays, in chunks
 * of CHUNK, so remembering where a million records came from costs about
 * 12 octets a record instead of an object each, and adding one never
 * copies the others (a doubling array of millions is a copy of tens of
 * megabytes in one stretch). Index -1 stands for "unknown". Only the
 * first chunk starts small and doubles, so a six-record zone does not make
 * a 192 KiB chunk to remember six positions (issue 14).
 */
export class PositionTable {
  private files: string[] = [];
  private fileIndex = new Map<string, number>();
  private lastFile: string | undefined;
  private lastFileIdx = -1;
  /** Per chunk: file index, line and column of each position, side by side. */
  private chunks: Uint32Array[] = [];
  private count = 0;

  /** Stores `at` and returns its index (-1 when `at` is undefined). */
  add(at: SourcePosition | undefined): number {
    return at === undefined ? -1 : this.addAt(at.file, at.line, at.col);
  }

  /** `add` of the position { file, line, col }, without the object. */
  addAt(file: string, line: number, col: number): number {
    let f: number;
    if (file === this.lastFile) f = this.lastFileIdx;
    else {
      f = this.fileIndex.get(file) ?? -1;
      if (f < 0) {
        f = this.files.length;
        this.files.push(file);
        this.fileIndex.set(file, f);
      }
      this.lastFile = file;
      this.lastFileIdx = f;
    }
    const i = this.count;
    if ((i & CHUNK_MASK) === 0 && i >>> CHUNK_SHIFT === this.chunks.length) this.chunks.push(new Uint32Array(3 * (i === 0 ? FIRST : CHUNK)));
    let c = this.chunks[i >>> CHUNK_SHIFT]!;
    const o = 3 * (i & CHUNK_MASK);
    if (o === c.length) c = this.#growFirst(c);
    c[o] = f;
    c[o + 1] = line;
    c[o + 2] = col;
    this.count = i + 1;
    return i;
  }

  /** Octets of the chunks held. */
  get octets(): number {
    let n = 0;
    for (const c of this.chunks) n += c.byteLength;
    return n;
  }

  /** The first chunk, full before it is a whole chunk, copied into one twice its size. */
  #growFirst(c: Uint32Array): Uint32Array {
    const bigger = new Uint32Array(Math.min(2 * c.length, 3 * CHUNK));
    bigger.set(c);
    this.chunks[0] = bigger;
    return bigger;
  }

  get(index: number): SourcePosition | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const c = this.chunks[index >>> CHUNK_SHIFT]!;
    const o = 3 * (index & CHUNK_MASK);
    return { file: this.files[c[o]!]!, line: c[o + 1]!, col: c[o + 2]! };
  }

  /** Forgets every position (their memory goes with them). */
  clear(): void {
    this.files = [];
    this.fileIndex.clear();
    this.lastFile = undefined;
    this.lastFileIdx = -1;
    this.chunks = [];
    this.count = 0;
  }
}
