/**
 * A copy of `bytes[start, end)` in a fresh ArrayBuffer of its own, whatever
 * `bytes` is. `bytes.slice()` is not that when `bytes` is a Node Buffer:
 * Buffer.prototype.slice returns a view (like subarray), so writing to the
 * "copy" changes the original, and keeping it keeps the whole underlying
 * memory (a received datagram, an 8 KiB pool slab) alive.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array<ArrayBuffer> {
  return Uint8Array.prototype.slice.call(bytes, start, end) as Uint8Array<ArrayBuffer>;
}
