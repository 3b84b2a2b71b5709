/**
 * RFC 1982 serial number arithmetic (SERIAL_BITS = 32): -1 when `a` is
 * before `b`, 1 when after, 0 when equal, and NaN when the comparison is
 * undefined (the two are exactly 2^31 apart).
 */
export function compareSerial(a: number, b: number): number {
  const x = a >>> 0;
  const y = b >>> 0;
  if (x === y) return 0;
  const d = (y - x + 0x100000000) % 0x100000000;
  if (d === 0x80000000) return NaN;
  return d < 0x80000000 ? -1 : 1;
}

/** RFC 1982 §3.1: `serial + n` (n < 2^31), modulo 2^32. */
export function addSerial(serial: number, n: number): number {
  return ((serial >>> 0) + n) % 0x100000000;
}
