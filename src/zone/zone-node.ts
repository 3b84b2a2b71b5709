import { Name, RRType, lowerByte } from '../wire/index.js';
import { NodeFlags } from './node-flags.js';
import type { ByteSlab } from './byte-slab.js';
import { RRsetImpl, type RRset } from './rrset.js';

/** One owner name of a zone: its RRsets by type and its NodeFlags. */
export interface ZoneNode {
  readonly name: Name;
  /** `name.key`: the lowercased wire name as a latin1 string (Zone.lookupKey takes it). */
  readonly key: string;
  /** RRsets by type number. Empty for an empty non-terminal. */
  readonly rrsets: ReadonlyMap<number, RRset>;
  /** NodeFlags bits. */
  readonly flags: number;
  /**
   * Every RRset, for a walk over the whole zone (a transfer, a diff): like
   * `rrsets.values()`, but an RRset the node keeps inline is handed out as
   * a passing object and not kept, so one walk does not grow the zone.
   */
  transientRRsets(): RRset[];
  /** The owner as a Name, without keeping it on the node (for a walk over the whole zone). */
  transientName(): Name;
  /** The owner's octets, as the zone spells them, are chunk[start, start + its length): read in place, never copied. */
  readonly chunk: Uint8Array;
  readonly start: number;
  /**
   * Where, in the name buf[start, end) (the owner's, letter case aside),
   * the longest suffix spelled exactly as the owner is spelled begins,
   * relative to `start`: 0 when every octet is the same, the name's length
   * less one when only the root is. Allocates nothing.
   */
  spelledFrom(buf: Uint8Array, start: number, end: number): number;
}

/**
 * The node object. To keep a million-name zone small, the owner stays as
 * (chunk, start, end) in the zone's byte slab until `name` is first asked
 * for, and the node holds its RRsets itself (a list linked through the RRsets) instead
 * of in a Map per name: it is its own `rrsets` view, a read-only map by type.
 *
 * Most nodes of a large zone own one RRset of one record, so the builder
 * may keep a node's first RRset inline instead of as an RRsetImpl: its
 * type and class, TTL, and its record at chunk[end, inlineEnd) (stored
 * right after the owner). The RRsetImpl is made, once, when the RRset is
 * first asked for (`get` of its type, `list`, iteration); `size` and `has`
 * do not need it. A second single-record RRset of the same class and TTL
 * whose record directly follows the first one's in the chunk may be kept
 * inline too (an A and an AAAA at a name): then both are made together.
 */
export class ZoneNodeImpl implements ZoneNode, ReadonlyMap<number, RRset> {
  /** The owner's wire name is chunk[start, end). */
  readonly chunk: Uint8Array;
  /** start * 256 + length (a name is at most 255 octets, a slab chunk 2^18): one field less per node. */
  private readonly span: number;
  flags: number;
  /** Builder bookkeeping: position-table index of the node's first record (-1 when unknown). */
  first: number;
  /** `name` or else `key`, once asked for (a million-name zone need not hold a million of either). */
  private cached: Name | string | undefined;
  /** The first RRset object; the others follow through `next`. */
  private items: RRsetImpl | undefined;
  /** The inline RRset's type + class * 0x10000, or 0 when there is none (type 0 is never stored). */
  private inlineTypeClass: number;
  private inlineTtl: number;
  /** The inline record is chunk[end, inlineEnd). */
  private inlineEnd: number;
  /**
   * The second inline RRset: its type + rdata length * 0x10000 (the length is below 0x8000), or 0
   * when there is none; its record is chunk[inlineEnd, inlineEnd + length), its class and TTL the first's.
   */
  private inline2: number;

  constructor(chunk: Uint8Array, start: number, end: number, key: string | undefined, flags: number, first: number) {
    this.chunk = chunk;
    this.span = start * 256 + (end - start);
    this.cached = key;
    this.flags = flags;
    this.first = first;
    this.items = undefined;
    this.inlineTypeClass = 0;
    this.inlineTtl = 0;
    this.inlineEnd = 0;
    this.inline2 = 0;
  }

