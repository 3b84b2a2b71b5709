/** DNS case folding (RFC 4343 §3): ASCII letters only, one octet at a time or over a range of octets. */

/** ASCII-only lowercase of one octet (RFC 4343 §3: case-insensitive for A-Z only). */
export function lowerByte(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** True when `a[aOff, aOff+len)` and `b[bOff, bOff+len)` are the same octets, ASCII letter case aside. */
export function equalIgnoringCase(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, len: number): boolean {
  for (let i = 0; i < len; i++) {
    const x = a[aOff + i]!;
    const y = b[bOff + i]!;
    if (x !== y && lowerByte(x) !== lowerByte(y)) return false;
  }
  return true;
}
