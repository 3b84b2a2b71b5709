/**
 * ByteSlab: what is stored reads back, chunks start at 4 KiB and double up
 * to the chunk size, byte strings too big to share a chunk stand alone, and
 * putAt extends only the end of the current chunk. The small first chunk
 * is the point (issue 14): a six-record zone keeps one 4 KiB chunk, not a
 * 256 KiB one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteSlab } from '../../../src/zone/byte-slab.js';
import { Rng } from '../../support/rng.js';

const bytes = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('ByteSlab', () => {
  it('reads back every byte string stored, through chunks of 4, 8, 16 ... KiB up to the chunk size', () => {
    const slab = new ByteSlab(1 << 16);
    assert.equal(slab.chunkOctets, 4096, 'one 4 KiB chunk to start with');
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
    assert.deepEqual([...sizes].sort((a, b) => a - b), [4096, 8192, 16384, 32768, 65536], 'doubling, then the chunk size');
  });

  it('a byte string over 1/16 of the chunk size gets its own copy and leaves the chunks alone', () => {
    const slab = new ByteSlab(1 << 16);
    const big = bytes(4097, 1);
    slab.put(big);
    assert.equal(slab.lastChunk.length, 4097);
    assert.notEqual(slab.lastChunk, big, 'a copy');
    assert.deepEqual(slab.lastChunk, big);
    assert.equal(slab.chunkOctets, 4096);
    assert.equal(slab.putRange(big, 0, big.length), false);
    assert.equal(slab.putPair(big, bytes(1, 0)), false);
  });

  it('a string that does not fit the rest of a chunk starts a new one; putAt only extends the end of the current chunk', () => {
    const slab = new ByteSlab(1 << 16);
    slab.put(bytes(4000, 2));
    const first = slab.lastChunk;
    assert.equal(slab.putAt(first, 4000, bytes(96, 3)), true, 'room left: 96 octets');
    assert.equal(slab.putAt(first, 4096, bytes(1, 4)), false, 'no room');
    assert.equal(slab.putAt(first, 10, bytes(1, 4)), false, 'not the end');
    slab.put(bytes(200, 5));
    assert.notEqual(slab.lastChunk, first);
    assert.equal(slab.lastChunk.length, 8192);
    assert.equal(slab.chunkOctets, 4096 + 8192);
  });
});
