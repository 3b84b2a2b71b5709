import { H_BYTES_AT, H_BYTES_LENGTH, H_INTS_LENGTH, imageHeader, type ZoneImage } from './image-layout.js';

/**
 * Octets of one shared slab (small images are packed into slabs of this size). At most CHUNK (image-layout.ts):
 * a slab is read through one view, so an image placed anywhere in it is read as if at its start.
 */
export const SLAB_BYTES = 256 * 1024;
/** An image needing more than this has a SharedArrayBuffer of its own. */
const SMALL_IMAGE = SLAB_BYTES / 8;

/** Where an image's octets and Int32 entries go: views over one SharedArrayBuffer (to write them), the entries after the octets. */
export interface ImageSpace {
  buffer: SharedArrayBuffer;
  /** Where `bytes` begins in the buffer (octets), and `ints` (Int32 entries). */
  bytesAt: number;
  intsAt: number;
  bytes: Uint8Array;
  ints: Int32Array;
}

/** Octets that `octets` octets then `ints` Int32 entries take (the entries 8-aligned). */
function spaceFor(octets: number, ints: number): number {
  return align8(octets) + 4 * ints;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** One SharedArrayBuffer of its own for one image (a large zone, or no arena). */
export function ownSpace(octets: number, ints: number): ImageSpace {
  const buffer = new SharedArrayBuffer(Math.max(8, spaceFor(octets, ints)));
  return { buffer, bytesAt: 0, intsAt: align8(octets) >>> 2, bytes: new Uint8Array(buffer, 0, octets), ints: new Int32Array(buffer, align8(octets), ints) };
}

/**
 * Shared memory for zone images on the main thread (issue 16 §3, many
 * small zones): small images are placed one after the other in slabs of
 * SLAB_BYTES, never written again, so a hosting company's ten thousand
 * zones of a few records take a few dozen SharedArrayBuffers, not twenty
 * thousand (each an allocation of its own, and an object in every thread).
 *
 * Space is never reused in place: an image is immutable and threads may
 * read it at any time. A slab is freed by the garbage collector once no
 * image in it is held by any thread. So that a slab with one zone still
 * served in it does not hold the space of every zone replaced since,
 * `sparse` names the images to copy out (`copy`) of slabs less than half
 * used by the images still served; the caller serves the copies instead and
 * drops the originals.
 */
export class ImageArena {
  #open: SharedArrayBuffer | null = null;
  #used = 0;
  /** Every slab made (an image in one of these shares it; one not here has its buffer to itself). */
  readonly #slabs = new WeakSet<SharedArrayBuffer>();

  /** Space for an image of `octets` octets and `ints` Int32 entries: in the open slab when small, else its own buffer. */
  place(octets: number, ints: number): ImageSpace {
    const need = spaceFor(octets, ints);
    if (need > SMALL_IMAGE) return ownSpace(octets, ints);
    if (this.#open === null || this.#used + need > SLAB_BYTES) {
      this.#open = new SharedArrayBuffer(SLAB_BYTES);
      this.#slabs.add(this.#open);
      this.#used = 0;
    }
    const at = this.#used;
    this.#used += need;
    const buffer = this.#open;
    return { buffer, bytesAt: at, intsAt: (at + align8(octets)) >>> 2, bytes: new Uint8Array(buffer, at, octets), ints: new Int32Array(buffer, at + align8(octets), ints) };
  }

  /** `image` copied whole into new space (its offsets are from its own octets and header: only where its octets are changes). */
  copy(image: ZoneImage): ZoneImage {
    const h = imageHeader(image);
    const space = this.place(h.bytesLength, h.intsLength);
    space.bytes.set(new Uint8Array(image.buffer, h.bytesAt, h.bytesLength));
    space.ints.set(new Int32Array(image.buffer, 4 * image.at, h.intsLength));
    space.ints[H_BYTES_AT] = space.bytesAt;
    return { buffer: space.buffer, at: space.intsAt };
  }

  /**
   * Of `served` (the images served now, each under its key), the keys of
   * those in slabs where they take less than half the slab: copying them
   * out lets the slab, and every image replaced in it, be freed. The open
   * slab is left to fill.
   */
  sparse<K>(served: Iterable<readonly [K, ZoneImage]>): K[] {
    const bySlab = new Map<SharedArrayBuffer, { used: number; keys: K[]; ints: Int32Array }>();
    for (const [key, image] of served) {
      const buf = image.buffer;
      if (buf === this.#open || !this.#slabs.has(buf)) continue;
      let s = bySlab.get(buf);
      if (s === undefined) bySlab.set(buf, (s = { used: 0, keys: [], ints: new Int32Array(buf) }));
      s.used += spaceFor(s.ints[image.at + H_BYTES_LENGTH]!, s.ints[image.at + H_INTS_LENGTH]!);
      s.keys.push(key);
    }
    const out: K[] = [];
    for (const s of bySlab.values()) if (2 * s.used < SLAB_BYTES) out.push(...s.keys);
    return out;
  }
}
