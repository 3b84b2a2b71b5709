import { Name } from '../wire/index.js';

/**
 * A zone name as one file name: presentation form without the final dot,
 * lower case, with `/` (RFC 2317 names) and anything outside
 * `[a-z0-9._-]` written as `%XX`; the root zone is `@`.
 */
export function zoneFileName(name: string): string {
  const text = Name.fromText(name.endsWith('.') ? name : `${name}.`).toText().toLowerCase();
  if (text === '.') return '@';
  return Buffer.from(text.slice(0, -1), 'utf8')
    .toString('latin1')
    .replace(/[^a-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

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
