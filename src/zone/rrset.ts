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
}

/** The TTL of `rrset.rdatas[i]`. */
export function rdataTtl(rrset: RRset, i: number): number {
  return rrset.ttls === undefined ? rrset.ttl : rrset.ttls[i]!;
}

/** Where an RRset's owner name comes from: its node (same letter case) or a Name of its own. */
export interface OwnerSource {
  readonly name: Name;
}

/**
 * The RRset object. Most RRsets hold one record, so that record stays as
 * (chunk, start, end) in the zone's byte slab and `rdatas` makes its view
 * on demand; from the second record on, the views are kept in an array.
 */
export class RRsetImpl implements RRset {
  private readonly owner: OwnerSource | Name;
  readonly type: number;
  readonly class: number;
  ttl: number;
  ttls: number[] | undefined;
  private chunk: Uint8Array | undefined;
  private start: number;
  private end: number;
  private many: Uint8Array[] | undefined;

  constructor(owner: OwnerSource | Name, type: number, cls: number, ttl: number, chunk: Uint8Array, start: number, end: number) {
    this.owner = owner;
    this.type = type;
    this.class = cls;
    this.ttl = ttl;
    this.ttls = undefined;
    this.chunk = chunk;
    this.start = start;
    this.end = end;
    this.many = undefined;
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
    return this.many ?? [this.chunk!.subarray(this.start, this.end)];
  }

  /** Number of records. */
  get size(): number {
    return this.many === undefined ? 1 : this.many.length;
  }

  /** Record `i` without building the array. */
  rdataAt(i: number): Uint8Array {
    return this.many === undefined ? this.chunk!.subarray(this.start, this.end) : this.many[i]!;
  }

  /** Adds a record (builder only). */
  push(rdata: Uint8Array): void {
    if (this.many === undefined) {
      this.many = [this.chunk!.subarray(this.start, this.end)];
      this.chunk = undefined;
    }
    this.many.push(rdata);
  }
}
