/**
 * A new version of a zone from a small change (an incoming IXFR), made
 * without rebuilding the zone: the new version shares with the old one
 * every node the change leaves alone, and only the changed names are built
 * (by a ZoneBuilder, with its per-record checks), so the work and the
 * memory are those of the change, plus a copy of the two name tables.
 *
 * The result is the zone a ZoneBuilder would build from all the records of
 * the new version: the same nodes (empty non-terminals made and dropped as
 * names come and go), the same flags, the same errors that fail a zone
 * (warnings are not reported). A change that moves a zone cut or a DNAME
 * (NS records below the apex, DNAME records) changes the flags of every
 * name below it; it is not done here (null): build the zone whole.
 */
import { RRType, canonicalRdata, type Diagnostic, type ResourceRecord } from '../wire/index.js';
import { apexNsCheck } from './integrity-checks.js';
import { nameForMessage } from './name-text.js';
import { NodeFlags, inheritedFlags } from './node-flags.js';
import { hashWireName, type NodeTable } from './node-table.js';
import { rdataTtl } from './rrset.js';
import type { Steps } from './run-steps.js';
import { Zone } from './zone.js';
import { ZoneBuilder, type ZoneBuildResult } from './zone-builder.js';
import { ZoneCode } from './zone-codes.js';
import { ZoneNodeImpl } from './zone-node.js';

export interface ZoneChange {
  /** The new version's SOA. */
  soa: ResourceRecord;
  /** Records of the zone that go: matched by recordKey (owner in any case, type, class, canonical rdata; not TTL). */
  removed: readonly ResourceRecord[];
  /** Records that come. */
  added: readonly ResourceRecord[];
}

/**
 * Identity of a record for IXFR deletions: owner (any case), type, class
 * and canonical rdata (RFC 4034 §6.2), TTL left out (a deletion names the
 * record, not its TTL).
 */
export function recordKey(rr: ResourceRecord): string {
  const rdata = canonicalRdata(rr.type, rr.rdata);
  return `${rr.name.key}\u0000${rr.type}\u0000${rr.class}\u0000${Buffer.from(rdata.buffer, rdata.byteOffset, rdata.byteLength).toString('latin1')}`;
}

/** Records (or nodes) between two pauses (a power of two, less one). */
const STEP_MASK = 255;
/** Nodes looked at between two pauses of the scan for children. */
const SCAN_MASK = 4095;

/**
 * True when adding or removing `rr` changes the flags of names other than
 * its owner and its parent: NS below the apex makes a zone cut (RFC 1034
 * §4.2.1), a DNAME occludes what is below it (RFC 6672 §2.3).
 */
function movesCut(rr: ResourceRecord, zone: Zone): boolean {
  return rr.type === RRType.DNAME || (rr.type === RRType.NS && rr.name.labelCount !== zone.origin.labelCount);
}

function hashOf(node: ZoneNodeImpl): number {
  return hashWireName(node.chunk, node.start, node.end);
}

/** The node of `table` with the owner of `node` (any letter case). */
function find(table: NodeTable, node: ZoneNodeImpl): ZoneNodeImpl | undefined {
  return table.getWire(hashOf(node), node.chunk, node.start, node.end);
}

/** The parent's node in `table`, for a node below the apex. */
function parentIn(table: NodeTable, node: ZoneNodeImpl): ZoneNodeImpl | undefined {
  const ps = node.parentStart;
  return table.getWire(hashWireName(node.chunk, ps, node.end), node.chunk, ps, node.end);
}

function recordsOf(node: ZoneNodeImpl): number {
  let n = 0;
  for (const rrset of node.transientRRsets()) n += rrset.rdatas.length;
  return n;
}

/** Octets of a storage chunk for the changed names: enough for them in one, within 1 KiB and 256 KiB. */
function chunkSizeFor(octets: number): number {
  let size = 1024;
  while (size < octets && size < 1 << 18) size *= 2;
  return size;
}

/**
 * `zone` with `change` applied, as steps (it pauses every few hundred
 * records or tens of thousands of table entries); null when the change
 * moves a zone cut or a DNAME, or removes a record the zone does not hold.
 */
