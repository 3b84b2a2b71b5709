import { RRType, setSoaSerial, soaSerial, type Name, type ResourceRecord } from '../wire/index.js';
import { canonicalRecords } from './canonical-order.js';
import type { RRset } from './rrset.js';
import type { ZoneNode } from './zone-node.js';
import { NodeTable, pairNodes } from './node-table.js';
import type { NodeStore } from './node-store.js';
import { ZoneUsageError, ZoneUsageErrorCode } from './zone-usage-error.js';

/** True for records kept with the NSEC3 owners: NSEC3 (RFC 5155 §7.1) and the RRSIGs covering it. */
export function isNsec3Side(type: number, rdata: Uint8Array): boolean {
  return type === RRType.NSEC3 || (type === RRType.RRSIG && rdata.length >= 2 && ((rdata[0]! << 8) | rdata[1]!) === RRType.NSEC3);
}

/** What the builder hands over to a Zone. */
export interface ZoneParts {
  origin: Name;
  zoneClass: number;
  /** The apex SOA; or none, and `apex` and `serial` (a zone read from an image: its apex node is made when asked for, and not held). */
  soa?: RRset;
  /** Position of the apex node in `nodes` (with no `soa`). */
  apex?: number;
  serial?: number;
  recordCount: number;
  nodes: NodeStore;
  nsec3Nodes: NodeStore;
  /** A zone read from a zone image (issue 16 §3): its octets are shared with other threads and never written. */
  readOnly?: boolean;
}

/**
 * A loaded zone, immutable once built by ZoneBuilder. Ordinary names
 * (including empty non-terminals) are found with `lookup`; NSEC3 owners
 * live apart (RFC 5155 §7.1, as BIND keeps them) and are found with
 * `lookupNsec3`.
 */
export class Zone {
  readonly origin: Name;
  readonly zoneClass: number;
  #serial: number;
  readonly #soa: RRset | undefined;
  readonly #apex: number;
  /** Records held, after duplicates were merged. */
  readonly recordCount: number;
  readonly #nodes: NodeStore;
  readonly #nsec3: NodeStore;
  readonly #readOnly: boolean;

  /** Use ZoneBuilder; this is its hand-over. */
  constructor(parts: ZoneParts) {
    this.origin = parts.origin;
    this.zoneClass = parts.zoneClass;
    this.#soa = parts.soa;
    this.#apex = parts.apex ?? -1;
    this.recordCount = parts.recordCount;
    this.#nodes = parts.nodes;
    this.#nsec3 = parts.nsec3Nodes;
    this.#readOnly = parts.readOnly === true;
    this.#serial = parts.serial ?? soaSerial(this.soa.rdatas[0]!);
  }

  /** The apex SOA RRset. */
  get soa(): RRset {
    return this.#soa ?? this.#apexSoa();
  }

  #apexSoa(): RRset {
    const soa = this.#nodes.at(this.#apex)?.get(RRType.SOA);
    // The image writer checks that the apex has its SOA: none here is a bug of ours.
    if (soa === undefined) throw new TypeError(`zone ${this.origin.toText()} has no SOA at its apex node ${this.#apex}`);
    return soa;
  }

  /** The SOA serial (RFC 1035 §3.3.13). */
  get serial(): number {
    return this.#serial;
  }

  /**
   * Rewrites the SOA serial in place (a serial policy raising it). Only for
   * a zone nobody has seen yet: call it before the zone is served, journaled
   * or transferred, never after. Never on a zone read from an image (its
   * SOA lives in memory other threads read).
   */
  setSerialBeforeServing(serial: number): void {
    if (this.#readOnly) throw new ZoneUsageError(ZoneUsageErrorCode.IMAGE_READ_ONLY, `zone ${this.origin.toText()} was read from a zone image: its serial cannot be set`);
    setSoaSerial(this.soa.rdatas[0]!, serial);
    this.#serial = serial >>> 0;
  }

  /** The node of `name` (an owner or an empty non-terminal), NSEC3 owners excluded. */
  lookup(name: Name): ZoneNode | undefined {
    return this.#nodes.get(name.key);
  }

  /** Like `lookup`, by `Name.key` (handy when walking up a name's labels by slicing its key). */
  lookupKey(key: string): ZoneNode | undefined {
    return this.#nodes.get(key);
  }

  /**
   * The node whose owner is the uncompressed wire name `wire[start, end)`,
   * any letter case, without building a Name or key: `hash` is
   * `hashWireName(wire, start, end)` (the query path's lookup).
   */
  lookupWire(hash: number, wire: Uint8Array, start: number, end: number): ZoneNode | undefined {
    return this.#nodes.getWire(hash, wire, start, end);
  }

  /** The NSEC3 owner node of `name` (NSEC3 and the RRSIGs over it). */
  lookupNsec3(name: Name): ZoneNode | undefined {
    return this.#nsec3.get(name.key);
  }

  /**
   * The node that holds `rr`, or would: its owner's node, among the NSEC3
   * owners for NSEC3 records and the RRSIGs over them (RFC 5155 §7.1).
   */
  nodeOf(rr: { name: Name; type: number; rdata: Uint8Array }): ZoneNode | undefined {
    return isNsec3Side(rr.type, rr.rdata) ? this.lookupNsec3(rr.name) : this.lookup(rr.name);
  }

  /**
   * The name tables, for zone-update.ts (a new version sharing this one's
   * nodes): read them, never change them. Main thread only: a zone read
   * from an image has none (ZoneUsageError).
   */
  nameTables(): { nodes: NodeTable; nsec3: NodeTable } {
    const nodes = this.#nodes;
    const nsec3 = this.#nsec3;
    if (!(nodes instanceof NodeTable) || !(nsec3 instanceof NodeTable)) {
      throw new ZoneUsageError(ZoneUsageErrorCode.IMAGE_READ_ONLY, `zone ${this.origin.toText()} was read from a zone image: it has no name tables to update`);
    }
    return { nodes, nsec3 };
  }

  /** True for a zone read from a zone image (zoneFromImage): shared, never written. */
  get readOnly(): boolean {
    return this.#readOnly;
  }

  /** Number of ordinary nodes (empty non-terminals included, NSEC3 owners not). */
  get nodeCount(): number {
    return this.#nodes.size;
  }

  /** Every node, in no particular order: ordinary names, then NSEC3 owners. */
  *nodes(): IterableIterator<ZoneNode> {
    yield* this.#nodes.values();
    yield* this.#nsec3.values();
  }

  /**
   * Every node, as `nodes()` lists them, with the node of the same owner in
   * `other` (any letter case; ordinary names against ordinary names, NSEC3
   * owners against NSEC3 owners), or undefined when `other` has none. Much
   * faster than a lookup per node when `other` is another version of this
   * zone (see pairNodes).
   */
  *pairedNodes(other: Zone): IterableIterator<[ZoneNode, ZoneNode | undefined]> {
    yield* pairNodes(this.#nodes, other.#nodes);
    yield* pairNodes(this.#nsec3, other.#nsec3);
  }

  /** Every record in RFC 4034 §6.3 canonical order (a new array each call). */
  canonicalRecords(): ResourceRecord[] {
    return canonicalRecords([...this.#nodes.values(), ...this.#nsec3.values()]);
  }
}
