import { inNetwork, parsePeerAddress } from '../wire/index.js';

/**
 * One entry of `allow-transfer` / `allow-notify`: an address range
 * (optionally also requiring a TSIG key), or a key alone (any address that
 * signs with it).
 */
export type AclEntry =
  | { kind: 'range'; family: 4 | 6; /** Network address octets (4 or 16). */ network: Uint8Array; prefix: number; key: string | null }
  | { kind: 'key'; key: string };

/** Who is asking: the source address, and the TSIG key the request was verified with (null: unsigned). */
export interface Requester {
  address: string;
  key: string | null;
}

/** True when some entry of `acl` admits `who` (an empty list admits nobody). */
export function aclAllows(acl: readonly AclEntry[], who: Requester): boolean {
  const addr = addressOctets(who.address);
  for (const e of acl) {
    if (e.kind === 'key') {
      if (who.key !== null && sameKey(e.key, who.key)) return true;
      continue;
    }
    if (e.key !== null && (who.key === null || !sameKey(e.key, who.key))) continue;
    if (addr === null || addr.length !== e.network.length) continue;
    if (inNetwork(addr, e.network, e.prefix)) return true;
  }
  return false;
}

function sameKey(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}

/**
 * The octets of an IPv4 or IPv6 address (an IPv4-mapped IPv6 address,
 * `::ffff:a.b.c.d`, as seen on dual-stack sockets, counts as IPv4); null
 * when it is not an address.
 */
export function addressOctets(address: string): Uint8Array | null {
  const out = new Uint8Array(16);
  const family = parsePeerAddress(address, out);
  return family === 0 ? null : family === 4 ? out.slice(0, 4) : out;
}
