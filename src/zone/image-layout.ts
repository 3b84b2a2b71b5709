/**
 * The layout of a zone image (issue 16 §3): where zone-image-writer.ts puts
 * each field and image-node-table.ts reads it. All integers are Int32Array
 * entries over one SharedArrayBuffer; unsigned 32-bit values (TTLs, type and
 * class packed together) are stored as their int32 bits and read with `>>> 0`.
 */

/**
 * Octets live in one SharedArrayBuffer read through views of CHUNK octets:
 * a ZoneNodeImpl packs its start into 23 bits (see its `span`), so no view
 * may be longer than that; nothing that must be read in one piece (an owner
 * with its inline records, a record) crosses from one view to the next.
 */
export const CHUNK_SHIFT = 22;
export const CHUNK = 1 << CHUNK_SHIFT;
export const CHUNK_MASK = CHUNK - 1;

/** Int32 entries per node. */
export const NODE_STRIDE = 8;
/** Offset of the owner's octets (as the zone spells them), then the inline records. */
export const N_OWNER = 0;
/** Owner length (low 8 bits) + RRset objects (see RRSET_*) * 256. */
export const N_META = 1;
export const N_FLAGS = 2;
/** Inline RRset: type + class * 0x10000 (0: none), its TTL, and its record's length (the record follows the owner). */
export const N_INLINE_TC = 3;
export const N_INLINE_TTL = 4;
export const N_INLINE_LEN = 5;
/** Second inline RRset: type + length * 0x10000 (0: none), as ZoneNodeImpl.putInline2 takes it; its record follows the first. */
export const N_INLINE2 = 6;
/** Index of the node's first RRset entry (its others follow). */
export const N_RRSETS = 7;

/** Int32 entries per RRset kept as an object (not inline). */
export const RRSET_STRIDE = 6;
/** Type + class * 0x10000. */
export const R_TC = 0;
export const R_TTL = 1;
/** Offset of the owner's octets when spelled otherwise than the node (RRset.ownerIsNode false), else -1. */
export const R_OWNER = 2;
export const R_OWNER_LEN = 3;
/** Index of the first record entry (the others follow). */
export const R_RECORDS = 4;
/** Number of records + TTLS_BIT when each record has its own TTL (an RRSIG's `ttls`). */
export const R_COUNT = 5;
export const TTLS_BIT = 1 << 30;

/** Int32 entries per record of an RRset object: offset, length, TTL (used only with TTLS_BIT). */
export const RECORD_STRIDE = 3;

/** A free slot of a hash table (slots hold 1 + the node's index, as NodeTable's do). */
export const EMPTY = 0;

/**
 * A zone version laid out in shared memory (issue 16 §3): built once on
 * the main thread, posted to every serving thread (postMessage shares a
 * SharedArrayBuffer, it does not copy it) and read there as a real Zone by
 * zoneFromImage. Never written after it is built.
 *
 * Structured-clonable: numbers and two views over one SharedArrayBuffer,
 * its octets then its Int32 entries. A small zone's image shares its
 * SharedArrayBuffer with other small zones' (image-arena.ts): thousands of
 * zones of a few records cost one buffer and two views each, not a buffer
 * of their own (each has an allocation and objects of its own in every
 * thread). Every offset below is from the start of `bytes` or of `ints`, so
 * an image can be copied anywhere whole. Field layout: above.
 */
export interface ZoneImage {
  /** Layout version (image-layout.ts). */
  readonly format: 2;
  readonly zoneClass: number;
  readonly recordCount: number;
  /** The origin's wire octets, as the zone spells its origin, are bytes[originAt, originAt + originLength). */
  readonly originAt: number;
  readonly originLength: number;
  /** Index of the apex node (holding the SOA) among the ordinary nodes, and the SOA serial. */
  readonly apex: number;
  readonly serial: number;
  /** Ordinary nodes (empty non-terminals included) and NSEC3 owners: node entries [0, nodeCount) and [nodeCount, nodeCount + nsec3Count). */
  readonly nodeCount: number;
  readonly nsec3Count: number;
  /** Owners and rdata, as the zone spells them. */
  readonly bytes: Uint8Array;
  /** Int32 entries, over the same SharedArrayBuffer as `bytes`: the parts below start at these offsets (in entries). */
  readonly ints: Int32Array;
  /** Node entries (NODE_STRIDE each). */
  readonly nodesAt: number;
  /** Open-addressing hash tables (slot pairs: 1 + node index, hashWireName of the owner, as NodeTable's), of a power-of-two number of slots. */
  readonly tableAt: number;
  readonly tableSlots: number;
  readonly nsec3TableAt: number;
  readonly nsec3Slots: number;
  /** RRset objects (RRSET_STRIDE each) and their records (RECORD_STRIDE each). */
  readonly rrsetsAt: number;
  readonly recordsAt: number;
}
