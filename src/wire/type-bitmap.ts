import { typeToText } from './rr-type.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/**
 * RFC 4034 §4.1.2 type bit maps (also NSEC3 and CSYNC): windows in
 * increasing order, each 1..32 octets, with no trailing zero octet.
 */
export function encodeTypeBitmap(types: readonly number[]): Uint8Array {
  const sorted = [...new Set(types)].sort((a, b) => a - b);
  const out: number[] = [];
  let i = 0;
  while (i < sorted.length) {
    const win = sorted[i]! >> 8;
    const bits = new Uint8Array(32);
    let maxOctet = 0;
    while (i < sorted.length && sorted[i]! >> 8 === win) {
      const low = sorted[i]! & 0xff;
      bits[low >> 3]! |= 0x80 >> (low & 7);
      maxOctet = Math.max(maxOctet, (low >> 3) + 1);
      i++;
    }
    out.push(win, maxOctet, ...bits.subarray(0, maxOctet));
  }
  return Uint8Array.from(out);
}

/** Checks the bitmap at `buf[start..end]`; throws WireFormatError when malformed. */
export function validateTypeBitmap(buf: Uint8Array, start: number, end: number): void {
  let p = start;
  let lastWindow = -1;
  while (p < end) {
    if (p + 2 > end) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'type bitmap window header cut short', p);
    const win = buf[p]!;
    const len = buf[p + 1]!;
    if (win <= lastWindow) throw new WireFormatError(WireErrorCode.BAD_RDATA, 'type bitmap windows out of order', p);
    if (len < 1 || len > 32) throw new WireFormatError(WireErrorCode.BAD_RDATA, `type bitmap window length ${len} not in 1..32`, p);
    if (p + 2 + len > end) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'type bitmap window cut short', p);
    if (buf[p + 1 + len] === 0) throw new WireFormatError(WireErrorCode.BAD_RDATA, 'type bitmap window ends with a zero octet', p);
    lastWindow = win;
    p += 2 + len;
  }
}

/** Types present in a (valid) bitmap, in increasing order. */
export function decodeTypeBitmap(buf: Uint8Array, start: number, end: number): number[] {
  const types: number[] = [];
  let p = start;
  while (p < end) {
    const win = buf[p]!;
    const len = buf[p + 1]!;
    for (let i = 0; i < len; i++) {
      const octet = buf[p + 2 + i]!;
      for (let bit = 0; bit < 8; bit++) {
        if (octet & (0x80 >> bit)) types.push((win << 8) | (i * 8 + bit));
      }
    }
    p += 2 + len;
  }
  return types;
}

export function typeBitmapToText(buf: Uint8Array, start: number, end: number): string {
  return decodeTypeBitmap(buf, start, end).map(typeToText).join(' ');
}
