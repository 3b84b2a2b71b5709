/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a 64-bit keyed hash of a short message under a 128-bit key, as
 * RFC 9018 §4.4 uses for DNS server cookies. Written on 32-bit halves, so
 * hashing allocates nothing and needs no BigInt.
 */

/** The state v0..v3 as (high, low) 32-bit halves; reused (hashing is synchronous). */
const v = new Uint32Array(8);
const V0H = 0, V0L = 1, V1H = 2, V1L = 3, V2H = 4, V2L = 5, V3H = 6, V3L = 7;

/** a += b (mod 2^64), on halves at index a and b. */
function add(a: number, b: number): void {
  const lo = v[a + 1]! + v[b + 1]!;
  v[a] = v[a]! + v[b]! + (lo > 0xffffffff ? 1 : 0);
  v[a + 1] = lo;
}

/** x = rotl(x, n) for 0 < n < 32. */
function rotl(x: number, n: number): void {
  const h = v[x]!;
  const l = v[x + 1]!;
  v[x] = (h << n) | (l >>> (32 - n));
  v[x + 1] = (l << n) | (h >>> (32 - n));
}

/** x = rotl(x, 32): swap the halves. */
function swap(x: number): void {
  const h = v[x]!;
  v[x] = v[x + 1]!;
  v[x + 1] = h;
}

/** a ^= b. */
function xor(a: number, b: number): void {
  v[a] = v[a]! ^ v[b]!;
  v[a + 1] = v[a + 1]! ^ v[b + 1]!;
}

/** SipRound (the paper's §2.1). */
function round(): void {
  add(V0H, V1H); rotl(V1H, 13); xor(V1H, V0H); swap(V0H);
  add(V2H, V3H); rotl(V3H, 16); xor(V3H, V2H);
  add(V0H, V3H); rotl(V3H, 21); xor(V3H, V0H);
  add(V2H, V1H); rotl(V1H, 17); xor(V1H, V2H); swap(V2H);
}

function le32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** Absorbs the 64-bit word (hi, lo): two compression rounds. */
function absorb(hi: number, lo: number): void {
  v[V3H] = v[V3H]! ^ hi;
  v[V3L] = v[V3L]! ^ lo;
  round();
  round();
  v[V0H] = v[V0H]! ^ hi;
  v[V0L] = v[V0L]! ^ lo;
}

/**
 * SipHash-2-4 of `msg[start, end)` under the 16-octet `key`; the 8-octet
 * result (little-endian, as the reference code writes it) goes to
 * `out[outAt, outAt + 8)`.
 */
export function siphash24(key: Uint8Array, msg: Uint8Array, start: number, end: number, out: Uint8Array, outAt = 0): void {
  if (key.length !== 16) throw new RangeError('SipHash needs a 16-octet key');
  const k0l = le32(key, 0), k0h = le32(key, 4), k1l = le32(key, 8), k1h = le32(key, 12);
  // The initialisation constants "somepseudorandomlygeneratedbytes".
  v[V0H] = k0h ^ 0x736f6d65; v[V0L] = k0l ^ 0x70736575;
  v[V1H] = k1h ^ 0x646f7261; v[V1L] = k1l ^ 0x6e646f6d;
  v[V2H] = k0h ^ 0x6c796765; v[V2L] = k0l ^ 0x6e657261;
  v[V3H] = k1h ^ 0x74656462; v[V3L] = k1l ^ 0x79746573;
  const len = end - start;
  let p = start;
  for (const last = start + (len & ~7); p < last; p += 8) absorb(le32(msg, p + 4), le32(msg, p));
  // The last word: the remaining octets, and the message length (mod 256) in the top octet.
  let lo = 0;
  let hi = (len & 0xff) << 24;
  const left = end - p;
  for (let i = 0; i < left; i++) {
    if (i < 4) lo |= msg[p + i]! << (8 * i);
    else hi |= msg[p + i]! << (8 * (i - 4));
  }
  absorb(hi >>> 0, lo >>> 0);
  v[V2L] = v[V2L]! ^ 0xff;
  round(); round(); round(); round();
  const rh = v[V0H]! ^ v[V1H]! ^ v[V2H]! ^ v[V3H]!;
  const rl = v[V0L]! ^ v[V1L]! ^ v[V2L]! ^ v[V3L]!;
  out[outAt] = rl; out[outAt + 1] = rl >>> 8; out[outAt + 2] = rl >>> 16; out[outAt + 3] = rl >>> 24;
  out[outAt + 4] = rh; out[outAt + 5] = rh >>> 8; out[outAt + 6] = rh >>> 16; out[outAt + 7] = rh >>> 24;
}
