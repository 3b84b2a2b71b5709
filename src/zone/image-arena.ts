import type { ZoneImage } from './image-layout.js';

/** Octets of one shared slab (small images are packed into slabs of this size). */
export const SLAB_BYTES = 256 * 1024;
/** An image needing more than this has a SharedArrayBuffer of its own. */
const SMALL_IMAGE = SLAB_BYTES / 8;

/** Where an image's octets and Int32 entries go: views over one SharedArrayBuffer, the entries after the octets. */
export interface ImageSpace {
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
  const buf = new SharedArrayBuffer(Math.max(8, spaceFor(octets, ints)));
  return { bytes: new Uint8Array(buf, 0, octets), ints: new Int32Array(buf, align8(octets), ints) };
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
  readonly #slabs = new WeakSet<ArrayBufferLike>();

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
    return { bytes: new Uint8Array(this.#open, at, octets), ints: new Int32Array(this.#open, at + align8(octets), ints) };
  }

  /** `image` copied whole into new space (its offsets are from its own views, so nothing in it changes). */
  copy(image: ZoneImage): ZoneImage {
    const space = this.place(image.bytes.length, image.ints.length);
    space.bytes.set(image.bytes);
    space.ints.set(image.ints);
    return { ...image, bytes: space.bytes, ints: space.ints };
  }

  /**
   * Of `served` (the images served now, each under its key), the keys of
   * those in slabs where they take less than half the slab: copying them
   * out lets the slab, and every image replaced in it, be freed. The open
   * slab is left to fill.
   */
  sparse<K>(served: Iterable<readonly [K, ZoneImage]>): K[] {
    const bySlab = new Map<ArrayBufferLike, { used: number; keys: K[] }>();
    for (const [key, image] of served) {
      const buf = image.bytes.buffer;
      if (buf === this.#open || !this.#slabs.has(buf)) continue;
      let s = bySlab.get(buf);
      if (s === undefined) bySlab.set(buf, (s = { used: 0, keys: [] }));
      s.used += spaceFor(image.bytes.length, image.ints.length);
      s.keys.push(key);
    }
    const out: K[] = [];
    for (const s of bySlab.values()) if (2 * s.used < SLAB_BYTES) out.push(...s.keys);
    return out;
  }
}