  /**
   * Makes the node's first RRset an inline one of one record, whose rdata
   * is chunk[end, rdataEnd) (builder only, on a node without RRsets; the
   * owner is the node's name).
   */
  putInline(type: number, cls: number, ttl: number, rdataEnd: number): void {
    this.inlineTypeClass = type + cls * 0x10000;
    this.inlineTtl = ttl;
    this.inlineEnd = rdataEnd;
  }

  /** The node's inline RRset and TTL, when the builder may add a second inline RRset after chunk[.., returned offset); else -1. */
  inlineTail(ttl: number): number {
    return this.inlineTypeClass !== 0 && this.inline2 === 0 && this.items === undefined && this.inlineTtl === ttl ? this.inlineEnd : -1;
  }

  /** Makes a second inline RRset (builder only, after `inlineTail`), of one record of `length` < 0x8000 octets. */
  putInline2(type: number, length: number): void {
    this.inline2 = type + length * 0x10000;
  }

  /**
   * True when both nodes hold only inline RRsets (see above) and the same
   * ones: types, class, TTL and rdata octets. Owners are not compared. A
   * quick test, without making any object, for a diff of two versions of a
   * zone where most nodes did not change; false says nothing.
   */
  sameInlineRecords(other: ZoneNodeImpl): boolean {
    if (this.items !== undefined || other.items !== undefined) return false;
    if (this.inlineTypeClass !== other.inlineTypeClass || this.inlineTtl !== other.inlineTtl || this.inline2 !== other.inline2) return false;
    if (this.inlineTypeClass === 0) return true; // no records at all (an empty non-terminal)
    const a = this.chunk;
    const b = other.chunk;
    const aStart = this.end;
    const bStart = other.end;
    const n = this.inlineEnd - aStart + (this.inline2 >>> 16);
    if (other.inlineEnd - bStart + (other.inline2 >>> 16) !== n) return false;
    for (let i = 0; i < n; i++) if (a[aStart + i] !== b[bStart + i]) return false;
    return true;
  }

  /**
   * A copy of this node in `slab` (owner and records, laid out the same,
   * with NodeFlags `flags` and no source position) when it holds only
   * inline RRsets and at least one; else undefined, and nothing is stored.
   * For a builder taking over an unchanged node of another zone.
   */
  copyInline(slab: ByteSlab, flags: number): ZoneNodeImpl | undefined {
    if (this.items !== undefined || this.inlineTypeClass === 0) return undefined;
    const start = this.start;
    // Owner, first record, second record: one run of octets (see putInline, putInline2).
    if (!slab.putRange(this.chunk, start, this.inlineEnd + (this.inline2 >>> 16))) return undefined;
    const at = slab.lastStart;
    const copy = new ZoneNodeImpl(slab.lastChunk, at, at + (this.end - start), undefined, flags, -1);
    copy.inlineTypeClass = this.inlineTypeClass;
    copy.inlineTtl = this.inlineTtl;
    copy.inlineEnd = at + (this.inlineEnd - start);
    copy.inline2 = this.inline2;
    return copy;
  }

  /**
   * For a zone image (issue 16 §3), without making any object: a node with
   * no RRset objects (only inline RRsets, or none) writes its inline fields
   * at out[at .. at + 4): type + class * 0x10000 (as int32 bits), TTL (as
   * int32 bits), the first record's length and putInline2's value (0 when
   * absent; out is left as it is, zeros, for a node without RRsets), and
   * returns where its run of octets (owner, first record, second record)
   * ends in `chunk`. -1, with nothing written, for a node with RRset objects.
   */
  inlineImage(out: Int32Array, at: number): number {
    if (this.items !== undefined) return -1;
    const end = this.end;
    if (this.inlineTypeClass === 0) return end;
    out[at] = this.inlineTypeClass | 0;
    out[at + 1] = this.inlineTtl | 0;
    out[at + 2] = this.inlineEnd - end;
    out[at + 3] = this.inline2;
    return this.inlineEnd + (this.inline2 >>> 16);
  }

  /** The class of the node's inline RRsets, or -1 when it has none. */
  get inlineClass(): number {
    const tc = this.inlineTypeClass;
    return tc === 0 ? -1 : (tc - (tc & 0xffff)) / 0x10000;
  }

