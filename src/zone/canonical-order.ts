import { canonicalRdata, lowerByte, type ResourceRecord } from '../wire/index.js';
import { rdataTtl, type RRsetImpl } from './rrset.js';
import type { ZoneNodeImpl } from './zone-node.js';

/**
 * RFC 4034 §6.3: rdata sorts as a left-justified unsigned octet sequence of
 * its canonical form (§6.2), a missing octet sorting before a zero octet.
 */
export function compareOctets(a: Uint8Array, b: Uint8Array): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const scratch = new Uint16Array(2 * 256);
const labelStarts = new Int32Array(128);

/**
 * A string whose code-unit order is the RFC 4034 §6.1 order of the wire
 * name at bytes[start, end): labels right to left, each octet lowercased
 * and shifted up by one, each label closed by U+0000, so a shorter label
 * and a name with fewer labels both sort first.
 */
export function canonicalSortKey(bytes: Uint8Array, start: number): string {
  let count = 0;
  for (let p = start; bytes[p] !== 0; p += bytes[p]! + 1) labelStarts[count++] = p;
  let n = 0;
  for (let l = count - 1; l >= 0; l--) {
    const p = labelStarts[l]!;
    const len = bytes[p]!;
    for (let i = p + 1; i <= p + len; i++) scratch[n++] = lowerByte(bytes[i]!) + 1;
    scratch[n++] = 0;
  }
  return String.fromCharCode.apply(null, scratch.subarray(0, n) as unknown as number[]);
}

/** The records of one RRset in RFC 4034 §6.3 order, appended to `out`. */
function pushSorted(rrset: RRsetImpl, owner: ZoneNodeImpl, out: ResourceRecord[]): void {
  const rdatas = rrset.rdatas;
  const n = rdatas.length;
  const order: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n > 1) {
    const canon = rdatas.map((r) => canonicalRdata(rrset.type, r));
    order.sort((x, y) => compareOctets(canon[x]!, canon[y]!));
  }
  // Names are made for the listing only, so listing does not grow the zone.
  const name = rrset.ownerIsNode ? owner.transientName() : rrset.name;
  for (const i of order) out.push({ name, type: rrset.type, class: rrset.class, ttl: rdataTtl(rrset, i), rdata: rdatas[i]! });
}

/**
 * Every record of `nodes` in RFC 4034 §6.3 canonical order: owner names by
 * §6.1, then type number, then canonical rdata. Nodes sharing a name (an
 * ordinary name that is also an NSEC3 owner) are merged.
 */
export function canonicalRecords(nodes: Iterable<ZoneNodeImpl>): ResourceRecord[] {
  const list: { k: string; node: ZoneNodeImpl }[] = [];
  for (const node of nodes) if (node.size > 0) list.push({ k: canonicalSortKey(node.chunk, node.start), node });
  list.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const out: ResourceRecord[] = [];
  for (let i = 0; i < list.length; i++) {
    const group = [list[i]!.node];
    while (i + 1 < list.length && list[i + 1]!.k === list[i]!.k) group.push(list[++i]!.node);
    const rrsets: [RRsetImpl, ZoneNodeImpl][] = [];
    for (const node of group) for (const r of node.list()) rrsets.push([r, node]);
    rrsets.sort((a, b) => a[0].type - b[0].type);
    for (const [rrset, node] of rrsets) pushSorted(rrset, node, out);
  }
  return out;
}
