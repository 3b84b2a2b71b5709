/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a 64-bit keyed hash of a short message under a 128-bit key, as
 * RFC 9018 §4.4 uses for DNS server cookies. Written on 32-bit halves, so
 * hashing allocates nothing and needs no BigInt.
 */

function le32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/**
 * SipHash-2-4 of `msg[start, end)` under the 16-octet `key`; the 8-octet
 * result (little-endian, as the reference code writes it) goes to
 * `out[outAt, outAt + 8)`. The state v0..v3 is kept as (high, low) int32
 * locals, and SipRound (the paper's §2.1) is written out where it runs, so
 * that the optimiser keeps everything in registers.
 */
export function siphash24(key: Uint8Array, msg: Uint8Array, start: number, end: number, out: Uint8Array, outAt = 0): void {
  if (key.length !== 16) throw new RangeError('SipHash needs a 16-octet key');
  const k0l = le32(key, 0), k0h = le32(key, 4), k1l = le32(key, 8), k1h = le32(key, 12);
  // The initialisation constants "somepseudorandomlygeneratedbytes".
  let v0h = k0h ^ 0x736f6d65, v0l = k0l ^ 0x70736575;
  let v1h = k1h ^ 0x646f7261, v1l = k1l ^ 0x6e646f6d;
  let v2h = k0h ^ 0x6c796765, v2l = k0l ^ 0x6e657261;
  let v3h = k1h ^ 0x74656462, v3l = k1l ^ 0x79746573;
  let t = 0, h = 0, l = 0;
  const len = end - start;
  const words = len >>> 3;
  // Every full 8-octet word, then the last one: the octets left and the length (mod 256) in the top octet.
  for (let w = 0; w <= words; w++) {
    let mh = 0, ml = 0;
    const p = start + 8 * w;
    if (w < words) {
      ml = le32(msg, p);
      mh = le32(msg, p + 4);
    } else {
      mh = (len & 0xff) << 24;
      for (let i = 0; i < end - p; i++) {
        if (i < 4) ml |= msg[p + i]! << (8 * i);
        else mh |= msg[p + i]! << (8 * (i - 4));
      }
    }
    v3h ^= mh;
    v3l ^= ml;
    for (let r = 0; r < 2; r++) {
      // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
      t = (v0l + v1l) | 0; v0h = (v0h + v1h + ((t >>> 0) < (v0l >>> 0) ? 1 : 0)) | 0; v0l = t;
      h = (v1h << 13) | (v1l >>> 19); l = (v1l << 13) | (v1h >>> 19); v1h = h ^ v0h; v1l = l ^ v0l;
      t = v0h; v0h = v0l; v0l = t;
      // v2 += v3; v3 = rotl(v3, 16) ^ v2
      t = (v2l + v3l) | 0; v2h = (v2h + v3h + ((t >>> 0) < (v2l >>> 0) ? 1 : 0)) | 0; v2l = t;
      h = (v3h << 16) | (v3l >>> 16); l = (v3l << 16) | (v3h >>> 16); v3h = h ^ v2h; v3l = l ^ v2l;
      // v0 += v3; v3 = rotl(v3, 21) ^ v0
      t = (v0l + v3l) | 0; v0h = (v0h + v3h + ((t >>> 0) < (v0l >>> 0) ? 1 : 0)) | 0; v0l = t;
      h = (v3h << 21) | (v3l >>> 11); l = (v3l << 21) | (v3h >>> 11); v3h = h ^ v0h; v3l = l ^ v0l;
      // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
      t = (v2l + v1l) | 0; v2h = (v2h + v1h + ((t >>> 0) < (v2l >>> 0) ? 1 : 0)) | 0; v2l = t;
      h = (v1h << 17) | (v1l >>> 15); l = (v1l << 17) | (v1h >>> 15); v1h = h ^ v2h; v1l = l ^ v2l;
      t = v2h; v2h = v2l; v2l = t;
    }
    v0h ^= mh;
    v0l ^= ml;
  }
  v2l ^= 0xff;
  for (let r = 0; r < 4; r++) {
    t = (v0l + v1l) | 0; v0h = (v0h + v1h + ((t >>> 0) < (v0l >>> 0) ? 1 : 0)) | 0; v0l = t;
    h = (v1h << 13) | (v1l >>> 19); l = (v1l << 13) | (v1h >>> 19); v1h = h ^ v0h; v1l = l ^ v0l;
    t = v0h; v0h = v0l; v0l = t;
    t = (v2l + v3l) | 0; v2h = (v2h + v3h + ((t >>> 0) < (v2l >>> 0) ? 1 : 0)) | 0; v2l = t;
    h = (v3h << 16) | (v3l >>> 16); l = (v3l << 16) | (v3h >>> 16); v3h = h ^ v2h; v3l = l ^ v2l;
    t = (v0l + v3l) | 0; v0h = (v0h + v3h + ((t >>> 0) < (v0l >>> 0) ? 1 : 0)) | 0; v0l = t;
    h = (v3h << 21) | (v3l >>> 11); l = (v3l << 21) | (v3h >>> 11); v3h = h ^ v0h; v3l = l ^ v0l;
    t = (v2l + v1l) | 0; v2h = (v2h + v1h + ((t >>> 0) < (v2l >>> 0) ? 1 : 0)) | 0; v2l = t;
    h = (v1h << 17) | (v1l >>> 15); l = (v1l << 17) | (v1h >>> 15); v1h = h ^ v2h; v1l = l ^ v2l;
    t = v2h; v2h = v2l; v2l = t;
  }
  const rh = v0h ^ v1h ^ v2h ^ v3h;
  const rl = v0l ^ v1l ^ v2l ^ v3l;
  out[outAt] = rl; out[outAt + 1] = rl >>> 8; out[outAt + 2] = rl >>> 16; out[outAt + 3] = rl >>> 24;
  out[outAt + 4] = rh; out[outAt + 5] = rh >>> 8; out[outAt + 6] = rh >>> 16; out[outAt + 7] = rh >>> 24;
}
