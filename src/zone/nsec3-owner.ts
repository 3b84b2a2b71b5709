import type { Name } from '../wire/index.js';

/** Value of a base32hex digit (RFC 4648 §7, either case), or -1. */
function base32HexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const u = c & ~0x20;
  if (u >= 0x41 && u <= 0x56) return u - 0x41 + 10;
  return -1;
}

/**
 * RFC 5155 §3: an NSEC3 owner is the base32hex hash of a name, without
 * padding, as its leftmost label. Like BIND's check, the label must decode
 * to whole octets: a length of 0, 2, 4, 5 or 7 modulo 8, and the unused
 * low bits of the last digit zero.
 */
export function isNsec3OwnerLabel(name: Name): boolean {
  if (name.labelCount === 0) return false;
  const w = name.wire;
  const len = w[0]!;
  const rem = len % 8;
  if (rem === 1 || rem === 3 || rem === 6) return false;
  let last = 0;
  for (let i = 1; i <= len; i++) {
    last = base32HexValue(w[i]!);
    if (last < 0) return false;
  }
  const spare = (len * 5) % 8;
  return (last & ((1 << spare) - 1)) === 0;
}
