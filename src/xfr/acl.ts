import { isIP } from 'node:net';

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
    if (prefixMatches(addr, e.network, e.prefix)) return true;
  }
  return false;
}

function sameKey(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}

function prefixMatches(a: Uint8Array, net: Uint8Array, prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; i < net.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}

/**
 * The octets of an IPv4 or IPv6 address (an IPv4-mapped IPv6 address,
 * `::ffff:a.b.c.d`, as seen on dual-stack sockets, counts as IPv4); null
 * when it is not an address.
 */
export function addressOctets(address: string): Uint8Array | null {
  const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address.replace(/%.*$/, '');
  const kind = isIP(a);
  if (kind === 4) return Uint8Array.from(a.split('.').map(Number));
  if (kind !== 6) return null;
  const out = new Uint8Array(16);
  let head = a;
  let tail = '';
  const dbl = a.indexOf('::');
  if (dbl >= 0) {
    head = a.slice(0, dbl);
    tail = a.slice(dbl + 2);
  }
  const words = (s: string): number[] => {
    if (s === '') return [];
    const parts = s.split(':');
    const res: number[] = [];
    for (const p of parts) {
      if (p.includes('.')) {
        const v4 = p.split('.').map(Number);
        res.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        res.push(parseInt(p, 16));
      }
    }
    return res;
  };
  const h = words(head);
  const t = words(tail);
  const all = dbl >= 0 ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  for (let i = 0; i < 8; i++) {
    out[2 * i] = (all[i]! >> 8) & 0xff;
    out[2 * i + 1] = all[i]! & 0xff;
  }
  return out;
}
