import { RRType } from '../wire/index.js';
import { hashWireName } from './node-table.js';
import type { RRset } from './rrset.js';
import type { Zone } from './zone.js';
import { ZoneNodeImpl, type ZoneNode } from './zone-node.js';
import type { Steps } from './run-steps.js';
import { ownSpace, type ImageArena } from './image-arena.js';
import {
  CHUNK,
  CHUNK_MASK,
  EMPTY,
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
  type ZoneImage,
} from './image-layout.js';

/**
 * Nodes written between two pauses of writeZoneImageSteps (a power of two,
 * less one): about half a millisecond of work, so that a caller running the
 * steps in slices of a few milliseconds (the main thread, which answers
 * queries meanwhile) keeps to them.
 */
const STEP_MASK = (1 << 10) - 1;

/** Octets, in a growing buffer, then copied once into the image's SharedArrayBuffer. */
class Octets {
  buf = new Uint8Array(1024);
  length = 0;

  /** Room for a run of `n` octets that must not cross a CHUNK boundary; its offset. */
  reserve(n: number): number {
    let at = this.length;
    if ((at & CHUNK_MASK) + n > CHUNK) at = (at + CHUNK_MASK) & ~CHUNK_MASK;
    if (at + n > this.buf.length) this.buf = grown(this.buf, this.length, at + n, (size) => new Uint8Array(size));
    this.length = at + n;
    return at;
  }

  /** Stores `src[start, end)` at `at` (from `reserve`). */
  copy(at: number, src: Uint8Array, start: number, end: number): void {
    const buf = this.buf;
    if (end - start <= 32) for (let i = start, j = at; i < end; i++, j++) buf[j] = src[i]!;
    else buf.set(src.subarray(start, end), at);
  }
}

/** Int32 entries, growing. */
class Ints {
  buf = new Int32Array(256);
  length = 0;

  add(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) this.buf = grown(this.buf, this.length, at + n, (size) => new Int32Array(size));
    this.length = at + n;
    return at;
  }
}

/** A copy of buf[0, used) in a new array of `make`, doubled in size until it holds `need` entries. */
function grown<T extends Uint8Array | Int32Array>(buf: T, used: number, need: number, make: (size: number) => T): T {
  let size = buf.length * 2;
  while (size < need) size *= 2;
  const next = make(size);
  next.set(buf.subarray(0, used));
  return next;
}

/** End of the uncompressed wire name at `buf[start ..]` (without making a Name: the zone's nodes keep none they did not have). */
function wireNameEnd(buf: Uint8Array, start: number): number {
  let p = start;
  while (buf[p] !== 0) p += buf[p]! + 1;
  return p + 1;
}

/** True for an RRset a ZoneNodeImpl can keep inline: one record, the node's spelling, one TTL. */
function inlinable(r: RRset): boolean {
  return r.rdatas.length === 1 && r.ttls === undefined && r.ownerIsNode === true;
}

/** Slots of a hash table for `n` nodes: a power of two above 2n (as NodeTable keeps it), so a probe always meets a free slot. */
function slotsFor(n: number): number {
  let slots = 2;
  while (slots < 2 * n + 1) slots *= 2;
  return slots;
}

/**
 * Lays `zone` out as a ZoneImage (issue 16 §3), in one walk over its nodes
 * (ordinary ones then NSEC3 owners, in the zone's order), copying every
 * octet: the image depends on nothing of the zone's own storage.
 *
 * A node whose first RRset (and maybe second) fits ZoneNodeImpl's inline
 * form gets its owner and those records as one run of octets, as the
 * builder lays them out, so the node read from the image needs no RRsetImpl
 * for them; other RRsets become RRset entries with record entries. In
 * steps of 1,024 nodes (the hash tables filled in steps of 1,024 too, the
 * copies into the shared buffer in pieces of 262,144 entries), for a
 * caller that runs them in slices (a
 * million-record zone takes a few hundred milliseconds of one thread).
 */
