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
  HEADER_INTS,
  H_APEX,
  H_BYTES_AT,
  H_BYTES_LENGTH,
  H_CLASS,
  H_FORMAT,
  H_INTS_LENGTH,
  H_NODES,
  H_NSEC3,
  H_NSEC3_SLOTS,
  H_NSEC3_TABLE_AT,
  H_ORIGIN_AT,
  H_ORIGIN_LENGTH,
  H_RECORDS,
  H_RECORDS_AT,
  H_RRSETS_AT,
  H_SERIAL,
  H_TABLE_AT,
  H_TABLE_SLOTS,
  IMAGE_FORMAT,
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

/** Where a run of `n` octets goes after `used` octets: a run never crosses a CHUNK boundary (ImageNodeTable's views). */
function runAt(used: number, n: number): number {
  return (used & CHUNK_MASK) + n > CHUNK ? (used + CHUNK_MASK) & ~CHUNK_MASK : used;
}

/** `src[start, end)` stored at `to[at ..]`. */
function copyOctets(to: Uint8Array, at: number, src: Uint8Array, start: number, end: number): void {
  if (end - start <= 32) for (let i = start, j = at; i < end; i++, j++) to[j] = src[i]!;
  else to.set(src.subarray(start, end), at);
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

/** How many of a node's first RRsets (0, 1 or 2) its image entry holds inline, as the builder would. */
function inlineCount(sets: readonly RRset[]): number {
  if (sets.length === 0 || !inlinable(sets[0]!)) return 0;
  const a = sets[0]!;
  const b = sets[1];
  return b !== undefined && inlinable(b) && b.class === a.class && b.ttl === a.ttl && b.rdatas[0]!.length < 0x8000 ? 2 : 1;
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

  // First the sizes, by the same walk as the writing below, so that the image is written straight into its one
  // buffer: no growing buffers copied at each doubling and then into it (for a million records, some 200 MB of
  // ArrayBuffers whose external memory made V8 stop the thread for full collections of 50 to 80 ms).
  const scratch = new Int32Array(NODE_STRIDE);
  let used = 0;
  let rrsetEntries = 0;
  let recordEntries = 0;
  for (let i = 0; i < all.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const node = all[i]!;
    const start = node.start;
    const runEnd = node instanceof ZoneNodeImpl ? node.inlineImage(scratch, N_INLINE_TC) : -1;
    if (runEnd >= 0) {
      used = runAt(used, runEnd - start) + runEnd - start;
      continue;
    }
    const sets = node.transientRRsets();
    const inline = inlineCount(sets);
    const run = wireNameEnd(node.chunk, start) - start + (inline >= 1 ? sets[0]!.rdatas[0]!.length : 0) + (inline === 2 ? sets[1]!.rdatas[0]!.length : 0);
    used = runAt(used, run) + run;
    for (let k = inline; k < sets.length; k++) {
      const r = sets[k]!;
      rrsetEntries += RRSET_STRIDE;
      if (r.ownerIsNode !== true) used = runAt(used, r.name.wire.length) + r.name.wire.length;
      for (const d of r.rdatas) used = runAt(used, d.length) + d.length;
      recordEntries += RECORD_STRIDE * r.rdatas.length;
    }
  }
  const originWire = zone.origin.wire;
  const originAt = runAt(used, originWire.length);
  const octetCount = originAt + originWire.length;

  // One SharedArrayBuffer, octets then Int32 entries: the arena's slab for a small zone, else one of its own.
  const slots = slotsFor(nodeCount);
  const nsec3Slots = slotsFor(nsec3Count);
  const nodesAt = HEADER_INTS;
  const tableAt = nodesAt + all.length * NODE_STRIDE;
  const nsec3TableAt = tableAt + 2 * slots;
  const rrsetsAt = nsec3TableAt + 2 * nsec3Slots;
  const recordsAt = rrsetsAt + rrsetEntries;
  const intCount = recordsAt + recordEntries;
  const space = arena === undefined ? ownSpace(octetCount, intCount) : arena.place(octetCount, intCount);
  const bytes = space.bytes;
  const ints = space.ints;
  const hashes = new Int32Array(all.length);

  used = 0;
  let rrsetAt = rrsetsAt;
  let recordAt = recordsAt;
  for (let i = 0; i < all.length; i++) {
    if ((i & STEP_MASK) === STEP_MASK) yield;
    const node = all[i]!;
    const chunk = node.chunk;
    const start = node.start;
    const ownerLength = wireNameEnd(chunk, start) - start;
    const end = start + ownerLength;
    hashes[i] = hashWireName(chunk, start, end);
    const e = nodesAt + i * NODE_STRIDE;
    ints[e + N_FLAGS] = node.flags;
    // Most nodes of a large zone: inline RRsets only, copied as one run with their fields, no object made.
    const runEnd = node instanceof ZoneNodeImpl ? node.inlineImage(ints, e + N_INLINE_TC) : -1;
    if (runEnd >= 0) {
      const at = runAt(used, runEnd - start);
      used = at + runEnd - start;
      copyOctets(bytes, at, chunk, start, runEnd);
      ints[e + N_OWNER] = at;
      ints[e + N_META] = ownerLength;
      continue;
    }
    const sets = node.transientRRsets();
    const inline = inlineCount(sets);
    const r0 = inline >= 1 ? sets[0]!.rdatas[0]! : undefined;
    const r1 = inline === 2 ? sets[1]!.rdatas[0]! : undefined;
    const run = ownerLength + (r0?.length ?? 0) + (r1?.length ?? 0);
    const at = runAt(used, run);
    used = at + run;
    copyOctets(bytes, at, chunk, start, end);
    ints[e + N_OWNER] = at;
    if (r0 !== undefined) {
      const a = sets[0]!;
      copyOctets(bytes, at + ownerLength, r0, 0, r0.length);
      ints[e + N_INLINE_TC] = (a.type + a.class * 0x10000) | 0;
      ints[e + N_INLINE_TTL] = a.ttl | 0;
      ints[e + N_INLINE_LEN] = r0.length;
    }
    if (r1 !== undefined) {
      copyOctets(bytes, at + ownerLength + r0!.length, r1, 0, r1.length);
      ints[e + N_INLINE2] = sets[1]!.type + r1.length * 0x10000;
    }
    ints[e + N_RRSETS] = (rrsetAt - rrsetsAt) / RRSET_STRIDE;
    ints[e + N_META] = ownerLength + (sets.length - inline) * 256;
    for (let k = inline; k < sets.length; k++) {
      const r = sets[k]!;
      const q = rrsetAt;
      rrsetAt += RRSET_STRIDE;
      ints[q + R_TC] = (r.type + r.class * 0x10000) | 0;
      ints[q + R_TTL] = r.ttl | 0;
      if (r.ownerIsNode === true) {
        ints[q + R_OWNER] = -1;
      } else {
        const w = r.name.wire;
        const o = runAt(used, w.length);
        used = o + w.length;
        copyOctets(bytes, o, w, 0, w.length);
        ints[q + R_OWNER] = o;
        ints[q + R_OWNER_LEN] = w.length;
      }
      const rdatas = r.rdatas;
      const ttls = r.ttls;
      ints[q + R_RECORDS] = (recordAt - recordsAt) / RECORD_STRIDE;
      ints[q + R_COUNT] = rdatas.length + (ttls === undefined ? 0 : TTLS_BIT);
      for (let j = 0; j < rdatas.length; j++) {
        const d = rdatas[j]!;
        const o = runAt(used, d.length);
        used = o + d.length;
        copyOctets(bytes, o, d, 0, d.length);
        ints[recordAt] = o;
        ints[recordAt + 1] = d.length;
        ints[recordAt + 2] = ttls === undefined ? 0 : ttls[j]! | 0;
        recordAt += RECORD_STRIDE;
      }
    }
  }
  // The walk wrote what the sizing walk counted (the zone is immutable): anything else is a bug here.
  if (runAt(used, originWire.length) !== originAt || rrsetAt !== recordsAt || recordAt !== intCount) {
    throw new Error(`zone image of ${zone.origin.toText()}: the sizes counted (${originAt}, ${rrsetEntries}, ${recordEntries}) are not those written`);
  }
  copyOctets(bytes, originAt, originWire, 0, originWire.length);
  yield* fill(ints, tableAt, slots - 1, hashes, 0, nodeCount);
  yield* fill(ints, nsec3TableAt, nsec3Slots - 1, hashes, nodeCount, nsec3Count);

  ints[H_FORMAT] = IMAGE_FORMAT;
  ints[H_BYTES_AT] = space.bytesAt;
  ints[H_BYTES_LENGTH] = octetCount;
  ints[H_INTS_LENGTH] = intCount;
  ints[H_CLASS] = zone.zoneClass;
  ints[H_RECORDS] = zone.recordCount;
  ints[H_ORIGIN_AT] = originAt;
  ints[H_ORIGIN_LENGTH] = originWire.length;
  ints[H_APEX] = apex;
  ints[H_SERIAL] = zone.serial | 0;
  ints[H_NODES] = nodeCount;
  ints[H_NSEC3] = nsec3Count;
  ints[H_TABLE_AT] = tableAt;
  ints[H_TABLE_SLOTS] = slots;
  ints[H_NSEC3_TABLE_AT] = nsec3TableAt;
  ints[H_NSEC3_SLOTS] = nsec3Slots;
  ints[H_RRSETS_AT] = rrsetsAt;
  ints[H_RECORDS_AT] = recordsAt;
  return { buffer: space.buffer, at: space.intsAt };
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
