/**
 * Parses dotted-quad IPv4 into `out[off..off+4]`; false if malformed. Like
 * inet_pton: four decimal parts of 1-3 digits, no leading zeros, each ≤ 255.
 */
export function parseIPv4(text: string, out: Uint8Array, off = 0): boolean {
  return parseIPv4Range(text, 0, text.length, out, off);
}

/** parseIPv4 of s.slice(from, to), without making that string. */
export function parseIPv4Range(s: string, from: number, to: number, out: Uint8Array, off = 0): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? s.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[off + part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39) return false;
    if (digits === 1 && value === 0) return false; // leading zero
    value = value * 10 + (c - 0x30);
    if (++digits > 3 || value > 255) return false;
  }
  return part === 4;
}

export function formatIPv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** Parses RFC 4291 §2.2 text forms (with `::` and a trailing dotted quad). */
export function parseIPv6(text: string, out: Uint8Array, off = 0): boolean {
  if (off === 0 && parsePlainIPv6(text, out)) return true;
  if (text.length < 2 || text.length > 45) return false;
  const dbl = text.indexOf('::');
  if (dbl >= 0 && text.indexOf('::', dbl + 1) >= 0) return false;
  const head = dbl >= 0 ? text.slice(0, dbl) : text;
  const tail = dbl >= 0 ? text.slice(dbl + 2) : undefined;
  const hw = groupWords(head, tail === undefined);
  const tw = tail === undefined ? [] : groupWords(tail, true);
  if (hw === undefined || tw === undefined) return false;
  const n = hw.length + tw.length;
  if (tail === undefined ? n !== 8 : n > 7) return false;
  const full = [...hw, ...new Array<number>(8 - n).fill(0), ...tw];
  for (let i = 0; i < 8; i++) {
    out[off + 2 * i] = full[i]! >> 8;
    out[off + 2 * i + 1] = full[i]! & 0xff;
  }
  return true;
}

/** Words of one colon-separated run; a dotted quad may end the last run. */
function groupWords(s: string, last: boolean): number[] | undefined {
  if (s === '') return [];
  const words: number[] = [];
  let start = 0;
  for (;;) {
    let end = s.indexOf(':', start);
    if (end < 0) end = s.length;
    const len = end - start;
    if (last && end === s.length && s.indexOf('.', start) >= 0) {
      const v4 = new Uint8Array(4);
      if (!parseIPv4(s.slice(start), v4)) return undefined;
      words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      return words;
    }
    if (len < 1 || len > 4) return undefined;
    let v = 0;
    for (let i = start; i < end; i++) {
      const c = s.charCodeAt(i) | 0x20; // lowercase letters; digits keep their value
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1;
      if (d < 0) return undefined;
      v = (v << 4) | d;
    }
    words.push(v);
    if (end === s.length) return words;
    start = end + 1;
  }
}

/**
 * RFC 5952 text form, as BIND prints it: lowercase, the longest run (first
 * on a tie) of two or more zero words shortened to `::`, and an embedded
 * IPv4 address for the IPv4-mapped and IPv4-compatible prefixes.
 */
export function formatIPv6(b: Uint8Array, off = 0): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[off + 2 * i]! << 8) | b[off + 2 * i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i > 0) out += ':';
    if (
      i === 6 && bestBase === 0 &&
      (bestLen === 6 || (bestLen === 7 && w[7] !== 1) || (bestLen === 5 && w[5] === 0xffff))
    ) {
      out += formatIPv4(b, off + 12);
      break;
    }
    out += w[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}

const V6_WORDS = new Uint16Array(8);

/**
 * The plain RFC 4291 §2.2 forms only (hex words of 1-4 digits, at most one
 * `::`, no embedded IPv4), in one pass: the fast path of parseIPv6. False
 * for anything else, which the general parser then decides; what this
 * accepts, the general parser accepts the same.
 */
function parsePlainIPv6(text: string, out: Uint8Array): boolean {
  return parsePlainIPv6Range(text, 0, text.length, out);
}

/**
 * parsePlainIPv6 of s.slice(from, to), without making that string: true
 * means parseIPv6 of that text gives the same octets; false, that only
 * parseIPv6 can tell.
 */
export function parsePlainIPv6Range(s: string, from: number, to: number, out: Uint8Array): boolean {
  if (to - from < 2 || to - from > 39) return false;
  const words = V6_WORDS;
  let count = 0;
  let gap = -1;
  let i = from;
  if (s.charCodeAt(from) === 0x3a) {
    if (s.charCodeAt(from + 1) !== 0x3a) return false;
    gap = 0;
    i = from + 2;
  }
  while (i < to) {
    let v = 0;
    let digits = 0;
    for (; i < to; i++) {
      const c = s.charCodeAt(i);
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (d < 0) break;
      v = (v << 4) | d;
      digits++;
    }
    if (digits === 0 || digits > 4 || count === 8) return false;
    words[count++] = v;
    if (i === to) break;
    if (s.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (i === to) return false;
    if (s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    }
  }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  const zeros = gap < 0 ? 0 : 8 - count;
  if (zeros > 0) out.fill(0, 0, 16);
  let w = 0;
  for (let k = 0; k < count; k++) {
    if (k === gap) w += zeros;
    out[2 * w] = words[k]! >> 8;
    out[2 * w + 1] = words[k]! & 0xff;
    w++;
  }
  return true;
}
