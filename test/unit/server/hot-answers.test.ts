/**
 * The hot answers' table grows with use (src/server/hot-answers.ts): it
 * begins at INITIAL_SLOTS, doubles when an eighth of its slots are taken,
 * keeps nearly all it held across each doubling, and stops at the size its
 * octets allow. (Answers found against a model: test/property/hot-answers.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HotAnswers, INITIAL_SLOTS, hotKey } from '../../../src/server/hot-answers.js';
import { EXACT_SPELLING } from '../../../src/server/spelling-class.js';
import { Name } from '../../../src/wire/index.js';
import { hashWireName } from '../../../src/zone/index.js';

const TAIL = new Uint8Array(16).fill(7);

/** Question i: a 12-octet header and the name h<i>.example., with its key for type A. */
function question(i: number): { buf: Uint8Array; key: number; wire: Uint8Array } {
  const wire = Name.fromText(`h${i}.example.`).wire;
  const buf = new Uint8Array(12 + wire.length);
  buf.set(wire, 12);
  return { buf, key: hotKey(hashWireName(wire), 1, false), wire };
}

function put(hot: HotAnswers, i: number): boolean {
  const q = question(i);
  return hot.put(q.key, q.wire, 0, q.wire.length, EXACT_SPELLING, 1, false, true, 0, i & 0xffff, 0, 0, TAIL);
}

function found(hot: HotAnswers, i: number): boolean {
  const q = question(i);
  const p = hot.find(q.key, q.buf, q.buf.length, 1, false);
  return p >= 0 && hot.an(p) === (i & 0xffff);
}

describe('HotAnswers: a table that grows with use', () => {
  it('begins small, doubles as questions are kept, and still finds all but a few of those kept before', () => {
    const hot = new HotAnswers(32 * 1024 * 1024); // a serving thread's share of the default answer-cache-size
    assert.equal(hot.slots, INITIAL_SLOTS);
    const sizes = new Set<number>([hot.slots]);
    for (let i = 0; i < 3000; i++) {
      assert.ok(put(hot, i), `question ${i} kept`);
      sizes.add(hot.slots);
    }
    assert.deepEqual([...sizes], [1024, 2048, 4096, 8192, 16384, 32768], 'doubled at each eighth');
    let missing = 0;
    for (let i = 0; i < 3000; i++) if (!found(hot, i)) missing++;
    // Two slots per key: a key whose two slots hold newer entries loses its entry (a cache: 35 of these 3000, where a table of the full size from the start loses none).
    assert.ok(missing <= 60, `${missing} of 3000 questions not found after the table grew 5 times`);
  });

  it('stops at the slots its octets allow, and goes on taking new questions in the ring', () => {
    const hot = new HotAnswers(1 << 20, 2);
    const max = 16384; // the size the constructor gives 1 MiB, which the table had from the start before it grew
    for (let i = 0; i < 100_000; i++) put(hot, i);
    assert.equal(hot.slots, max);
    // The ring holds the newest entries; most of the last thousand are found, the first ones are long written over.
    let recent = 0;
    for (let i = 99_000; i < 100_000; i++) if (found(hot, i)) recent++;
    assert.ok(recent >= 900, `${recent} of the last 1000 found`);
    assert.equal(found(hot, 0), false);
  });

  it('a clear forgets everything without growing or shrinking the table', () => {
    const hot = new HotAnswers(32 * 1024 * 1024);
    for (let i = 0; i < 700; i++) put(hot, i);
    const slots = hot.slots;
    hot.clear();
    for (let i = 0; i < 700; i++) assert.equal(found(hot, i), false, `question ${i} found after a clear`);
    // The same questions again take the slots they had (stale, not empty): no doubling.
    for (let i = 0; i < 700; i++) put(hot, i);
    assert.equal(hot.slots, slots);
    assert.ok(found(hot, 699));
  });
});
