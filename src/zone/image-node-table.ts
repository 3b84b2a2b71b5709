import { Name, lowerByte } from '../wire/index.js';
import { hashKey } from './node-table.js';
import type { NodeStore } from './node-store.js';
import { RRsetImpl } from './rrset.js';
import { ZoneNodeImpl } from './zone-node.js';
import {
  CHUNK_MASK,
  CHUNK_SHIFT,
  EMPTY,
  HEADER_INTS,
  NODE_STRIDE,
  N_FLAGS,
  N_INLINE2,
  N_INLINE_LEN,
  N_INLINE_TC,
  N_INLINE_TTL,
  N_META,
  N_OWNER,
  N_RRSETS,
  RECORD_STRIDE,
  RRSET_STRIDE,
  R_COUNT,
  R_OWNER,
  R_OWNER_LEN,
  R_RECORDS,
  R_TC,
  R_TTL,
  TTLS_BIT,
  type ImageBuffer,
  type ImageHeader,
} from './image-layout.js';

/** log2 of the nodes per slice of the made-node cache (4,096: a first lookup allocates 32 KiB, not a table for every node). */
const SHIFT = 12;
const MASK = (1 << SHIFT) - 1;

/**
 * The name table of a zone read from a ZoneImage (issue 16 §3), in a
 * serving thread: the image's hash table (the hash NodeTable uses, so a
 * lookup probes the same way and compares the owner's octets in the image)
 * over nodes [base, base + count) of the image. A node is made (a
 * ZoneNodeImpl over the image's octets, its first RRsets inline as the
 * builder keeps them) on its first lookup, then held by a WeakRef: the same
 * node is the same object while anything holds it, and a serving thread
 * does not keep an object for every name it was ever asked (issue 16 §3:
 * its answers are kept as octets). Nothing is made per node at construction.
 */
export class ImageNodeTable implements NodeStore {
  readonly size: number;
  readonly #views: readonly Uint8Array[];
  /** The buffer's Int32 entries: this table's node entries from #nodesAt, its hash table at #tableAt, the RRsets and records at #rrsetsAt and #recordsAt. */
  readonly #ints: Int32Array;
  /** Where the image's octets begin in the buffer (its entries hold offsets from there). */
  readonly #bytesAt: number;
  readonly #nodesAt: number;
  readonly #tableAt: number;
  readonly #mask: number;
  readonly #rrsetsAt: number;
  readonly #recordsAt: number;
  /** Nodes made so far, by index, in slices of 4,096 made as needed (none: no node made yet). */
  #made: (WeakRef<ZoneNodeImpl> | undefined)[][] | null = null;

  /**
   * Nodes [base, base + count) of the image whose header, `h`, is entry
   * `at` of `buffer`, found through its table of `slots` slots at `tableAt`
   * (from the header).
   */
  constructor(buffer: ImageBuffer, at: number, h: ImageHeader, base: number, count: number, tableAt: number, slots: number) {
    this.size = count;
    this.#views = buffer.views;
    this.#ints = buffer.ints;
    this.#bytesAt = h.bytesAt;
    this.#nodesAt = at + HEADER_INTS + base * NODE_STRIDE;
    this.#tableAt = at + tableAt;
    this.#mask = slots - 1;
    this.#rrsetsAt = at + h.rrsetsAt;
    this.#recordsAt = at + h.recordsAt;
  }

