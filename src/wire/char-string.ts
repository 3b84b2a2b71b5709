import { TextErrorCode, TextFormatError } from './text-format-error.js';

/**
 * Decodes the escapes of presentation text (RFC 1035 §5.1: `\X` is X,
 * `\DDD` is the octet DDD) into octets. Code points up to U+00FF are one
 * octet each; higher ones become UTF-8.
 */
export function unescapeText(text: string, token = -1): Uint8Array {
  const out: number[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      if (i + 1 >= n) throw new TextFormatError(TextErrorCode.BAD_ESCAPE, `trailing backslash in '${text}'`, token);
      const d0 = text.charCodeAt(i + 1);
      if (d0 >= 0x30 && d0 <= 0x39) {
        const d1 = text.charCodeAt(i + 2);
        const d2 = text.charCodeAt(i + 3);
        if (!(d1 >= 0x30 && d1 <= 0x39 && d2 >= 0x30 && d2 <= 0x39)) {
          throw new TextFormatError(TextErrorCode.BAD_ESCAPE, `\\DDD needs three digits in '${text}'`, token);
        }
        const v = (d0 - 0x30) * 100 + (d1 - 0x30) * 10 + (d2 - 0x30);
        if (v > 255) throw new TextFormatError(TextErrorCode.BAD_ESCAPE, `escape \\${v} is above 255`, token);
        out.push(v);
        i += 3;
        continue;
      }
      pushChar(out, text, i + 1);
      i += d0 >= 0xd800 && d0 <= 0xdbff ? 2 : 1;
      continue;
    }
    pushChar(out, text, i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
  }
  return Uint8Array.from(out);
}

function pushChar(out: number[], text: string, i: number): void {
  const c = text.charCodeAt(i);
  if (c < 0x100) {
    out.push(c);
    return;
  }
  const cp = text.codePointAt(i)!;
  for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.push(b);
}

/**
 * Presentation form of a character-string's octets, BIND style: `"` and `\`
 * get a backslash, octets outside 0x20..0x7e become \DDD. The caller adds
 * the quotes.
 */
export function escapeText(bytes: Uint8Array, start = 0, end = bytes.length, extraSpecial = -1): string {
  let out = '';
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b >= 0x7f) out += '\\' + (b < 10 ? '00' : b < 100 ? '0' : '') + b;
    else if (b === 0x22 || b === 0x5c || b === extraSpecial) out += '\\' + String.fromCharCode(b);
    else out += String.fromCharCode(b);
  }
  return out;
}