export function* updateZoneSteps(zone: Zone, change: ZoneChange): Steps<ZoneBuildResult | null> {
  for (const rr of change.removed) if (movesCut(rr, zone)) return null;
  for (const rr of change.added) if (movesCut(rr, zone)) return null;
  const old = zone.nameTables();
  const oldApex = zone.lookup(zone.origin);
  if (!(oldApex instanceof ZoneNodeImpl)) return null;

  // The old nodes whose records change (the apex always: its SOA does).
  const touched = new Set<ZoneNodeImpl>([oldApex]);
  let octets = change.soa.rdata.length;
  for (const rr of change.removed) {
    const node = zone.nodeOf(rr);
    if (!(node instanceof ZoneNodeImpl)) return null;
    touched.add(node);
  }
  for (const rr of change.added) {
    const node = zone.nodeOf(rr);
    if (node instanceof ZoneNodeImpl) touched.add(node);
    octets += rr.name.wire.length + rr.rdata.length;
  }
  const removedKeys = new Set<string>();
  for (const rr of change.removed) removedKeys.add(recordKey(rr));
  let oldRecords = 0;
  for (const node of touched) {
    const n = recordsOf(node);
    oldRecords += n;
    octets += (node.end - node.start + 32) * n;
  }

  // The changed names, built with the builder's checks: the old records that stay, then the new ones.
  const b = new ZoneBuilder(zone.origin, { zoneClass: zone.zoneClass, chunkSize: chunkSizeFor(octets) });
  b.add(change.soa);
  let steps = 0;
  for (const node of touched) {
    const apex = node === oldApex;
    for (const rrset of node.transientRRsets()) {
      if (apex && rrset.type === RRType.SOA) continue;
      const name = rrset.ownerIsNode === false ? rrset.name : node.transientName();
      const rdatas = rrset.rdatas;
      for (let i = 0; i < rdatas.length; i++) {
        if ((++steps & STEP_MASK) === 0) yield;
        const rr = { name, type: rrset.type, class: rrset.class, ttl: rdataTtl(rrset, i), rdata: rdatas[i]! };
        if (!removedKeys.has(recordKey(rr))) b.add(rr);
      }
    }
  }
  for (const rr of change.added) {
    if ((++steps & STEP_MASK) === 0) yield;
    b.add(rr);
  }
  const part = b.takeNodes();
  const errors: Diagnostic[] = [...part.errors];

  const nodes = yield* old.nodes.copySteps();
  const nsec3 = yield* old.nsec3.copySteps();

  // NSEC3 owners: no empty non-terminals, no flags but NSEC3.
  for (const o of touched) {
    if ((o.flags & NodeFlags.NSEC3) === 0) continue;
    const h = hashOf(o);
    const i = nsec3.indexOfWire(h, o.chunk, o.start, o.end);
    const fresh = part.nsec3Nodes.getWire(h, o.chunk, o.start, o.end);
    if (fresh !== undefined) {
      fresh.flags = NodeFlags.NSEC3;
      nsec3.replaceAt(i, fresh);
    } else {
      nsec3.removeAt(i, h);
    }
  }
  for (const fresh of part.nsec3Nodes.values()) {
    if (find(old.nsec3, fresh) !== undefined) continue;
    fresh.flags = NodeFlags.NSEC3;
    nsec3.insertHashed(hashOf(fresh), fresh);
  }

  // Ordinary names. `renewed`: new node objects whose flags are set below, parents first.
  const renewed = new Set<ZoneNodeImpl>();
  /** For each new node object, the old node of the same name (its WILDCARD_CHILD carries over). */
  const before = new Map<ZoneNodeImpl, ZoneNodeImpl>();
  /** Old nodes left without records. */
  const emptied: ZoneNodeImpl[] = [];
  for (const o of touched) {
    if ((o.flags & NodeFlags.NSEC3) !== 0) continue;
    const h = hashOf(o);
    const fresh = part.nodes.getWire(h, o.chunk, o.start, o.end);
    if (fresh === undefined) {
      emptied.push(o);
      continue;
    }
    nodes.replaceAt(nodes.indexOfWire(h, o.chunk, o.start, o.end), fresh);
    renewed.add(fresh);
    before.set(fresh, o);
  }
  /** Names that were not in the zone: new nodes, and the empty non-terminals above them. */
  const created: ZoneNodeImpl[] = [];
  for (const fresh of part.nodes.values()) if (find(old.nodes, fresh) === undefined) created.push(fresh);
  // Parents before children: a child's name is longer than its parent's.
  created.sort((x, y) => x.end - x.start - (y.end - y.start));
  for (const fresh of [...created]) {
    nodes.insertHashed(hashOf(fresh), fresh);
    renewed.add(fresh);
    // RFC 4592 §2.2.2: every name between the apex and an owner exists.
    for (let cur = fresh; parentIn(nodes, cur) === undefined; ) {
      const ps = cur.parentStart;
      const ent = new ZoneNodeImpl(cur.chunk, ps, cur.end, undefined, 0, -1);
      nodes.insertHashed(hashWireName(cur.chunk, ps, cur.end), ent);
      renewed.add(ent);
      created.push(ent);
      cur = ent;
    }
  }

  /** The WILDCARD_CHILD flag to set (true) or clear (false) on a node, by its current object. */
  const wildcardChild = new Map<ZoneNodeImpl, boolean>();
  for (const c of created) if (c.isWildcard) wildcardChild.set(parentIn(nodes, c)!, true);

  if (emptied.length > 0) {
    // An old node left without records stays as an empty non-terminal if names remain below it,
    // else it goes, and so does each empty non-terminal above it left without names below.
    const candidates = new Map<ZoneNodeImpl, { hash: number; children: number }>();
    for (const o of emptied) {
      candidates.set(o, { hash: hashOf(o), children: 0 });
      for (let p = parentIn(nodes, o); p !== undefined && p !== oldApex && p.size === 0 && !renewed.has(p); p = parentIn(nodes, p)) {
        if (candidates.has(p)) break;
        candidates.set(p, { hash: hashOf(p), children: 0 });
      }
    }
    const byHash = new Map<number, ZoneNodeImpl[]>();
    for (const [node, c] of candidates) {
      const list = byHash.get(c.hash);
      if (list === undefined) byHash.set(c.hash, [node]);
      else list.push(node);
    }
    // The children of the candidates, by a look at every name's parent (no index of children is kept).
    let n = 0;
    for (const node of nodes.values()) {
      if ((++n & SCAN_MASK) === 0) yield;
      const ps = node.parentStart;
      if (ps >= node.end) continue; // the root: never in a zone's table but as its apex
      const list = byHash.get(hashWireName(node.chunk, ps, node.end));
      if (list === undefined) continue;
      const parent = parentIn(nodes, node);
      if (parent !== undefined && list.includes(parent)) candidates.get(parent)!.children++;
    }
    const deepestFirst = [...candidates.keys()].sort((x, y) => y.end - y.start - (x.end - x.start));
    for (const x of deepestFirst) {
      const c = candidates.get(x)!;
      const h = c.hash;
      if (c.children > 0) {
        if (x.size > 0) {
          // Records gone, names below: an empty non-terminal now.
          const ent = new ZoneNodeImpl(x.chunk, x.start, x.end, undefined, 0, -1);
          nodes.replaceAt(nodes.indexOfWire(h, x.chunk, x.start, x.end), ent);
          renewed.add(ent);
          before.set(ent, x);
        }
        continue;
      }
      const parent = parentIn(nodes, x);
      nodes.removeAt(nodes.indexOfWire(h, x.chunk, x.start, x.end), h);
      if (parent === undefined) continue;
      const pc = candidates.get(parent);
      if (pc !== undefined) pc.children--;
      if (x.isWildcard) wildcardChild.set(parent, false);
    }
    // A parent replaced above is the one to flag.
    for (const [node, v] of [...wildcardChild]) {
      const now = find(nodes, node);
      if (now !== node) {
        wildcardChild.delete(node);
        if (now !== undefined) wildcardChild.set(now, v);
      }
    }
  }

  // Nodes shared with the old version whose WILDCARD_CHILD changes become copies.
  for (const [node, v] of wildcardChild) {
    if (renewed.has(node)) continue;
    const flags = v ? node.flags | NodeFlags.WILDCARD_CHILD : node.flags & ~NodeFlags.WILDCARD_CHILD;
    if (flags === node.flags) continue;
    nodes.replaceAt(nodes.indexOfWire(hashOf(node), node.chunk, node.start, node.end), node.withFlags(flags));
  }
  // Flags of the new node objects, parents first (their parents are set by then, or shared and right).
  const order = [...renewed].filter((x) => find(nodes, x) === x);
  order.sort((x, y) => x.end - x.start - (y.end - y.start));
  let newApex: ZoneNodeImpl | undefined;
  for (const x of order) {
    if ((++steps & STEP_MASK) === 0) yield;
    const prior = before.get(x);
    const wc = wildcardChild.get(x) ?? (prior !== undefined && (prior.flags & NodeFlags.WILDCARD_CHILD) !== 0);
    const isApex = prior === oldApex;
    let f = x.ownFlags(isApex) | (wc ? NodeFlags.WILDCARD_CHILD : 0);
    if (isApex) {
      f |= NodeFlags.APEX;
      newApex = x;
    } else {
      f |= inheritedFlags(parentIn(nodes, x)!.flags);
    }
    x.flags = f;
  }

  // The zone checks that can fail a zone (see ZoneBuilder.buildSteps): only the apex's change.
  const soa = newApex?.get(RRType.SOA);
  if (newApex === undefined || soa === undefined) return null;
  // RFC 1034 §4.2.1: the apex lists the zone's name servers.
  if (!newApex.has(RRType.NS)) {
    errors.push({ severity: 'error', code: ZoneCode.NO_NS, message: `zone ${nameForMessage(zone.origin)} has no NS records at its apex` });
  }
  apexNsCheck({
    origin: zone.origin,
    apex: newApex,
    nodes,
    nsec3Nodes: nsec3,
    rdataPosition: () => undefined,
    nodePosition: () => undefined,
    report: (severity, code, message, at) => {
      if (severity === 'error') errors.push(at === undefined ? { severity, code, message } : { severity, code, message, at });
    },
  });
  if (errors.length > 0) return { zone: null, errors, warnings: [] };
  const recordCount = zone.recordCount - oldRecords + part.recordCount;
  // An update that added many names may have started a table growth: a version is served settled (one table).
  yield* nodes.settleSteps();
  yield* nsec3.settleSteps();
  return { zone: new Zone({ origin: zone.origin, zoneClass: zone.zoneClass, soa, recordCount, nodes, nsec3Nodes: nsec3 }), errors: [], warnings: [] };
}
