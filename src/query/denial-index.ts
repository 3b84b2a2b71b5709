import { createHash } from 'node:crypto';
import { compareCanonical, decodeBase32Hex, lowerByte, Name, RRType } from '../wire/index.js';
import { NodeFlags, type Zone, type ZoneNode } from '../zone/index.js';

/** RFC 4034 §4: the NSEC owners of a zone in canonical order. */
interface NsecChain {
  names: Name[];
  nodes: ZoneNode[];
}

/** RFC 5155: the NSEC3 owners of a zone ordered by hash, and the parameters to hash with. */
interface Nsec3Chain {
  iterations: number;
  salt: Uint8Array;
  /** Owner hashes (the base32hex first label, decoded), ascending. */
  hashes: Uint8Array[];
  nodes: ZoneNode[];
}

/** What a signed zone needs for denial of existence; built once per zone, on the first DO query. */
export interface DenialIndex {
  /** RFC 4035: the zone has a DNSKEY at the apex and signatures. */
  signed: boolean;
  nsec: NsecChain | null;
  nsec3: Nsec3Chain | null;
}

const cache = new WeakMap<Zone, DenialIndex>();

/** The zone's denial index (computed on first use, then kept with the zone). */
export function denialIndex(zone: Zone): DenialIndex {
  let idx = cache.get(zone);
  if (idx === undefined) {
    idx = buildIndex(zone);
    cache.set(zone, idx);
  }
  return idx;
}

function buildIndex(zone: Zone): DenialIndex {
  const apex = zone.lookup(zone.origin)!;
  const signed = apex.rrsets.has(RRType.DNSKEY) && apex.rrsets.has(RRType.RRSIG);
  if (!signed) return { signed, nsec: null, nsec3: null };
  const nsecNodes: ZoneNode[] = [];
  const nsec3Nodes: ZoneNode[] = [];
  for (const node of zone.nodes()) {
    if ((node.flags & NodeFlags.NSEC3) !== 0) {
      if (node.rrsets.has(RRType.NSEC3)) nsec3Nodes.push(node);
    } else if (node.rrsets.has(RRType.NSEC)) {
      nsecNodes.push(node);
    }
  }
  let nsec: NsecChain | null = null;
  if (nsecNodes.length > 0) {
    const pairs = nsecNodes.map((n) => ({ name: n.name, node: n })).sort((a, b) => compareCanonical(a.name, b.name));
    nsec = { names: pairs.map((p) => p.name), nodes: pairs.map((p) => p.node) };
  }
  let nsec3: Nsec3Chain | null = null;
  const param = apex.rrsets.get(RRType.NSEC3PARAM);
  const first = nsec3Nodes[0]?.rrsets.get(RRType.NSEC3)?.rdatas[0];
  // RFC 5155 §4: NSEC3PARAM gives the parameters; else those of the chain itself.
  const source = param?.rdatas.find((r) => r[0] === 1) ?? first;
  if (nsec3Nodes.length > 0 && source !== undefined) {
    const iterations = (source[2]! << 8) | source[3]!;
    const salt = source.slice(5, 5 + source[4]!);
    const pairs: { hash: Uint8Array; node: ZoneNode }[] = [];
    for (const node of nsec3Nodes) {
      // The builder admits NSEC3 owners only with such a label (nsec3-owner.ts), so none is left out here.
      const hash = decodeBase32Hex(node.name.wire, 1, 1 + node.name.wire[0]!);
      if (hash !== null) pairs.push({ hash, node });
    }
    pairs.sort((a, b) => compareBytes(a.hash, b.hash));
    nsec3 = { iterations, salt, hashes: pairs.map((p) => p.hash), nodes: pairs.map((p) => p.node) };
  }
  return { signed, nsec, nsec3 };
}

/** RFC 4034 §6.1 order: the NSEC node whose owner is the last one at or before `name` (the one that matches or covers it). */
export function nsecFor(chain: NsecChain, name: Name): ZoneNode {
  let lo = 0;
  let hi = chain.names.length - 1;
  // names[0] is the apex, which sorts before every name of the zone.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (compareCanonical(chain.names[mid]!, name) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return chain.nodes[lo]!;
}

/** RFC 5155 §5: the hash of `name` (lowercased wire form) with the chain's salt and iterations. */
export function nsec3Hash(chain: Nsec3Chain, wire: Uint8Array): Uint8Array {
  const lower = Uint8Array.from(wire, lowerByte);
  let h = createHash('sha1').update(lower).update(chain.salt).digest();
  for (let i = 0; i < chain.iterations; i++) h = createHash('sha1').update(h).update(chain.salt).digest();
  return h;
}

/** The NSEC3 node whose hash equals `hash`, if any. */
export function nsec3Matching(chain: Nsec3Chain, hash: Uint8Array): ZoneNode | undefined {
  const i = lastAtOrBefore(chain.hashes, hash);
  return i >= 0 && compareBytes(chain.hashes[i]!, hash) === 0 ? chain.nodes[i] : undefined;
}

/** RFC 5155 §7.2.1: the NSEC3 node that covers `hash` (its hash is before `hash`, its next hash after; the last one wraps around). */
export function nsec3Covering(chain: Nsec3Chain, hash: Uint8Array): ZoneNode {
  const i = lastAtOrBefore(chain.hashes, hash);
  return chain.nodes[i >= 0 ? i : chain.nodes.length - 1]!;
}

function lastAtOrBefore(list: Uint8Array[], key: Uint8Array): number {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compareBytes(list[mid]!, key) <= 0) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
