/**
 * ByteSlab: what is stored reads back, chunks start at 512 octets and double up
 * to the chunk size, byte strings too big to share a chunk stand alone, and
 * putAt extends only the end of the current chunk. The small first chunk
 * is the point (issue 14): a six-record zone keeps one 512-octet chunk, not
 * a 256 KiB one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteSlab } from '../../../src/zone/byte-slab.js';
import { Rng } from '../../support/rng.js';

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('ByteSlab', () => {
  it('reads back every byte string stored, through chunks of 512, 1024, 2048 ... octets up to the chunk size', () => {
    const slab = new ByteSlab(1 << 16);
    assert.equal(slab.chunkOctets, 512, 'one 512-octet chunk to start with');
    const rng = new Rng(7);
    const kept: { chunk: Uint8Array; start: number; want: Uint8Array }[] = [];
    const sizes = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      const want = bytes(1 + rng.below(200), i);
      slab.put(want);
      sizes.add(slab.lastChunk.length);
      kept.push({ chunk: slab.lastChunk, start: slab.lastStart, want });
    }
    for (const k of kept) assert.deepEqual(k.chunk.subarray(k.start, k.start + k.want.length), k.want);
    assert.deepEqual([...sizes].sort((a, b) => a - b), [512, 1024, 2048, 4096, 8192, 16384, 32768, 65536], 'doubling, then the chunk size');
  });

  it('a byte string over 1/16 of the chunk size gets its own copy and leaves the chunks alone', () => {
    const slab = new ByteSlab(1 << 16);
    const big = bytes(4097, 1);
    slab.put(big);
    assert.equal(slab.lastChunk.length, 4097);
    assert.notEqual(slab.lastChunk, big, 'a copy');
    assert.deepEqual(slab.lastChunk, big);
    assert.equal(slab.chunkOctets, 512);
    assert.equal(slab.putRange(big, 0, big.length), false);
    assert.equal(slab.putPair(big, bytes(1, 0)), false);
  });

  it('a string that does not fit the rest of a chunk starts a new one; putAt only extends the end of the current chunk', () => {
    const slab = new ByteSlab(1 << 16);
    slab.put(bytes(400, 2));
    const first = slab.lastChunk;
    assert.equal(first.length, 512);
    assert.equal(slab.putAt(first, 400, bytes(112, 3)), true, 'room left: 112 octets');
    assert.equal(slab.putAt(first, 512, bytes(1, 4)), false, 'no room');
    assert.equal(slab.putAt(first, 10, bytes(1, 4)), false, 'not the end');
    slab.put(bytes(200, 5));
    assert.notEqual(slab.lastChunk, first);
    assert.equal(slab.lastChunk.length, 1024);
    assert.equal(slab.chunkOctets, 512 + 1024);
    // One too big for the next doubling gets a chunk it fits in (a power of two times the first).
    slab.put(bytes(3000, 6));
    assert.equal(slab.lastChunk.length, 4096);
  });
});
