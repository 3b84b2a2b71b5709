import { RRType } from '../wire/index.js';

/**
 * Where the domain name that asks for additional records starts inside the
 * rdata of `type` (RFC 1035 §3.3.9 MX and §3.3.11 NS, RFC 2782 SRV,
 * RFC 3403 §4.1 NAPTR replacement), or -1 when the type has none.
 */
export function additionalTargetOffset(type: number, rdata: Uint8Array): number {
  switch (type) {
    case RRType.NS:
      return 0;
    case RRType.MX:
      return 2;
    case RRType.SRV:
      return 6;
    case RRType.NAPTR: {
      let p = 4;
      for (let i = 0; i < 3; i++) p += rdata[p]! + 1; // flags, services, regexp
      return p < rdata.length ? p : -1;
    }
    default:
      return -1;
  }
}

/** Length of the uncompressed wire name at `wire[off]`. */
export function nameLengthAt(wire: Uint8Array, off: number): number {
  let p = off;
  while (wire[p] !== 0) p += wire[p]! + 1;
  return p + 1 - off;
}

/** RFC 3403 §4.1: the NAPTR FLAGS character-string, lowercased. */
export function naptrFlags(rdata: Uint8Array): string {
  const len = rdata[4]!;
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(rdata[5 + i]! | 0x20);
  return s;
}
