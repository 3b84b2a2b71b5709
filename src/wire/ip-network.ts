/** Peer addresses and networks: a socket's address string to octets, and whether an address is inside a network/prefix. */

import { parseIPv4, parseIPv6 } from './ip-address.js';

/**
 * Parses a peer's address as a socket reports it into `out` (16 octets of
 * room): 4 for IPv4 (`out[0..4]`), 6 for IPv6 (`out[0..16]`), 0 when it is
 * not an address. Dual-stack sockets show IPv4 clients as `::ffff:a.b.c.d`:
 * those are IPv4. A zone index (`%eth0`) is left out.
 */
export function parsePeerAddress(address: string, out: Uint8Array): 0 | 4 | 6 {
  if (address.startsWith('::ffff:') && address.indexOf('.') > 0 && parseIPv4(address.slice(7), out)) return 4;
  const pct = address.indexOf('%');
  const a = pct < 0 ? address : address.slice(0, pct);
  if (parseIPv4(a, out)) return 4;
  return parseIPv6(a, out) ? 6 : 0;
}

/** The mask of octet `i` of a `prefix`-bit network (0xff, 0, or the partial octet). */
export function prefixMaskOctet(prefix: number, i: number): number {
  const bits = prefix - 8 * i;
  return bits >= 8 ? 0xff : bits <= 0 ? 0 : (0xff << (8 - bits)) & 0xff;
}

/** True when `addr` is inside `network/prefix` (same family: both 4 or both 16 octets). */
export function inNetwork(addr: Uint8Array, network: Uint8Array, prefix: number): boolean {
  for (let i = 0; i < network.length && prefix - 8 * i > 0; i++) {
    const mask = prefixMaskOctet(prefix, i);
    if ((addr[i]! & mask) !== (network[i]! & mask)) return false;
  }
  return true;
}
