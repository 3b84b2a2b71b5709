/** Parses dotted-quad IPv4 into `out[off..off+4]`; false if malformed. */
export function parseIPv4(text: string, out: Uint8Array, off = 0): boolean {
  const parts = text.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    // inet_pton: 1-3 decimal digits, no leading zeros beyond "0".
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return false;
    const v = Number(p);
    if (v > 255) return false;
    out[off + i] = v;
  }
  return true;
}

export function formatIPv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** Parses RFC 4291 §2.2 text forms (with `::` and a trailing dotted quad). */
export function parseIPv6(text: string, out: Uint8Array, off = 0): boolean {
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
  const parts = s.split(':');
  const words: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (last && i === parts.length - 1 && p.includes('.')) {
      const v4 = new Uint8Array(4);
      if (!parseIPv4(p, v4)) return undefined;
      words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
      words.push(parseInt(p, 16));
    } else {
      return undefined;
    }
  }
  return words;
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
