import {
  Name, RRClass, RRType, bytesEqual, canonicalRdata, classToText, equalIgnoringCase, isMetaType, typeToText,
  type Diagnostic, type ResourceRecord, type SourcePosition,
} from '../wire/index.js';
import { ByteSlab } from './byte-slab.js';
import { integrityCheckSteps } from './integrity-checks.js';
import { nameForMessage } from './name-text.js';
import { BuildFlags, NodeFlags, PUBLIC_FLAGS, inheritedFlags } from './node-flags.js';
import { NodeTable, hashWireName } from './node-table.js';
import { isNsec3OwnerLabel } from './nsec3-owner.js';
import { PositionTable } from './position-table.js';
import { RRsetImpl, rdataTtl } from './rrset.js';
import { runStepsNow } from './run-steps.js';
import { CASE_KEPT_NAME_TYPES } from './semantic-identity.js';
import { Zone } from './zone.js';
import { ZoneCode } from './zone-codes.js';
import { ZoneNodeImpl, type ZoneNode } from './zone-node.js';
import { ZoneUsageError } from './zone-usage-error.js';

export interface ZoneBuilderOptions {
  /** The zone's class; records of another class are errors. Default IN. */
  zoneClass?: number;
  /**
   * Octets of each storage chunk (default 256 KiB). A builder for a few
   * records (the changed names of a zone update) takes small ones: every
   * chunk stays as long as one record in it is kept.
   */
  chunkSize?: number;
  /** Nodes the zone is expected to have (a reload: the version served), so its owner table is sized once (see NodeTable). */
  expectedNodes?: number;
}

