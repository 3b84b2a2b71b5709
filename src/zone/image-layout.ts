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
 * The header of an image: its first Int32 entries (H_* the entry of each
 * field). Every offset in it, and in the entries after it, is from the start
 * of the image's own octets or of its own entries (its header), so an image
 * can be copied anywhere whole (ImageArena.copy rewrites H_BYTES_AT only).
 */
/** Layout version (IMAGE_FORMAT). */
export const H_FORMAT = 0;
/** Where the image's octets begin, from the start of its buffer (octets). */
export const H_BYTES_AT = 1;
export const H_BYTES_LENGTH = 2;
/** Int32 entries of the image, this header included. */
export const H_INTS_LENGTH = 3;
export const H_CLASS = 4;
export const H_RECORDS = 5;
/** The origin's wire octets, as the zone spells its origin, are the image's octets [H_ORIGIN_AT, + H_ORIGIN_LENGTH). */
export const H_ORIGIN_AT = 6;
export const H_ORIGIN_LENGTH = 7;
/** Index of the apex node (holding the SOA) among the ordinary nodes, and the SOA serial (its int32 bits). */
export const H_APEX = 8;
export const H_SERIAL = 9;
/** Ordinary nodes (empty non-terminals included) and NSEC3 owners: node entries [0, nodes) and [nodes, nodes + nsec3), from HEADER_INTS. */
export const H_NODES = 10;
export const H_NSEC3 = 11;
/** Open-addressing hash tables (slot pairs: 1 + node index, hashWireName of the owner, as NodeTable's), of a power-of-two number of slots. */
export const H_TABLE_AT = 12;
export const H_TABLE_SLOTS = 13;
export const H_NSEC3_TABLE_AT = 14;
export const H_NSEC3_SLOTS = 15;
/** RRset objects (RRSET_STRIDE each) and their records (RECORD_STRIDE each). */
export const H_RRSETS_AT = 16;
export const H_RECORDS_AT = 17;
/** Header entries; the node entries (NODE_STRIDE each) follow. */
export const HEADER_INTS = 18;
/** The layout this code writes and reads. */
export const IMAGE_FORMAT = 3;

/**
 * A zone version laid out in shared memory (issue 16 §3): built once on
 * the main thread, posted to every serving thread (postMessage shares a
 * SharedArrayBuffer, it does not copy it) and read there as a real Zone by
 * zoneFromImage. Never written after it is built.
 *
 * A buffer and where in it the image's header is: every other field is in
 * the header (H_*), so an image costs one small object where it is kept,
 * and a thread reads every image of a buffer through the same two views
 * (ImageBuffer), not two of its own. A small zone's image shares its
 * SharedArrayBuffer with other small zones' (image-arena.ts): thousands of
 * zones of a few records cost one buffer and a few octets of message each,
 * not a buffer and views of their own in every thread. Field layout: above.
 */
export interface ZoneImage {
  /** The octets then the Int32 entries of the image (and maybe of others). */
  readonly buffer: SharedArrayBuffer;
  /** Index of the image's header among the buffer's Int32 entries. */
  readonly at: number;
}

/**
 * How a thread reads the images of one buffer: its octets in views of
 * CHUNK octets (a ZoneNodeImpl's start has 23 bits), its Int32 entries in
 * one view. Made once per buffer per thread (imageBuffer).
 */
export interface ImageBuffer {
  readonly buffer: SharedArrayBuffer;
  readonly views: readonly Uint8Array[];
  readonly ints: Int32Array;
}

/** The views over `buffer` that its images are read through. */
export function imageBuffer(buffer: SharedArrayBuffer): ImageBuffer {
  const views: Uint8Array[] = [];
  for (let at = 0; at < buffer.byteLength; at += CHUNK) views.push(new Uint8Array(buffer, at, Math.min(buffer.byteLength - at, CHUNK)));
  return { buffer, views, ints: new Int32Array(buffer, 0, buffer.byteLength >>> 2) };
}

/** The header of `image`, as numbers (zoneFromImage, the arena, tests: the query path reads the entries themselves). */
export interface ImageHeader {
  format: number;
  bytesAt: number;
  bytesLength: number;
  intsLength: number;
  zoneClass: number;
  recordCount: number;
  originAt: number;
  originLength: number;
  apex: number;
  serial: number;
  nodeCount: number;
  nsec3Count: number;
  tableAt: number;
  tableSlots: number;
  nsec3TableAt: number;
  nsec3Slots: number;
  rrsetsAt: number;
  recordsAt: number;
}

/** Reads the header of `image` (from `ints`, the buffer's entries, when the caller has them). */
export function imageHeader(image: ZoneImage, ints: Int32Array = new Int32Array(image.buffer, 0, image.buffer.byteLength >>> 2)): ImageHeader {
  const h = image.at;
  return {
    format: ints[h + H_FORMAT]!, bytesAt: ints[h + H_BYTES_AT]!, bytesLength: ints[h + H_BYTES_LENGTH]!, intsLength: ints[h + H_INTS_LENGTH]!,
    zoneClass: ints[h + H_CLASS]!, recordCount: ints[h + H_RECORDS]!, originAt: ints[h + H_ORIGIN_AT]!, originLength: ints[h + H_ORIGIN_LENGTH]!,
    apex: ints[h + H_APEX]!, serial: ints[h + H_SERIAL]! >>> 0, nodeCount: ints[h + H_NODES]!, nsec3Count: ints[h + H_NSEC3]!,
    tableAt: ints[h + H_TABLE_AT]!, tableSlots: ints[h + H_TABLE_SLOTS]!, nsec3TableAt: ints[h + H_NSEC3_TABLE_AT]!, nsec3Slots: ints[h + H_NSEC3_SLOTS]!,
    rrsetsAt: ints[h + H_RRSETS_AT]!, recordsAt: ints[h + H_RECORDS_AT]!,
  };
}