export function* writeZoneImageSteps(zone: Zone, arena?: ImageArena): Steps<ZoneImage> {
  const octets = new Octets();
  const rrsets = new Ints();
  const records = new Ints();
  const nodeCount = zone.nodeCount;
  const apexNode = zone.lookup(zone.origin);
  const all: ZoneNode[] = [];
  let apex = -1;
  for (const node of zone.nodes()) {
    if (node === apexNode) apex = all.length;
    all.push(node);
    if ((all.length & STEP_MASK) === 0) yield;
  }
  const nsec3Count = all.length - nodeCount;
  // Checked before any work: a zone read from an image finds its SOA at this node.
  if (!(apex >= 0 && apex < nodeCount) || all[apex]!.rrsets.get(RRType.SOA) === undefined) throw new TypeError(`zone ${zone.origin.toText()} has no SOA at its apex to image`);
  const nodes = new Int32Array(all.length * NODE_STRIDE);
  const hashes = new Int32Array(all.length);

  for (let i = 0; i < all.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const node = all[i]!;
    const chunk = node.chunk;
    const start = node.start;
    const ownerLength = wireNameEnd(chunk, start) - start;
    const end = start + ownerLength;
    hashes[i] = hashWireName(chunk, start, end);
    const e = i * NODE_STRIDE;
    nodes[e + N_FLAGS] = node.flags;
    // Most nodes of a large zone: inline RRsets only, copied as one run with their fields, no object made.
    const runEnd = node instanceof ZoneNodeImpl ? node.inlineImage(nodes, e + N_INLINE_TC) : -1;
    if (runEnd >= 0) {
      const at = octets.reserve(runEnd - start);
      octets.copy(at, chunk, start, runEnd);
      nodes[e + N_OWNER] = at;
      nodes[e + N_META] = ownerLength;
      continue;
    }
    const sets = node.transientRRsets();
    let inline = 0;
    if (sets.length > 0 && inlinable(sets[0]!)) {
      inline = 1;
      const a = sets[0]!;
      const b = sets[1];
      if (b !== undefined && inlinable(b) && b.class === a.class && b.ttl === a.ttl && b.rdatas[0]!.length < 0x8000) inline = 2;
    }
    const r0 = inline >= 1 ? sets[0]!.rdatas[0]! : undefined;
    const r1 = inline === 2 ? sets[1]!.rdatas[0]! : undefined;
    const at = octets.reserve(ownerLength + (r0?.length ?? 0) + (r1?.length ?? 0));
    octets.copy(at, chunk, start, end);
    nodes[e + N_OWNER] = at;
    if (r0 !== undefined) {
      const a = sets[0]!;
      octets.copy(at + ownerLength, r0, 0, r0.length);
      nodes[e + N_INLINE_TC] = (a.type + a.class * 0x10000) | 0;
      nodes[e + N_INLINE_TTL] = a.ttl | 0;
      nodes[e + N_INLINE_LEN] = r0.length;
    }
    if (r1 !== undefined) {
      octets.copy(at + ownerLength + r0!.length, r1, 0, r1.length);
      nodes[e + N_INLINE2] = sets[1]!.type + r1.length * 0x10000;
    }
    nodes[e + N_RRSETS] = rrsets.length / RRSET_STRIDE;
    nodes[e + N_META] = ownerLength + (sets.length - inline) * 256;
    for (let k = inline; k < sets.length; k++) {
      const r = sets[k]!;
      const s = rrsets.add(RRSET_STRIDE);
      const rb = rrsets.buf;
      rb[s + R_TC] = (r.type + r.class * 0x10000) | 0;
      rb[s + R_TTL] = r.ttl | 0;
      if (r.ownerIsNode === true) {
        rb[s + R_OWNER] = -1;
      } else {
        const w = r.name.wire;
        const o = octets.reserve(w.length);
        octets.copy(o, w, 0, w.length);
        rb[s + R_OWNER] = o;
        rb[s + R_OWNER_LEN] = w.length;
      }
      const rdatas = r.rdatas;
      const ttls = r.ttls;
      rb[s + R_RECORDS] = records.length / RECORD_STRIDE;
      rb[s + R_COUNT] = rdatas.length + (ttls === undefined ? 0 : TTLS_BIT);
      for (let j = 0; j < rdatas.length; j++) {
        const d = rdatas[j]!;
        const o = octets.reserve(d.length);
        octets.copy(o, d, 0, d.length);
        const q = records.add(RECORD_STRIDE);
        const qb = records.buf;
        qb[q] = o;
        qb[q + 1] = d.length;
        qb[q + 2] = ttls === undefined ? 0 : ttls[j]! | 0;
      }
    }
  }

  const originWire = zone.origin.wire;
  const originAt = octets.reserve(originWire.length);
  octets.copy(originAt, originWire, 0, originWire.length);

  // One SharedArrayBuffer, octets then Int32 entries: the arena's slab for a small zone, else one of its own.
  const slots = slotsFor(nodeCount);
  const nsec3Slots = slotsFor(nsec3Count);
  const nodesAt = 0;
  const tableAt = nodesAt + nodes.length;
  const nsec3TableAt = tableAt + 2 * slots;
  const rrsetsAt = nsec3TableAt + 2 * nsec3Slots;
  const recordsAt = rrsetsAt + rrsets.length;
  const space = arena === undefined ? ownSpace(octets.length, recordsAt + records.length) : arena.place(octets.length, recordsAt + records.length);
  const ints = space.ints;
  // Copied in pieces: the first writes of a fresh buffer fault its pages in (a few milliseconds for a large zone).
  yield* copySteps(space.bytes, octets.buf.subarray(0, octets.length), 0);
  yield* copySteps(ints, nodes, nodesAt);
  yield* copySteps(ints, rrsets.buf.subarray(0, rrsets.length), rrsetsAt);
  yield* copySteps(ints, records.buf.subarray(0, records.length), recordsAt);
  yield* fill(ints, tableAt, slots - 1, hashes, 0, nodeCount);
  yield* fill(ints, nsec3TableAt, nsec3Slots - 1, hashes, nodeCount, nsec3Count);

  return {
    format: 2,
    zoneClass: zone.zoneClass,
    recordCount: zone.recordCount,
    originAt,
    originLength: originWire.length,
    apex,
    serial: zone.serial,
    nodeCount,
    nsec3Count,
    bytes: space.bytes,
    ints,
    nodesAt,
    tableAt,
    tableSlots: slots,
    nsec3TableAt,
    nsec3Slots,
    rrsetsAt,
    recordsAt,
  };
}

/** Entries copied between two pauses of copySteps. */
const COPY_STEP = 1 << 18;

/** `to.set(from, at)`, COPY_STEP entries at a time. */
function* copySteps<T extends Uint8Array | Int32Array>(to: T, from: T, at: number): Steps<void> {
  for (let i = 0; i < from.length; i += COPY_STEP) {
    if (i > 0) yield;
    to.set(from.subarray(i, Math.min(i + COPY_STEP, from.length)), at + i);
  }
}

/** Puts nodes [base, base + count) in the table at ints[at ..] (linear probing, as NodeTable: slot pairs of 1 + index from base, hash). */
function* fill(ints: Int32Array, at: number, mask: number, hashes: Int32Array, base: number, count: number): Steps<void> {
  for (let i = 0; i < count; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const hash = hashes[base + i]!;
    let p = hash & mask;
    while (ints[at + 2 * p] !== EMPTY) p = (p + 1) & mask;
    ints[at + 2 * p] = i + 1;
    ints[at + 2 * p + 1] = hash;
  }
}
