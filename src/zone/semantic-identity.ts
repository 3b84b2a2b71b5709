import { RRType, copyBytes, lowerByte, wireNameLength } from '../wire/index.js';

/** Lowercases the octets of the uncompressed name at `off` in place; returns the offset after it. */
function lowerNameAt(r: Uint8Array, off: number): number {
  const end = off + wireNameLength(r, off);
  for (let i = off; i < end; i++) r[i] = lowerByte(r[i]!);
  return end;
}

/**
 * Types whose embedded names RFC 4034 §6.2 / RFC 6840 §5.1 leave in their
 * case for DNSSEC, so two records differing only in a name's case are two
 * records, though plain DNS (RFC 4343) treats them as one. BIND's
 * check-dup-records (default warn) flags such pairs for exactly these types.
 */
export const CASE_KEPT_NAME_TYPES: ReadonlySet<number> = new Set([RRType.NSEC, RRType.LP, RRType.IPSECKEY, RRType.AMTRELAY, RRType.HIP]);

/**
 * A copy of `rdata` with the embedded names of a CASE_KEPT_NAME_TYPES type
 * lowercased: equal results mean "semantically identical" records.
 */
export function caseFoldedRdata(type: number, rdata: Uint8Array): Uint8Array {
  // copyBytes, not rdata.slice(): on a Buffer that is a view, and the lowercasing would change the caller's rdata.
  const r = copyBytes(rdata);
  switch (type) {
    case RRType.NSEC: // RFC 4034 §4.1: Next Domain Name first.
      lowerNameAt(r, 0);
      break;
    case RRType.LP: // RFC 6742 §2.4: Preference, FQDN.
      lowerNameAt(r, 2);
      break;
    case RRType.IPSECKEY: // RFC 4025 §2.5: gateway type 3 is a domain name at octet 3.
      if (r[1] === 3) lowerNameAt(r, 3);
      break;
    case RRType.AMTRELAY: // RFC 8777 §4.2: relay type 3 is a domain name at octet 2.
      if ((r[1]! & 0x7f) === 3) lowerNameAt(r, 2);
      break;
    case RRType.HIP: {
      // RFC 8005 §5: HIT and public key, then the rendezvous server names.
      let p = 4 + r[0]! + ((r[2]! << 8) | r[3]!);
      while (p < r.length) p = lowerNameAt(r, p);
      break;
    }
  }
  return r;
}
