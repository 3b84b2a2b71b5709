import { Name } from '../wire/index.js';
import type { RRset, RRsetImpl } from './rrset.js';

/** One owner name of a zone: its RRsets by type and its NodeFlags. */
export interface ZoneNode {
  readonly name: Name;
  /** `name.key`: the lowercased wire name as a latin1 string (Zone.lookupKey takes it). */
  readonly key: string;
  /** RRsets by type number. Empty for an empty non-terminal. */
  readonly rrsets: ReadonlyMap<number, RRset>;
  /** NodeFlags bits. */
  readonly flags: number;
}

/**
 * The node object. To keep a million-name zone small, the owner stays as
 * (chunk, start, end) in the zone's byte slab until `name` is first asked
 * for, and the node holds its RRsets itself (one, or a short array) instead
 * of in a Map per name: it is its own `rrsets` view, a read-only map by type.
 */
export class ZoneNodeImpl implements ZoneNode, ReadonlyMap<number, RRset> {
  /** The owner's wire name is chunk[start, end). */
  readonly chunk: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly key: string;
  flags: number;
  /** Builder bookkeeping: position-table index of the node's first record (-1 when unknown). */
  first: number;
  private cachedName: Name | undefined;
  private items: RRsetImpl | RRsetImpl[] | undefined;

  constructor(chunk: Uint8Array, start: number, end: number, key: string, flags: number, first: number) {
    this.chunk = chunk;
    this.start = start;
    this.end = end;
    this.key = key;
    this.flags = flags;
    this.first = first;
    this.cachedName = undefined;
    this.items = undefined;
  }

  get name(): Name {
    return (this.cachedName ??= Name.trusted(this.chunk.subarray(this.start, this.end)));
  }

  /** The owner as a Name, without keeping it (for listing a whole zone once). */
  transientName(): Name {
    return this.cachedName ?? Name.trusted(this.chunk.subarray(this.start, this.end));
  }

  /** True when the owner's octets equal `wire` exactly (letter case included). */
  sameOctets(wire: Uint8Array): boolean {
    if (wire.length !== this.end - this.start) return false;
    const c = this.chunk;
    for (let i = 0, j = this.start; i < wire.length; i++, j++) if (c[j] !== wire[i]) return false;
    return true;
  }

  /** RFC 4592 §2.1.1: the leftmost label is `*`. */
  get isWildcard(): boolean {
    return this.chunk[this.start] === 1 && this.chunk[this.start + 1] === 0x2a;
  }

  /** Offset in `chunk` where the parent's name starts. */
  get parentStart(): number {
    return this.start + this.chunk[this.start]! + 1;
  }

  get rrsets(): ReadonlyMap<number, RRset> {
    return this;
  }

  get size(): number {
    const it = this.items;
    return it === undefined ? 0 : Array.isArray(it) ? it.length : 1;
  }

  get(type: number): RRsetImpl | undefined {
    const it = this.items;
    if (it === undefined) return undefined;
    if (!Array.isArray(it)) return it.type === type ? it : undefined;
    for (let i = 0; i < it.length; i++) if (it[i]!.type === type) return it[i];
    return undefined;
  }

  has(type: number): boolean {
    return this.get(type) !== undefined;
  }

  /** Adds an RRset of a type not yet present (builder only). */
  put(rrset: RRsetImpl): void {
    const it = this.items;
    if (it === undefined) this.items = rrset;
    else if (Array.isArray(it)) it.push(rrset);
    else this.items = [it, rrset];
  }

  /** The RRsets as an array (a fresh one). */
  list(): RRsetImpl[] {
    const it = this.items;
    return it === undefined ? [] : Array.isArray(it) ? it.slice() : [it];
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
