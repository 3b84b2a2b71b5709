import type { SourcePosition } from '../wire/index.js';

/**
 * Source positions kept as three numbers each in growable typed arrays, so
 * remembering where a million records came from costs about 10 octets a
 * record instead of an object each. Index -1 stands for "unknown".
 */
export class PositionTable {
  private files: string[] = [];
  private fileIndex = new Map<string, number>();
  private lastFile: string | undefined;
  private lastFileIdx = -1;
  private fileOf = new Uint32Array(1024);
  private lineOf = new Uint32Array(1024);
  private colOf = new Uint32Array(1024);
  private count = 0;

  /** Stores `at` and returns its index (-1 when `at` is undefined). */
  add(at: SourcePosition | undefined): number {
    if (at === undefined) return -1;
    let f: number;
    if (at.file === this.lastFile) f = this.lastFileIdx;
    else {
      f = this.fileIndex.get(at.file) ?? -1;
      if (f < 0) {
        f = this.files.length;
        this.files.push(at.file);
        this.fileIndex.set(at.file, f);
      }
      this.lastFile = at.file;
      this.lastFileIdx = f;
    }
    const i = this.count;
    if (i === this.lineOf.length) this.grow();
    this.fileOf[i] = f;
    this.lineOf[i] = at.line;
    this.colOf[i] = at.col;
    this.count = i + 1;
    return i;
  }

  /** The position stored at `index`, or undefined for -1. */
  get(index: number): SourcePosition | undefined {
    if (index < 0 || index >= this.count) return undefined;
    return { file: this.files[this.fileOf[index]!]!, line: this.lineOf[index]!, col: this.colOf[index]! };
  }

  /** Frees everything stored. */
  clear(): void {
    this.files = [];
    this.fileIndex.clear();
    this.lastFile = undefined;
    this.lastFileIdx = -1;
    this.fileOf = new Uint32Array(0);
    this.lineOf = new Uint32Array(0);
    this.colOf = new Uint32Array(0);
    this.count = 0;
  }

  private grow(): void {
    const n = Math.max(1024, this.lineOf.length * 2);
    const f = new Uint32Array(n);
    f.set(this.fileOf);
    this.fileOf = f;
    const l = new Uint32Array(n);
    l.set(this.lineOf);
    this.lineOf = l;
    const c = new Uint32Array(n);
    c.set(this.colOf);
    this.colOf = c;
  }
}
