/**
 * RFC 3403 §3.2 / §4.1: the NAPTR regexp field is empty or
 * `delim ere delim replacement delim flags`. Checked the way BIND 9.18 checks
 * it, so a zone BIND refuses is refused here too:
 * - the delimiter is not a digit, a backslash, `i` or NUL;
 * - exactly three unescaped delimiters, then only the flag `i`;
 * - the extended regular expression is non-empty, with balanced groups and
 *   closed bracket expressions;
 * - back-references `\1`..`\9` in the replacement name existing groups, and
 *   `\0` is refused.
 * Returns a reason when invalid, or undefined.
 */
export function naptrRegexpProblem(b: Uint8Array, start: number, end: number): string | undefined {
  if (start === end) return undefined;
  const delim = b[start]!;
  if (delim === 0 || delim === 0x5c || delim === 0x69 /* i */ || (delim >= 0x30 && delim <= 0x39)) {
    return `'${String.fromCharCode(delim)}' cannot be the regexp delimiter`;
  }
  let part = 0; // 0 regex, 1 replacement, 2 flags
  const regexStart = start + 1;
  let groups = 0;
  for (let p = start + 1; p < end; p++) {
    const c = b[p]!;
    if (c === 0) return 'NUL in regexp';
    if (c === delim) {
      if (part === 2) return 'too many delimiters in regexp';
      if (part === 0) {
        const g = countGroups(b, regexStart, p);
        if (g < 0) return 'bad regular expression';
        groups = g;
      }
      part++;
      continue;
    }
    if (part === 2) {
      if (c !== 0x69) return `unknown regexp flag '${String.fromCharCode(c)}'`;
      continue;
    }
    if (c === 0x5c) {
      p++;
      if (p >= end || b[p] === 0) return 'regexp ends in a backslash';
      if (part === 1 && b[p]! >= 0x30 && b[p]! <= 0x39) {
        const n = b[p]! - 0x30;
        if (n === 0 || n > groups) return `back-reference \\${n} has no group`;
      }
    }
  }
  if (part !== 2) return 'regexp needs three delimiters';
  return undefined;
}

/**
 * Number of capture groups of a POSIX extended regular expression in
 * b[start..end], or -1 when it is empty or malformed the way BIND's
 * validator finds it: an unclosed group or bracket expression, a
 * repetition with nothing to repeat, or an unfinished `{m,n}` bound. A `)`
 * with no open group is an ordinary character.
 */
function countGroups(b: Uint8Array, start: number, end: number): number {
  if (start === end) return -1;
  let depth = 0;
  let groups = 0;
  let canRepeat = false; // is there an atom before this point?
  for (let p = start; p < end; p++) {
    const c = b[p]!;
    switch (c) {
      case 0x5c: // \
        if (++p >= end) return -1;
        canRepeat = true;
        break;
      case 0x5b: {
        // [ ... ]: `]` right after `[` or `[^` is a literal.
        p++;
        if (b[p] === 0x5e) p++;
        if (b[p] === 0x5d) p++;
        while (p < end && b[p] !== 0x5d) p++;
        if (p >= end) return -1;
        canRepeat = true;
        break;
      }
      case 0x28: // (
        depth++;
        groups++;
        canRepeat = false;
        break;
      case 0x29: // )
        if (depth > 0) depth--;
        canRepeat = true;
        break;
      case 0x7c: // |
        canRepeat = false;
        break;
      case 0x2a: // *
      case 0x2b: // +
      case 0x3f: // ?
        if (!canRepeat) return -1;
        break;
      case 0x7b: {
        // {m}, {m,} or {m,n}
        let q = p + 1;
        const digitsFrom = q;
        while (q < end && b[q]! >= 0x30 && b[q]! <= 0x39) q++;
        if (q === digitsFrom || !canRepeat) return -1;
        if (b[q] === 0x2c) {
          q++;
          while (q < end && b[q]! >= 0x30 && b[q]! <= 0x39) q++;
        }
        if (b[q] !== 0x7d || q >= end) return -1;
        p = q;
        break;
      }
      default:
        canRepeat = true;
    }
  }
  return depth === 0 ? groups : -1;
}
