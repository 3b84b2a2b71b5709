import { decodeBase32Hex, type Name } from '../wire/index.js';

/**
 * RFC 5155 §3: an NSEC3 owner is the base32hex hash of a name, without
 * padding, as its leftmost label. Like BIND's check, the label must decode
 * to whole octets: a length of 0, 2, 4, 5 or 7 modulo 8, and the unused
 * low bits of the last digit zero.
 */
export function isNsec3OwnerLabel(name: Name): boolean {
  if (name.labelCount === 0) return false;
  const w = name.wire;
  return decodeBase32Hex(w, 1, 1 + w[0]!) !== null;
}
