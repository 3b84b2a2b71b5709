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
