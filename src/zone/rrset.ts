import { Name } from '../wire/index.js';

/**
 * An RRset (RFC 2181 §5): the records of one owner, class and type. `rdatas`
 * hold uncompressed wire rdata, case preserved, in the order first read,
 * without duplicates (RFC 2181 §5: an RRset is a set).
 *
 * All records share `ttl` (RFC 2181 §5.2). RRSIG is the exception (RFC 4034
 * §3: each signature takes the TTL of the RRset it covers): when the
 * signatures at a name have different TTLs, `ttls` gives one per rdata.
 */
export interface RRset {
  /** Owner, with the letter case of the RRset's first record. */
  readonly name: Name;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  /** The rdata (views into the zone's storage: do not write to them). */
  readonly rdatas: readonly Uint8Array[];
  /** RRSIG only, and only when its signatures' TTLs differ: the TTL of each rdata. */
  readonly ttls?: readonly number[] | undefined;
  /** True when the owner is spelled as the node is (then the node's name may stand for it). */
  readonly ownerIsNode?: boolean;
}

/** The TTL of `rrset.rdatas[i]`. */
export function rdataTtl(rrset: RRset, i: number): number {
  return rrset.ttls === undefined ? rrset.ttl : rrset.ttls[i]!;
}

/** Where an RRset's owner name comes from: its node (same letter case) or a Name of its own. */
export interface OwnerSource {
  readonly name: Name;
}

/** The records of an RRset from its second record on, with RRSIG's TTL per record when they differ. */
interface ManyRecords {
  views: Uint8Array[];
  ttls: number[] | undefined;
}

/**
 * The RRset object. Most RRsets hold one record, so that record stays as
 * (chunk, start, end) in the zone's byte slab and `rdatas` makes its view
 * on demand; from the second record on, the views are kept in an array.
 * The RRsets of a node form a list through `next`. Fields are few on
 * purpose: a zone has millions of these.
 */
export class RRsetImpl implements RRset {
  private readonly owner: OwnerSource | Name;
  /** Type in the low 16 bits, class above. */
  private readonly typeClass: number;
  ttl: number;
  /** The slab chunk holding the one record at [start, end), or the records once there are several. */
  private data: Uint8Array | ManyRecords;
  private start: number;
  private end: number;
  /** The node's next RRset (see ZoneNodeImpl). */
  next: RRsetImpl | undefined;

  constructor(owner: OwnerSource | Name, type: number, cls: number, ttl: number, chunk: Uint8Array, start: number, end: number) {
    this.owner = owner;
    this.typeClass = type + cls * 0x10000;
    this.ttl = ttl;
    this.data = chunk;
    this.start = start;
    this.end = end;
    this.next = undefined;
  }

  get type(): number {
    return this.typeClass & 0xffff;
  }

  get class(): number {
    return (this.typeClass - (this.typeClass & 0xffff)) / 0x10000;
  }

  get ttls(): number[] | undefined {
    const d = this.data;
    return d instanceof Uint8Array ? undefined : d.ttls;
  }

  set ttls(ttls: number[] | undefined) {
    this.many().ttls = ttls;
  }

  get name(): Name {
    const o = this.owner;
    return o instanceof Name ? o : o.name;
  }

  /** True when the owner is the node's name (same letter case). */
  get ownerIsNode(): boolean {
    return !(this.owner instanceof Name);
  }

  get rdatas(): readonly Uint8Array[] {
    const d = this.data;
    return d instanceof Uint8Array ? [d.subarray(this.start, this.end)] : d.views;
  }

  /** Number of records. */
  get size(): number {
    const d = this.data;
    return d instanceof Uint8Array ? 1 : d.views.length;
  }

  /** Record `i` without building the array. */
  rdataAt(i: number): Uint8Array {
    const d = this.data;
    return d instanceof Uint8Array ? d.subarray(this.start, this.end) : d.views[i]!;
  }

  /** Adds a record (builder only). */
  push(rdata: Uint8Array): void {
    this.many().views.push(rdata);
  }

  private many(): ManyRecords {
    const d = this.data;
    if (!(d instanceof Uint8Array)) return d;
    const m: ManyRecords = { views: [d.subarray(this.start, this.end)], ttls: undefined };
    this.data = m;
    return m;
  }
}