  /** Turns the inline RRsets, if any, into the first RRset objects. */
  private materialize(): void {
    const tc = this.inlineTypeClass;
    if (tc === 0) return;
    const type = tc & 0xffff;
    const cls = (tc - type) / 0x10000;
    const r = new RRsetImpl(this, type, cls, this.inlineTtl, this.chunk, this.end, this.inlineEnd);
    const t2 = this.inline2;
    if (t2 !== 0) {
      const end = this.inlineEnd;
      const r2 = new RRsetImpl(this, t2 & 0xffff, cls, this.inlineTtl, this.chunk, end, end + (t2 >>> 16));
      r2.next = this.items;
      r.next = r2;
      this.inline2 = 0;
    } else {
      r.next = this.items;
    }
    this.items = r;
    this.inlineTypeClass = 0;
  }

  get start(): number {
    return this.span >> 8;
  }

  spelledFrom(buf: Uint8Array, start: number, end: number): number {
    const c = this.chunk;
    const off = (this.span >> 8) - start;
    let from = 0;
    // Label by label: after a label with any octet spelled otherwise, the suffix can start no earlier than its end.
    for (let p = start; p < end; ) {
      const next = p + 1 + buf[p]!;
      for (let i = p + 1; i < next; i++) {
        if (c[off + i] !== buf[i]) {
          from = next - start;
          break;
        }
      }
      if (buf[p] === 0) break;
      p = next;
    }
    return from;
  }

  get end(): number {
    const span = this.span;
    return (span >> 8) + (span & 255);
  }

