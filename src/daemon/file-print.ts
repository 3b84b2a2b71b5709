/**
 * What a file looked like when it was read (size, modification time,
 * inode), to tell later whether it has changed since, whatever the watch
 * did or did not report.
 */
import { statSync } from 'node:fs';

export interface FilePrint {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Absolute path → its print, or null when it did not exist (or could not be looked at). */
export type FilePrints = Map<string, FilePrint | null>;

export function filePrint(path: string): FilePrint | null {
  try {
    const st = statSync(path);
    return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  } catch {
    return null;
  }
}

/** Prints of `paths`, taken now, except those already in `known` (taken earlier, before a read). */
export function filePrints(paths: Iterable<string>, known?: FilePrints): FilePrints {
  const out: FilePrints = new Map();
  for (const p of paths) out.set(p, known?.has(p) === true ? known.get(p)! : filePrint(p));
  return out;
}

/** True when two prints describe the same state of a file (both null: missing both times). */
export function samePrint(a: FilePrint | null, b: FilePrint | null): boolean {
  return a === null || b === null ? a === b : a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** True when every file still looks as `prints` says. */
export function samePrints(prints: FilePrints): boolean {
  for (const [path, was] of prints) if (!samePrint(was, filePrint(path))) return false;
  return true;
}
