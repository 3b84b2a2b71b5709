/**
 * SOA rdata fields (RFC 1035 §3.3.13) in uncompressed wire form: MNAME and
 * RNAME, then SERIAL, REFRESH, RETRY, EXPIRE and MINIMUM (four octets each),
 * so SERIAL is always the fifth octet from the end but sixteen.
 */

/** Offset of SERIAL, found past the two names; -1 when the rdata is too short. */
function serialOffset(rdata: Uint8Array): number {
  let p = 0;
  for (let names = 0; names < 2; names++) {
    while (p < rdata.length && rdata[p] !== 0) p += rdata[p]! + 1;
    p++;
  }
  return p + 20 <= rdata.length ? p : -1;
}

/** SERIAL of SOA rdata; NaN when the rdata is too short. */
export function soaSerial(rdata: Uint8Array): number {
  const p = serialOffset(rdata);
  if (p < 0) return NaN;
  return ((rdata[p]! << 24) | (rdata[p + 1]! << 16) | (rdata[p + 2]! << 8) | rdata[p + 3]!) >>> 0;
}

/** Writes `serial` (modulo 2^32) into SOA rdata in place. */
export function setSoaSerial(rdata: Uint8Array, serial: number): void {
  const p = serialOffset(rdata);
  if (p < 0) throw new RangeError('SOA rdata is too short');
  const v = serial >>> 0;
  rdata[p] = v >>> 24;
  rdata[p + 1] = (v >>> 16) & 0xff;
  rdata[p + 2] = (v >>> 8) & 0xff;
  rdata[p + 3] = v & 0xff;
}

/** True when two SOA rdata are equal but for SERIAL (MNAME, RNAME and the four timers alike). */
export function soaSameButSerial(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const serialAt = a.length - 20;
  for (let i = 0; i < a.length; i++) {
    if (i >= serialAt && i < serialAt + 4) continue;
    if (a[i] !== b[i]) return false;
  }
  return true;
}