  get key(): string {
    const c = this.cached;
    if (typeof c === 'string') return c;
    if (c !== undefined) return c.key;
    const chunk = this.chunk;
    const start = this.start;
    const n = this.end - start;
    const lower = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) lower[i] = lowerByte(chunk[start + i]!);
    const k = lower.toString('latin1');
    this.cached = k;
    return k;
  }

  get name(): Name {
    const c = this.cached;
    if (c instanceof Name) return c;
    const name = Name.trusted(this.chunk.subarray(this.start, this.end));
    this.cached = name;
    return name;
  }

  /** The owner as a Name, without keeping it (for listing a whole zone once). */
  transientName(): Name {
    const c = this.cached;
    return c instanceof Name ? c : Name.trusted(this.chunk.subarray(this.start, this.end));
  }

  /** True when the owner's octets equal wire[0, length) exactly (letter case included). */
  sameOctets(wire: Uint8Array, length = wire.length): boolean {
    if (length !== this.end - this.start) return false;
    const c = this.chunk;
    for (let i = 0, j = this.start; i < length; i++, j++) if (c[j] !== wire[i]) return false;
    return true;
  }

  /** RFC 4592 §2.1.1: the leftmost label is `*`. */
  get isWildcard(): boolean {
    return this.chunk[this.start] === 1 && this.chunk[this.start + 1] === 0x2a;
  }

  /** The node's own flags, from its RRsets and name (not those it takes from its parent or children). */
  ownFlags(isApex: boolean): number {
    if (this.size === 0) return NodeFlags.EMPTY_NON_TERMINAL | (this.isWildcard ? NodeFlags.WILDCARD : 0);
    let f = this.isWildcard ? NodeFlags.WILDCARD : 0;
    // RFC 1034 §4.2.1: NS below the apex marks a zone cut.
    if (!isApex && this.has(RRType.NS)) f |= NodeFlags.DELEGATION;
    if (this.has(RRType.DNAME)) f |= NodeFlags.HAS_DNAME;
    if (this.has(RRType.CNAME)) f |= NodeFlags.HAS_CNAME;
    if (this.has(RRType.DS)) f |= NodeFlags.HAS_DS;
    return f;
  }

  /**
   * The same node (owner, RRsets: shared, not copied) with other flags:
   * for a new version of a zone in which only this node's flags change.
   */
  withFlags(flags: number): ZoneNodeImpl {
    const copy = new ZoneNodeImpl(this.chunk, this.start, this.end, undefined, flags, -1);
    copy.cached = this.cached;
    copy.items = this.items;
    copy.inlineTypeClass = this.inlineTypeClass;
    copy.inlineTtl = this.inlineTtl;
    copy.inlineEnd = this.inlineEnd;
    copy.inline2 = this.inline2;
    return copy;
  }

  /** True when a label other than the leftmost is `*` (see ZoneBuilder: BIND warns of such owners). */
  hasInternalWildcard(): boolean {
    const c = this.chunk;
    const end = this.end;
    let p = this.start;
    p += c[p]! + 1;
    while (p < end && c[p] !== 0) {
      if (c[p] === 1 && c[p + 1] === 0x2a) return true;
      p += c[p]! + 1;
    }
    return false;
  }

  /** Offset in `chunk` where the parent's name starts. */
  get parentStart(): number {
    return this.start + this.chunk[this.start]! + 1;
  }

  get rrsets(): ReadonlyMap<number, RRset> {
    return this;
  }

  get size(): number {
    let n = this.inlineTypeClass === 0 ? 0 : this.inline2 === 0 ? 1 : 2;
    for (let r = this.items; r !== undefined; r = r.next) n++;
    return n;
  }

  get(type: number): RRsetImpl | undefined {
    const tc = this.inlineTypeClass;
    if (tc !== 0 && ((tc & 0xffff) === type || (this.inline2 !== 0 && (this.inline2 & 0xffff) === type))) this.materialize();
    for (let r = this.items; r !== undefined; r = r.next) if (r.type === type) return r;
    return undefined;
  }

  has(type: number): boolean {
    const tc = this.inlineTypeClass;
    if (tc !== 0 && ((tc & 0xffff) === type || (this.inline2 !== 0 && (this.inline2 & 0xffff) === type))) return true;
    for (let r = this.items; r !== undefined; r = r.next) if (r.type === type) return true;
    return false;
  }

  /** True when some RRset exists as an object (see `objects`): false for a node of inline RRsets only, or none. */
  get hasObjects(): boolean {
    return this.items !== undefined;
  }

  /** The RRsets that exist as objects, without making the inline ones (which hold a single record each). */
  objects(): RRsetImpl[] {
    const out: RRsetImpl[] = [];
    for (let r = this.items; r !== undefined; r = r.next) out.push(r);
    return out;
  }

  /** Adds an RRset of a type not yet present (builder only). */
  put(rrset: RRsetImpl): void {
    let r = this.items;
    if (r === undefined) {
      this.items = rrset;
      return;
    }
    while (r.next !== undefined) r = r.next;
    r.next = rrset;
  }

  transientRRsets(): RRsetImpl[] {
    const out: RRsetImpl[] = [];
    const tc = this.inlineTypeClass;
    if (tc !== 0) {
      const type = tc & 0xffff;
      const cls = (tc - type) / 0x10000;
      out.push(new RRsetImpl(this, type, cls, this.inlineTtl, this.chunk, this.end, this.inlineEnd));
      const t2 = this.inline2;
      if (t2 !== 0) out.push(new RRsetImpl(this, t2 & 0xffff, cls, this.inlineTtl, this.chunk, this.inlineEnd, this.inlineEnd + (t2 >>> 16)));
    }
    for (let r = this.items; r !== undefined; r = r.next) out.push(r);
    return out;
  }

  /** The RRsets as an array (a fresh one). */
  list(): RRsetImpl[] {
    this.materialize();
    const out: RRsetImpl[] = [];
    for (let r = this.items; r !== undefined; r = r.next) out.push(r);
    return out;
  }

  forEach(fn: (value: RRset, key: number, map: ReadonlyMap<number, RRset>) => void, thisArg?: unknown): void {
    for (const r of this.list()) fn.call(thisArg, r, r.type, this);
  }

  *entries(): MapIterator<[number, RRset]> {
    for (const r of this.list()) yield [r.type, r];
  }

  *keys(): MapIterator<number> {
    for (const r of this.list()) yield r.type;
  }

  *values(): MapIterator<RRset> {
    yield* this.list();
  }

  [Symbol.iterator](): MapIterator<[number, RRset]> {
    return this.entries();
  }
}
