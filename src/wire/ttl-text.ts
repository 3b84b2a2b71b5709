import { TextErrorCode, TextFormatError } from './text-format-error.js';

const UNIT: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/**
 * A TTL or SOA timer: a plain number, or BIND's units (`1w2d3h4m5s`,
 * case-insensitive). Returns -1 when `text` is not of that form.
 */
export function lookupTtl(text: string): number {
  const n = text.length;
  if (n === 0) return -1;
  let v = 0;
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + (c - 0x30);
  }
  if (i === n) return n <= 10 && v <= 0xffffffff ? v : -1;
  const first = text.charCodeAt(0);
  // Units need a leading digit: anything else (a type, a class) is not a TTL.
  if (first < 0x30 || first > 0x39) return -1;
  const re = /([0-9]+)([wdhms])/giy;
  let total = 0;
  let used = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNIT[m[2]!.toLowerCase()]!;
    used = re.lastIndex;
  }
  if (used !== text.length || text.length === 0 || total > 0xffffffff) return -1;
  return total;
}

export function parseTtl(text: string, token = -1): number {
  const v = lookupTtl(text);
  if (v < 0) throw new TextFormatError(TextErrorCode.BAD_NUMBER, `bad TTL '${text}'`, token);
  return v;
}
