/**
 * A state file found damaged (a journal, a served-serial state) is moved
 * aside, to `<file>.damaged-<UTC time>`, so it is never read again and is
 * kept for a look. The time stamp is the one file names use elsewhere too
 * (removed secondary copies): `20261202T063000Z`.
 */
import { existsSync, renameSync } from 'node:fs';

/** A UTC time as it appears in file names: `20261202T063000Z`. */
export function fileTimeStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The time of a `fileTimeStamp` at the end of `name` (after a dot), or null. */
export function parseFileTimeStamp(name: string): Date | null {
  const m = /\.(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(name);
  if (m === null) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(t) ? null : new Date(t);
}

/** Moves `file` aside; returns where it went, or null when it is not there or cannot be moved. */
export function setAsideDamaged(file: string, now = new Date()): string | null {
  if (!existsSync(file)) return null;
  const aside = `${file}.damaged-${fileTimeStamp(now)}`;
  try {
    renameSync(file, aside);
    return aside;
  } catch {
    return null;
  }
}
