/**
 * The difference between two versions of a zone as one IXFR sequence
 * (RFC 1995 §4), found node by node through the zones' name tables, so no
 * listing of either zone is built.
 */
import { Name, RRType, type ResourceRecord } from '../wire/index.js';
import { RRsetImpl, ZoneNodeImpl, rdataTtl, runStepsInSlices, runStepsNow, type RRset, type Steps, type Zone, type ZoneNode } from '../zone/index.js';
import type { ZoneDiff } from './zone-diff.js';

const NO_RRSETS: readonly RRset[] = [];

/** The RRset of `list` with the type and class of `rrset`, if any (a node holds a few RRsets: a scan is enough). */
function sameType(list: readonly RRset[], rrset: RRset): RRset | undefined {
  for (const r of list) if (r.type === rrset.type && r.class === rrset.class) return r;
  return undefined;
}

/** The owner of `rrset` at `node` as a Name of its own (a copy: a diff must not hold on to a zone's slab). */
function ownerOf(node: ZoneNode, rrset: RRset): Name {
  if (node instanceof ZoneNodeImpl && rrset instanceof RRsetImpl && rrset.ownerIsNode) {
    return Name.trusted(node.chunk.slice(node.start, node.end));
  }
  return Name.trusted(rrset.name.wire.slice());
}

function sameOctets(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Appends the records of `rrset` whose index is not marked in `skip` (when given). */
function pushRecords(node: ZoneNode, rrset: RRset, out: ResourceRecord[], skip?: Uint8Array): void {
  const rdatas = rrset.rdatas;
  let name: Name | undefined;
  for (let i = 0; i < rdatas.length; i++) {
    if (skip !== undefined && skip[i] === 1) continue;
    name ??= ownerOf(node, rrset);
    out.push({ name, type: rrset.type, class: rrset.class, ttl: rdataTtl(rrset, i), rdata: rdatas[i]!.slice() });
  }
}

/** Marks, in each RRset, the records (rdata and TTL) the other one holds too. */
function matchRecords(a: RRset, b: RRset): [Uint8Array, Uint8Array] {
  const ar = a.rdatas;
  const br = b.rdatas;
  const am = new Uint8Array(ar.length);
  const bm = new Uint8Array(br.length);
  if (ar.length * br.length <= 64) {
    for (let i = 0; i < ar.length; i++) {
      const ttl = rdataTtl(a, i);
      for (let j = 0; j < br.length; j++) {
        if (bm[j] === 0 && rdataTtl(b, j) === ttl && sameOctets(ar[i]!, br[j]!)) {
          am[i] = 1;
          bm[j] = 1;
          break;
        }
      }
    }
  } else {
    const index = new Map<string, number[]>();
    const key = (r: Uint8Array, ttl: number): string => `${ttl}:${Buffer.from(r.buffer, r.byteOffset, r.length).toString('latin1')}`;
    for (let j = 0; j < br.length; j++) {
      const k = key(br[j]!, rdataTtl(b, j));
      const l = index.get(k);
      if (l === undefined) index.set(k, [j]);
      else l.push(j);
    }
    for (let i = 0; i < ar.length; i++) {
      const l = index.get(key(ar[i]!, rdataTtl(a, i)));
      if (l !== undefined && l.length > 0) {
        am[i] = 1;
        bm[l.pop()!] = 1;
      }
    }
  }
  return [am, bm];
}

/**
 * Records only in `oldZone` are removed, records only in `newZone` added.
 * Owners compare without regard to letter case (RFC 4343); type, class,
 * TTL and rdata octets exactly, so a TTL change removes the old record and
 * adds the new one. As RFC 1995 §4 lays out a difference sequence,
 * `removed[0]` is the old SOA and `added[0]` the new one (the apex SOA is
 * not compared otherwise). The other records are in node order.
 */
export function diffZones(oldZone: Zone, newZone: Zone): ZoneDiff {
  return runStepsNow(diffSteps(oldZone, newZone));
}

/**
 * `diffZones` in slices of about `sliceMs` (default 10 ms), yielding to the
 * event loop between them, so a large zone's diff does not hold up queries.
 */
export function diffZonesAsync(oldZone: Zone, newZone: Zone, sliceMs = 10): Promise<ZoneDiff> {
  return runStepsInSlices(diffSteps(oldZone, newZone), sliceMs);
}

/** Nodes between two looks at the clock (a power of two, less one). */
const STEP_MASK = 1023;

function* diffSteps(oldZone: Zone, newZone: Zone): Steps<ZoneDiff> {
  let steps = 0;
  const oldSoa = oldZone.soa;
  const newSoa = newZone.soa;
  const removed: ResourceRecord[] = [
    { name: Name.trusted(oldSoa.name.wire.slice()), type: RRType.SOA, class: oldSoa.class, ttl: oldSoa.ttl, rdata: oldSoa.rdatas[0]!.slice() },
  ];
  const added: ResourceRecord[] = [
    { name: Name.trusted(newSoa.name.wire.slice()), type: RRType.SOA, class: newSoa.class, ttl: newSoa.ttl, rdata: newSoa.rdatas[0]!.slice() },
  ];
  const oldApex = oldZone.lookup(oldZone.origin);
  const newApex = newZone.lookup(newZone.origin);
  const isApexSoa = (node: ZoneNode, rrset: RRset): boolean =>
    rrset.type === RRType.SOA && (node === oldApex || node === newApex);

  for (const [node, before] of newZone.pairedNodes(oldZone)) {
    if ((++steps & STEP_MASK) === 0) yield;
    // Most nodes are unchanged; this says so for most of them without making any object.
    if (before instanceof ZoneNodeImpl && node instanceof ZoneNodeImpl && node.sameInlineRecords(before)) continue;
    // Both nodes' RRsets as passing objects: looking one up by type would make
    // the inline ones into objects kept on the node, growing the zone served.
    const now = node.transientRRsets();
    if (now.length === 0) continue;
    const prior = before === undefined ? NO_RRSETS : before.transientRRsets();
    for (const rrset of now) {
      if (isApexSoa(node, rrset)) continue;
      const prev = sameType(prior, rrset);
      if (prev === undefined) {
        pushRecords(node, rrset, added);
        continue;
      }
      const [newSeen, oldSeen] = matchRecords(rrset, prev);
      pushRecords(before!, prev, removed, oldSeen);
      pushRecords(node, rrset, added, newSeen);
    }
    // RRsets of types the new node lacks.
    for (const prev of prior) {
      if (!isApexSoa(before!, prev) && sameType(now, prev) === undefined) pushRecords(before!, prev, removed);
    }
  }
  for (const [node, after] of oldZone.pairedNodes(newZone)) {
    if ((++steps & STEP_MASK) === 0) yield;
    if (node.rrsets.size === 0) continue;
    // Nodes still holding records were compared above (an empty non-terminal now holds none).
    if (after !== undefined && after.rrsets.size > 0) continue;
    for (const rrset of node.transientRRsets()) if (!isApexSoa(node, rrset)) pushRecords(node, rrset, removed);
  }
  return { fromSerial: oldZone.serial, toSerial: newZone.serial, removed, added };
}