  get(key: string): ZoneNodeImpl | undefined {
    const hash = hashKey(key);
    const ints = this.#ints;
    const t = this.#tableAt;
    const mask = this.#mask;
    for (let p = hash & mask; ; p = (p + 1) & mask) {
      const s = ints[t + 2 * p]!;
      if (s === EMPTY) return undefined;
      if (ints[t + 2 * p + 1] === hash && this.#hasKey(s - 1, key)) return this.at(s - 1);
    }
  }

  getWire(hash: number, wire: Uint8Array, start = 0, end = wire.length): ZoneNodeImpl | undefined {
    const i = this.indexOfWire(hash, wire, start, end);
    return i >= 0 ? this.at(i) : undefined;
  }

  indexOfWire(hash: number, wire: Uint8Array, start = 0, end = wire.length): number {
    const ints = this.#ints;
    const t = this.#tableAt;
    const mask = this.#mask;
    for (let p = hash & mask; ; p = (p + 1) & mask) {
      const s = ints[t + 2 * p]!;
      if (s === EMPTY) return -1;
      if (ints[t + 2 * p + 1] === hash && this.#hasWire(s - 1, wire, start, end)) return s - 1;
    }
  }

  at(i: number): ZoneNodeImpl | undefined {
    if (!(i >= 0 && i < this.size)) return undefined;
    const made = (this.#made ??= []);
    let slice = made[i >>> SHIFT];
    if (slice === undefined) {
      // Sized to the nodes it covers: a zone of six names does not keep 4,096 slots (issue 14: thousands of small zones).
      // (A holey array made at once, not filled slot by slot.)
      slice = new Array<WeakRef<ZoneNodeImpl> | undefined>(Math.min(MASK + 1, this.size - (i & ~MASK)));
      made[i >>> SHIFT] = slice;
    }
    const held = slice[i & MASK];
    const node = held?.deref();
    if (node !== undefined) return node;
    const fresh = this.#make(i);
    slice[i & MASK] = new WeakRef(fresh);
    return fresh;
  }

  *values(): IterableIterator<ZoneNodeImpl> {
    for (let i = 0; i < this.size; i++) yield this.at(i)!;
  }

  /** True when node `i`'s owner, lowercased, is `key`. */
  #hasKey(i: number, key: string): boolean {
    const e = this.#nodesAt + i * NODE_STRIDE;
    const off = this.#bytesAt + this.#ints[e + N_OWNER]!;
    if ((this.#ints[e + N_META]! & 255) !== key.length) return false;
    const c = this.#views[off >>> CHUNK_SHIFT]!;
    const at = off & CHUNK_MASK;
    for (let k = 0; k < key.length; k++) if (key.charCodeAt(k) !== lowerByte(c[at + k]!)) return false;
    return true;
  }

  /** True when node `i`'s owner equals `wire[start, end)`, letter case aside (the loop written here, as NodeTable's). */
  #hasWire(i: number, wire: Uint8Array, start: number, end: number): boolean {
    const e = this.#nodesAt + i * NODE_STRIDE;
    if ((this.#ints[e + N_META]! & 255) !== end - start) return false;
    const off = this.#bytesAt + this.#ints[e + N_OWNER]!;
    const c = this.#views[off >>> CHUNK_SHIFT]!;
    const d = (off & CHUNK_MASK) - start;
    for (let k = start; k < end; k++) {
      const a = c[d + k]!;
      const b = wire[k]!;
      if (a !== b && lowerByte(a) !== lowerByte(b)) return false;
    }
    return true;
  }

  /** Node `i` as a ZoneNodeImpl over the image's octets. */
  #make(i: number): ZoneNodeImpl {
    const n = this.#ints;
    const e = this.#nodesAt + i * NODE_STRIDE;
    const base = this.#bytesAt;
    const off = base + n[e + N_OWNER]!;
    const meta = n[e + N_META]!;
    const views = this.#views;
    const chunk = views[off >>> CHUNK_SHIFT]!;
    const start = off & CHUNK_MASK;
    const end = start + (meta & 255);
    const node = new ZoneNodeImpl(chunk, start, end, undefined, n[e + N_FLAGS]!, -1);
    const tc = n[e + N_INLINE_TC]! >>> 0;
    if (tc !== 0) {
      const type = tc & 0xffff;
      node.putInline(type, (tc - type) / 0x10000, n[e + N_INLINE_TTL]! >>> 0, end + n[e + N_INLINE_LEN]!);
      const t2 = n[e + N_INLINE2]!;
      if (t2 !== 0) node.putInline2(t2 & 0xffff, t2 >>> 16);
    }
    const objects = meta >>> 8;
    if (objects === 0) return node;
    // RRset and record entries are in the same Int32 entries as the nodes, after them.
    const rs = n;
    const rec = n;
    const recordsAt = this.#recordsAt;
    for (let k = 0, s = this.#rrsetsAt + n[e + N_RRSETS]! * RRSET_STRIDE; k < objects; k++, s += RRSET_STRIDE) {
      const rtc = rs[s + R_TC]! >>> 0;
      const type = rtc & 0xffff;
      const ownerAt = rs[s + R_OWNER]!;
      let owner: ZoneNodeImpl | Name = node;
      if (ownerAt >= 0) {
        const oc = views[(base + ownerAt) >>> CHUNK_SHIFT]!;
        const os = (base + ownerAt) & CHUNK_MASK;
        owner = Name.trusted(oc.subarray(os, os + rs[s + R_OWNER_LEN]!));
      }
      const countBits = rs[s + R_COUNT]!;
      const count = countBits & (TTLS_BIT - 1);
      let q = recordsAt + rs[s + R_RECORDS]! * RECORD_STRIDE;
      const first = base + rec[q]!;
      const fc = views[first >>> CHUNK_SHIFT]!;
      const fs = first & CHUNK_MASK;
      const rrset = new RRsetImpl(owner, type, (rtc - type) / 0x10000, rs[s + R_TTL]! >>> 0, fc, fs, fs + rec[q + 1]!);
      const ttls: number[] | undefined = (countBits & TTLS_BIT) !== 0 ? [rec[q + 2]! >>> 0] : undefined;
      for (let j = 1; j < count; j++) {
        q += RECORD_STRIDE;
        const o = base + rec[q]!;
        const os = o & CHUNK_MASK;
        rrset.push(views[o >>> CHUNK_SHIFT]!.subarray(os, os + rec[q + 1]!));
        ttls?.push(rec[q + 2]! >>> 0);
      }
      if (ttls !== undefined) rrset.ttls = ttls;
      node.put(rrset);
    }
    return node;
  }
}