export interface ZoneBuildResult {
  /** The zone, or null when there are errors. */
  zone: Zone | null;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/**
 * Types allowed beside a CNAME. RFC 2181 §10.1 and RFC 4035 §2.5 name
 * RRSIG and NSEC; BIND also allows the old SIG and KEY (RFC 2535 §2.3.5)
 * but not NXT. NSEC3 lives apart and never meets a CNAME.
 */
const CNAME_COMPANIONS: ReadonlySet<number> = new Set([RRType.RRSIG, RRType.NSEC, RRType.KEY, RRType.SIG]);

/** Types whose records keep a source position each, for the checks run after loading. */
const POSITIONED_TYPES: ReadonlySet<number> = new Set([RRType.NS, RRType.MX, RRType.SRV, RRType.SPF, ...CASE_KEPT_NAME_TYPES]);

/**
 * BIND stores an RRset in at most 65512 octets of rdata plus 2 per record
 * and refuses a zone with a bigger one ("ran out of space"); such an RRset
 * could not be sent whole in a 64 KB message anyway (RFC 1035 §4.2.2).
 */
const MAX_RRSET_OCTETS = 65512;

/** RRsets with at least this many records find duplicates through a hash set instead of a scan. */
const DEDUP_SET_THRESHOLD = 16;

/** The type an RRSIG covers (RFC 4034 §3.1). */
function coveredType(rdata: Uint8Array): number {
  return (rdata[0]! << 8) | rdata[1]!;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** True when a label other than the leftmost is `*` (BIND's dns_name_internalwildcard). */
function hasInternalWildcard(name: Name): boolean {
  const w = name.wire;
  for (let i = 1; i < name.labelCount; i++) {
    const off = name.offsets[i]!;
    if (w[off] === 1 && w[off + 1] === 0x2a) return true;
  }
  return false;
}

/** True when a label of the wire name w[0, length) is `*`. */
function hasStarLabel(w: Uint8Array, length: number): boolean {
  for (let p = 0; p < length && w[p] !== 0; p += w[p]! + 1) if (w[p] === 1 && w[p + 1] === 0x2a) return true;
  return false;
}

/**
 * Collects a zone's records and builds an immutable Zone once, with the
 * checks BIND 9.18's named-checkzone makes by default: the zone is valid
 * exactly when named-checkzone accepts it. Problems are Diagnostics (with
 * the position of the record at fault), never exceptions.
 *
 * Memory: nodes are grouped by owner in a NodeTable (a hash table over
 * typed arrays, no key strings); a node holds its RRsets inline; owner
 * names and rdata are copied into shared chunks (ByteSlab), and views,
 * Names and keys are only made when asked for. About 165 octets of heap
 * a record for a zone of one A or AAAA per name.
 */
export class ZoneBuilder {
  readonly origin: Name;
  readonly zoneClass: number;
  private readonly apexKey: string;
  private readonly nodes: NodeTable;
  private readonly nsec3Nodes = new NodeTable();
  private readonly positions = new PositionTable();
  /** Owner names and rdata are copied here (see ByteSlab). */
  private readonly slab: ByteSlab;
  /** Position-table index of each rdata, for POSITIONED_TYPES. */
  private readonly rdataPositions = new Map<RRsetImpl, number[]>();
  /** Octets of RRsets with two records or more, counted as BIND does (rdata + 2 each). */
  private readonly rrsetOctets = new Map<RRsetImpl, number>();
  /** Canonical rdata → index, for large RRsets. */
  private readonly dedupSets = new Map<RRsetImpl, Map<string, number>>();
  private readonly errors: Diagnostic[] = [];
  private readonly warnings: Diagnostic[] = [];
  private recordCount = 0;
  private built = false;
  /** The node of the last record added, found again without a lookup when the next record has the same Name object. */
  private lastName: Name | undefined;
  private lastNode: ZoneNodeImpl | undefined;
  private lastToNsec3 = false;

  constructor(origin: Name, options: ZoneBuilderOptions = {}) {
    this.slab = new ByteSlab(options.chunkSize);
    this.nodes = new NodeTable(options.expectedNodes ?? 0);
    this.origin = origin;
    this.zoneClass = options.zoneClass ?? RRClass.IN;
    this.apexKey = origin.key;
  }

  private report(severity: 'error' | 'warning', code: string, message: string, at: SourcePosition | undefined): void {
    const d: Diagnostic = at === undefined ? { severity, code, message } : { severity, code, message, at };
    (severity === 'error' ? this.errors : this.warnings).push(d);
  }

  /** Adds one record read at `at`. Records with problems are reported and, when BIND would drop them, left out. */
  add(rr: ResourceRecord, at?: SourcePosition): void {
    if (this.built) throw new ZoneUsageError('ZONE_BUILDER_USED', 'ZoneBuilder.add after build()');
    const { name, type } = rr;
    if (rr.class !== this.zoneClass) {
      this.report(
        'error',
        ZoneCode.CLASS_MISMATCH,
        `${nameForMessage(name)}/${typeToText(type)}: class '${classToText(rr.class)}' != zone class '${classToText(this.zoneClass)}'`,
        at,
      );
      return;
    }
    // RFC 1034 §4.2.1: a zone holds the names at and below its origin only.
    // (The last record's Name is known to be inside.)
    if (name !== this.lastName && !name.isSubdomainOf(this.origin)) {
      this.report('warning', ZoneCode.OUT_OF_ZONE, `ignoring out-of-zone data (${nameForMessage(name)})`, at);
      return;
    }
    if (type === 0 || isMetaType(type)) {
      // RFC 6895 §3.1: type 0, OPT and the QTYPE/meta range never appear as data.
      this.report('error', ZoneCode.META_TYPE, `${nameForMessage(name)}: type '${typeToText(type)}': invalid use of a meta type`, at);
      return;
    }
    const atApex = name.labelCount === this.origin.labelCount;
    if (!this.ownerAllowed(name, type, atApex, at)) return;
    const toNsec3 = type === RRType.NSEC3 || (type === RRType.RRSIG && coveredType(rr.rdata) === RRType.NSEC3);
    const map = toNsec3 ? this.nsec3Nodes : this.nodes;
    let node = name === this.lastName && toNsec3 === this.lastToNsec3 ? this.lastNode : undefined;
    let pos = -2; // position-table index, once stored
    let hash = 0;
    if (node === undefined) {
      hash = hashWireName(name.wire);
      node = map.getWire(hash, name.wire);
    }
    if (node === undefined) {
      pos = this.positions.add(at);
      const slab = this.slab;
      const n = name.wire.length;
      // A new node's first record is kept inline (see ZoneNodeImpl), its rdata right after the owner,
      // unless its type needs a position per record or it is too large for an RRset.
      const inline = !POSITIONED_TYPES.has(type) && rr.rdata.length + 2 <= MAX_RRSET_OCTETS && slab.putPair(name.wire, rr.rdata);
      if (!inline) slab.put(name.wire);
      node = new ZoneNodeImpl(slab.lastChunk, slab.lastStart, slab.lastStart + n, undefined, toNsec3 ? NodeFlags.NSEC3 : 0, pos);
      map.insertHashed(hash, node);
      if (!toNsec3 && hasInternalWildcard(name)) {
        this.report('warning', ZoneCode.NON_TERMINAL_WILDCARD, `ownername '${nameForMessage(name)}' contains a non-terminal wildcard`, at);
      }
      if (inline) {
        node.putInline(type, rr.class, rr.ttl, slab.lastStart + n + rr.rdata.length);
        this.recordCount++;
        this.lastName = name;
        this.lastNode = node;
        this.lastToNsec3 = toNsec3;
        return;
      }
    }
    this.lastName = name;
    this.lastNode = node;
    this.lastToNsec3 = toNsec3;
    const rrset = node.get(type);
    if (rrset === undefined) {
      if (!toNsec3 && this.cnameConflict(node, type, at)) return;
      if (rr.rdata.length + 2 > MAX_RRSET_OCTETS) {
        this.tooLarge(name, type, rr.rdata.length + 2, at);
        return;
      }
      const slab = this.slab;
      const same = node.sameOctets(name.wire);
      if (same && rr.rdata.length < 0x8000 && !POSITIONED_TYPES.has(type)) {
        // A second single-record RRset right after the node's inline one is kept inline too (see ZoneNodeImpl).
        const tail = node.inlineTail(rr.ttl);
        if (tail >= 0 && slab.putAt(node.chunk, tail, rr.rdata)) {
          node.putInline2(type, rr.rdata.length);
          this.recordCount++;
          return;
        }
      }
      const owner = same ? node : Name.trusted(slab.copy(name.wire));
      slab.put(rr.rdata);
      const fresh = new RRsetImpl(owner, type, rr.class, rr.ttl, slab.lastChunk, slab.lastStart, slab.lastStart + rr.rdata.length);
      node.put(fresh);
      this.recordCount++;
      if (POSITIONED_TYPES.has(type)) this.rdataPositions.set(fresh, [pos === -2 ? this.positions.add(at) : pos]);
      return;
    }
    const dup = this.findDuplicate(rrset, rr.rdata);
    if (dup >= 0) {
      // Merged silently (RFC 2181 §5), unless its TTL differs.
      const prior = rdataTtl(rrset, dup);
      if (rr.ttl !== prior) this.ttlWarning(rrset, rr.ttl, prior, at);
      return;
    }
    if (type === RRType.SOA || type === RRType.CNAME || type === RRType.DNAME) {
      // RFC 1035 §5.2 (one SOA), RFC 1034 §3.6.2 (one CNAME), RFC 6672 §2.4 (one DNAME).
      const code = type === RRType.SOA ? ZoneCode.MULTIPLE_SOA : type === RRType.CNAME ? ZoneCode.MULTIPLE_CNAME : ZoneCode.MULTIPLE_DNAME;
      this.report('error', code, `${nameForMessage(name)}: multiple RRs of singleton type ${typeToText(type)}`, at);
      return;
    }
    this.appendRdata(rrset, rr, at, pos);
  }

  /**
   * `add` of an A or AAAA record given in wire form (the parser's fast path,
   * see AddressSink): owner[0, ownerLength), `rdata` whole, read at
   * file:line:col. The common cases (a new name; a second record type at
   * the name of the record before) are stored without objects other than
   * the node; anything else is handed to `add` as a record, so the result
   * is always that of `add`.
   */
  addAddress(owner: Uint8Array, ownerLength: number, type: number, cls: number, ttl: number, rdata: Uint8Array, file: string, line: number, col: number): void {
    if (this.built) throw new ZoneUsageError('ZONE_BUILDER_USED', 'ZoneBuilder.add after build()');
    let node = this.lastToNsec3 ? undefined : this.lastNode;
    let fast = (type === RRType.A || type === RRType.AAAA) && cls === this.zoneClass;
    if (fast && (node === undefined || !node.sameOctets(owner, ownerLength))) {
      // Not the last record's name: it must be inside the zone (RFC 1034 §4.2.1), and without a `*` label
      // (a wildcard, or BIND's warning of a non-terminal one): those go the general way.
      node = undefined;
      fast = this.inZone(owner, ownerLength) && !hasStarLabel(owner, ownerLength);
      if (fast) {
        const hash = hashWireName(owner, 0, ownerLength);
        node = this.nodes.getWire(hash, owner, 0, ownerLength);
        if (node === undefined) {
          // A new node, its record inline (as in `add`).
          const slab = this.slab;
          if (slab.putPair(owner, rdata, ownerLength)) {
            const start = slab.lastStart;
            node = new ZoneNodeImpl(slab.lastChunk, start, start + ownerLength, undefined, 0, this.positions.addAt(file, line, col));
            this.nodes.insertHashed(hash, node);
            node.putInline(type, cls, ttl, start + ownerLength + rdata.length);
            this.recordCount++;
            this.lastName = undefined;
            this.lastNode = node;
            this.lastToNsec3 = false;
            return;
          }
          fast = false;
        } else if (!node.sameOctets(owner, ownerLength)) {
          fast = false; // the name in other letter case: `add` keeps it apart
        }
      }
    }
    if (fast && node !== undefined && !node.has(type) && !node.has(RRType.CNAME)) {
      // A second RRset at a node whose inline one is the last thing stored (as in `add`).
      const tail = node.inlineTail(ttl);
      if (tail >= 0 && this.slab.putAt(node.chunk, tail, rdata)) {
        node.putInline2(type, rdata.length);
        this.recordCount++;
        this.lastName = undefined;
        this.lastNode = node;
        this.lastToNsec3 = false;
        return;
      }
    }
    this.add({ name: Name.trusted(owner.slice(0, ownerLength)), type, class: cls, ttl, rdata: rdata.slice() }, { file, line, col });
  }

  /** True when the wire name owner[0, length) is the origin or below it (RFC 1034 §4.2.1). */
  private inZone(owner: Uint8Array, length: number): boolean {
    const o = this.origin.wire;
    const suffix = length - o.length;
    if (suffix < 0) return false;
    let p = 0;
    while (p < suffix) p += owner[p]! + 1;
    return p === suffix && equalIgnoringCase(owner, p, o, 0, o.length);
  }

  /**
   * Adds every record of `node`, a node of a zone built by a ZoneBuilder, in
   * one step, when it holds only records kept inline (see ZoneNodeImpl: one
   * or two single-record RRsets, what most names of a large zone have) of
   * this zone's class, strictly below the origin, and its owner is not in
   * this builder yet. Owner and records are copied as they are, without the
   * per-record checks of `add`: such a node passed them when its zone was
   * built, and they look at nothing outside the node (the owner rules that
   * depend on the apex do not apply below it). Returns false, adding
   * nothing, when the node is not such a node: add its records one by one.
   * The zone-wide checks of `build` see copied records as any other.
   */
  addCopyOf(node: ZoneNode): boolean {
    if (this.built) throw new ZoneUsageError('ZONE_BUILDER_USED', 'ZoneBuilder.addCopyOf after build()');
    if (!(node instanceof ZoneNodeImpl) || node.inlineClass !== this.zoneClass) return false;
    const chunk = node.chunk;
    const start = node.start;
    const end = node.end;
    if (!this.strictlyBelowOrigin(chunk, start, end)) return false;
    const toNsec3 = (node.flags & NodeFlags.NSEC3) !== 0;
    const map = toNsec3 ? this.nsec3Nodes : this.nodes;
    const hash = hashWireName(chunk, start, end);
    if (map.getWire(hash, chunk, start, end) !== undefined) return false;
    const copy = node.copyInline(this.slab, toNsec3 ? NodeFlags.NSEC3 : 0);
    if (copy === undefined) return false;
    map.insertHashed(hash, copy);
    this.recordCount += copy.size;
    // The last-record shortcut of `add` must not point at a node by a Name it no longer matches.
    this.lastName = undefined;
    this.lastNode = undefined;
    if (!toNsec3 && copy.hasInternalWildcard()) {
      this.report('warning', ZoneCode.NON_TERMINAL_WILDCARD, `ownername '${nameForMessage(copy.name)}' contains a non-terminal wildcard`, undefined);
    }
    return true;
  }

  /** True when the wire name `wire[start, end)` is below the origin, and not the origin itself (RFC 1034 §4.2.1). */
  private strictlyBelowOrigin(wire: Uint8Array, start: number, end: number): boolean {
    const o = this.origin.wire;
    const suffix = end - o.length;
    let p = start;
    // The origin must start at a label boundary.
    while (p < suffix) p += wire[p]! + 1;
    if (p !== suffix || p === start) return false;
    return equalIgnoringCase(wire, p, o, 0, o.length);
  }

  private tooLarge(name: Name, type: number, octets: number, at: SourcePosition | undefined): void {
    this.report(
      'error',
      ZoneCode.RRSET_TOO_LARGE,
      `${nameForMessage(name)}/${typeToText(type)}: ran out of space: the RRset would hold ${octets} octets, more than ${MAX_RRSET_OCTETS}`,
      at,
    );
  }

  /** Owner rules checked before a record is stored; false when the record is refused. */
  private ownerAllowed(name: Name, type: number, atApex: boolean, at: SourcePosition | undefined): boolean {
    if (type === RRType.SOA && !atApex) {
      // RFC 1035 §5.2: the SOA is at the top of the zone.
      this.report('error', ZoneCode.SOA_NOT_AT_APEX, `SOA record not at top of zone (${nameForMessage(name)})`, at);
      return false;
    }
    if (type === RRType.DS && atApex) {
      // RFC 4035 §2.4: DS lives at the parent side of a delegation, never at a zone's own apex.
      this.report('error', ZoneCode.DS_AT_APEX, `DS record at top of zone (${nameForMessage(name)}): it belongs in the parent zone`, at);
      return false;
    }
    if (type === RRType.NS && name.isWildcard) {
      // RFC 4592 §4.2: a wildcard NS cannot delegate; BIND refuses it.
      this.report('error', ZoneCode.WILDCARD_NS, `${nameForMessage(name)}: invalid NS owner name (wildcard)`, at);
      return false;
    }
    if (type === RRType.NSEC3 && !isNsec3OwnerLabel(name)) {
      // RFC 5155 §3: the owner's first label is a base32hex hash.
      this.report(
        'error',
        ZoneCode.NSEC3_BAD_OWNER,
        `${nameForMessage(name)}: bad owner name (check-names): an NSEC3 owner must start with a base32hex hash label`,
        at,
      );
      return false;
    }
    return true;
  }

  /**
   * RFC 1034 §3.6.2 / RFC 2181 §10.1: a CNAME leaves no room for other data
   * (RRSIG, NSEC, KEY, SIG aside); RFC 6672 §2.4: nor beside a DNAME.
   * Reports once per name; true when the record must be left out.
   */
  private cnameConflict(node: ZoneNodeImpl, type: number, at: SourcePosition | undefined): boolean {
    if (CNAME_COMPANIONS.has(type)) return false;
    let other = -1;
    if (type === RRType.CNAME) {
      for (const r of node.list()) {
        if (!CNAME_COMPANIONS.has(r.type)) {
          other = r.type;
          if (other === RRType.DNAME) break;
        }
      }
    } else if (node.has(RRType.CNAME)) {
      other = type;
    }
    if (other < 0) return false;
    if ((node.flags & BuildFlags.CNAME_CONFLICT_REPORTED) === 0) {
      node.flags |= BuildFlags.CNAME_CONFLICT_REPORTED;
      const where = nameForMessage(node.name);
      if (other === RRType.DNAME) {
        this.report('error', ZoneCode.CNAME_AND_DNAME, `CNAME and other data at ${where}: a CNAME and a DNAME cannot share a name`, at);
      } else {
        this.report('error', ZoneCode.CNAME_AND_OTHER_DATA, `CNAME and other data at ${where} (${typeToText(other)})`, at);
      }
    }
    return true;
  }

  /** Index of a record in `rrset` equal to `rdata` in canonical form (RFC 4034 §6.2), or -1. */
  private findDuplicate(rrset: RRsetImpl, rdata: Uint8Array): number {
    const type = rrset.type;
    const canon = canonicalRdata(type, rdata);
    const n = rrset.size;
    if (n >= DEDUP_SET_THRESHOLD) {
      let set = this.dedupSets.get(rrset);
      if (set === undefined) {
        set = new Map();
        for (let i = 0; i < n; i++) set.set(latin1(canonicalRdata(type, rrset.rdataAt(i))), i);
        this.dedupSets.set(rrset, set);
      }
      return set.get(latin1(canon)) ?? -1;
    }
    for (let i = 0; i < n; i++) {
      const r = rrset.rdataAt(i);
      if (r.length !== canon.length) continue;
      if (bytesEqual(r, rdata)) return i;
      if (canon !== rdata && bytesEqual(canonicalRdata(type, r), canon)) return i;
    }
    return -1;
  }

  private ttlWarning(rrset: RRsetImpl, ttl: number, prior: number, at: SourcePosition | undefined): void {
    this.report(
      'warning',
      ZoneCode.TTL_MISMATCH,
      `${nameForMessage(rrset.name)}/${typeToText(rrset.type)}: TTL ${ttl} differs from the RRset's; TTL set to prior TTL (${prior})`,
      at,
    );
  }

  /** Adds a new rdata to an RRset, applying RFC 2181 §5.2 (one TTL per RRset, the first one read). */
  private appendRdata(rrset: RRsetImpl, rr: ResourceRecord, at: SourcePosition | undefined, pos: number): void {
    const octets = (this.rrsetOctets.get(rrset) ?? rrset.rdataAt(0).length + 2) + rr.rdata.length + 2;
    if (octets > MAX_RRSET_OCTETS) {
      this.tooLarge(rrset.name, rrset.type, octets, at);
      return;
    }
    this.rrsetOctets.set(rrset, octets);
    let ttl = rr.ttl;
    if (rrset.type === RRType.RRSIG) {
      // RFC 4034 §3: a signature's TTL is that of the RRset it covers, so TTLs agree per covered type only.
      const covered = coveredType(rr.rdata);
      const n = rrset.size;
      let i = 0;
      while (i < n && coveredType(rrset.rdataAt(i)) !== covered) i++;
      if (i < n && rdataTtl(rrset, i) !== ttl) {
        this.ttlWarning(rrset, ttl, rdataTtl(rrset, i), at);
        ttl = rdataTtl(rrset, i);
      }
      if (rrset.ttls === undefined && ttl !== rrset.ttl) rrset.ttls = new Array<number>(n).fill(rrset.ttl);
      rrset.ttls?.push(ttl);
    } else if (ttl !== rrset.ttl) {
      this.ttlWarning(rrset, ttl, rrset.ttl, at);
    }
    rrset.push(this.slab.copy(rr.rdata));
    this.recordCount++;
    this.dedupSets.get(rrset)?.set(latin1(canonicalRdata(rrset.type, rr.rdata)), rrset.size - 1);
    this.rdataPositions.get(rrset)?.push(pos === -2 ? this.positions.add(at) : pos);
  }

  /**
   * Hands over the nodes built so far, as they are (no flags, no empty
   * non-terminals, no zone checks), with the errors of the records added
   * and the count of records held: the changed names of a zone update (see
   * zone-update.ts), which makes the rest itself. Ends the builder, as
   * `build` does.
   */
  takeNodes(): { nodes: NodeTable; nsec3Nodes: NodeTable; errors: Diagnostic[]; recordCount: number } {
    if (this.built) throw new ZoneUsageError('ZONE_BUILDER_USED', 'ZoneBuilder.takeNodes after build()');
    this.built = true;
    return { nodes: this.nodes, nsec3Nodes: this.nsec3Nodes, errors: this.errors, recordCount: this.recordCount };
  }

  /** Finishes the zone: zone-wide checks, empty non-terminals, node flags, post-load checks. Once only. */
  build(): ZoneBuildResult {
    return runStepsNow(this.buildSteps());
  }

  /**
   * `build` as steps: it pauses (yields) every 1024 nodes or so, so a caller
   * can spread the work of a large zone over several turns of the event loop.
   * The builder must not be used by anything else until the steps are done.
   */
  *buildSteps(): Generator<void, ZoneBuildResult, void> {
    if (this.built) throw new ZoneUsageError('ZONE_BUILDER_USED', 'ZoneBuilder.build called twice');
    this.built = true;
    this.dedupSets.clear();
    this.rrsetOctets.clear();
    // A table that grew while the records were added finishes moving its entries, in steps: a zone is served settled.
    yield* this.nodes.settleSteps();
    yield* this.nsec3Nodes.settleSteps();
    let apex = this.nodes.get(this.apexKey);
    if (apex === undefined) {
      apex = new ZoneNodeImpl(this.origin.wire, 0, this.origin.wire.length, this.apexKey, 0, -1);
      this.nodes.set(this.apexKey, apex);
    }
    const zoneName = nameForMessage(this.origin);
    const soa = apex.get(RRType.SOA);
    // RFC 1035 §5.2: exactly one SOA, at the top of the zone.
    if (soa === undefined) this.report('error', ZoneCode.NO_SOA, `zone ${zoneName} has 0 SOA records: it needs one at its apex`, undefined);
    // RFC 1034 §4.2.1: the apex lists the zone's name servers.
    if (!apex.has(RRType.NS)) this.report('error', ZoneCode.NO_NS, `zone ${zoneName} has no NS records at its apex`, undefined);
    yield* this.computeFlags(apex);
    yield* integrityCheckSteps({
      origin: this.origin,
      apex,
      nodes: this.nodes,
      nsec3Nodes: this.nsec3Nodes,
      rdataPosition: (rrset, i) => this.positions.get(this.rdataPositions.get(rrset)?.[i] ?? -1),
      nodePosition: (node) => this.positions.get(node.first),
      report: (severity, code, message, at) => this.report(severity, code, message, at),
    });
    this.rdataPositions.clear();
    this.positions.clear();
    const errors = this.errors;
    const warnings = this.warnings;
    if (errors.length > 0 || soa === undefined) return { zone: null, errors, warnings };
    const nodes = this.nodes;
    for (let n = 0; n < nodes.size; n++) {
      if (((n + 1) & 4095) === 0) yield;
      nodes.at(n)!.flags &= PUBLIC_FLAGS;
    }
    const zone = new Zone({
      origin: this.origin,
      zoneClass: this.zoneClass,
      soa,
      recordCount: this.recordCount,
      nodes: this.nodes,
      nsec3Nodes: this.nsec3Nodes,
    });
    return { zone, errors, warnings };
  }

  /**
   * Creates the empty non-terminals (RFC 4592 §2.2.2: every name between the
   * apex and an owner exists) and computes every node's flags, parents
   * before children, walking each chain of ancestors once.
   */
  private *computeFlags(apex: ZoneNodeImpl): Generator<void, void, void> {
    const nodes = this.nodes;
    apex.flags |= NodeFlags.APEX | apex.ownFlags(true) | BuildFlags.DONE;
    const chain: ZoneNodeImpl[] = [];
    const originLength = this.origin.wire.length;
    // By index (nodes.size grows as empty non-terminals are added: they are seen too, as values() would).
    for (let n = 0; n < nodes.size; n++) {
      if (((n + 1) & 1023) === 0) yield;
      const node = nodes.at(n)!;
      if ((node.flags & BuildFlags.DONE) !== 0) continue;
      let cur = node;
      while ((cur.flags & BuildFlags.DONE) === 0) {
        chain.push(cur);
        const ps = cur.parentStart;
        // Every name is at or below the apex, so a parent as long as the origin is the apex.
        if (cur.end - ps === originLength) {
          cur = apex;
          continue;
        }
        const hash = hashWireName(cur.chunk, ps, cur.end);
        let parent = nodes.getWire(hash, cur.chunk, ps, cur.end);
        if (parent === undefined) {
          parent = new ZoneNodeImpl(cur.chunk, ps, cur.end, undefined, 0, -1);
          nodes.insertHashed(hash, parent);
        }
        cur = parent;
      }
      while (chain.length > 0) {
        const child = chain.pop()!;
        const f = child.flags | child.ownFlags(false) | inheritedFlags(cur.flags) | BuildFlags.DONE;
        child.flags = f;
        if ((f & NodeFlags.WILDCARD) !== 0) cur.flags |= NodeFlags.WILDCARD_CHILD;
        cur = child;
      }
    }
  }
}
