/**
 * AnswerCache: byte accounting, CLOCK eviction, one entry per (node, key),
 * exact-size copies, and a lookup cost that does not grow with what was
 * asked before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnswerCache, ENTRY_OVERHEAD, MAP_OVERHEAD, entryCost, type PreparedAnswer } from '../../../src/server/answer-cache.js';
import { CHASE_KEY } from '../../../src/server/answer-cache-key.js';
import type { ZoneNode } from '../../../src/zone/index.js';

/** A query whose question name is www.example.com (17 octets). */
const QNAME = [3, 0x77, 0x77, 0x77, 7, ...Buffer.from('example'), 3, ...Buffer.from('com'), 0];
const query = (name = QNAME): Buffer => Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...name, 0, 1, 0, 1]);
const Q = query();
const QEND = 12 + QNAME.length;
const node = (types: number[] = []): ZoneNode => ({ rrsets: new Map(types.map((t) => [t, {}])) }) as unknown as ZoneNode;
const answer = (tail: Uint8Array, chain?: ZoneNode[]): PreparedAnswer => ({ tail, aa: true, rcode: 0, an: 1, ns: 0, ar: 0, ...(chain ? { chain } : {}) });
const tail = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

describe('AnswerCache', () => {
  it('counts each entry with its overhead, and a map once a node has two entries', () => {
    const c = new AnswerCache(1 << 20);
    const n = node();
    assert.ok(c.put(n, 1, Q, QEND, tail(40), answer(tail(40))));
    assert.equal(c.bytes, entryCost(17, 40));
    assert.ok(entryCost(17, 40) >= ENTRY_OVERHEAD + 17 + 40);
    assert.ok(c.put(n, 28, Q, QEND, tail(300), answer(tail(300))));
    assert.equal(c.bytes, entryCost(17, 40) + entryCost(17, 300) + MAP_OVERHEAD);
    assert.equal(c.size, 2);
  });

  it('keeps one entry per (node, key): a second question in other letter case does not replace the first', () => {
    const c = new AnswerCache(1 << 20);
    const n = node();
    assert.ok(c.put(n, 1, Q, QEND, tail(40, 1), answer(tail(40, 1))));
    const upper = query(QNAME.map((b) => (b >= 0x61 && b <= 0x7a ? b - 0x20 : b)));
    assert.equal(c.put(n, 1, upper, QEND, tail(40, 2), answer(tail(40, 2))), false);
    assert.equal(c.get(n, 1, upper, QEND), undefined, 'other letter case: a miss');
    assert.equal(c.get(n, 1, Q, QEND)!.tail[0], 1);
    assert.equal(c.get(n, 2, Q, QEND), undefined, 'other key: a miss');
  });

  it('owns exact-size copies of its octets, not views of what it was given', () => {
    const c = new AnswerCache(1 << 20);
    const n = node();
    const packet = Buffer.concat([query(), Buffer.alloc(60_000)]);
    const slab = Buffer.alloc(8192, 7);
    const t = slab.subarray(100, 150);
    c.put(n, 1, packet, QEND, t, answer(t));
    const hit = c.get(n, 1, packet, QEND)!;
    assert.equal(hit.tail.byteLength, 50);
    assert.equal(hit.tail.buffer.byteLength <= 64 || hit.tail.buffer.byteLength === 50, true, 'not the 8 KiB slab');
    assert.notEqual(hit.tail.buffer, slab.buffer);
    packet.fill(0, 12, QEND);
    slab.fill(9);
    assert.equal(hit.tail[0], 7, 'changing the source does not change the entry');
    assert.ok(c.get(n, 1, query(), QEND) !== undefined, 'the name was copied too');
  });

  it('stays within its byte bound and evicts (CLOCK) instead of refusing new entries', () => {
    const max = 64 * 1024;
    const c = new AnswerCache(max);
    const hot = node();
    c.put(hot, 1, Q, QEND, tail(40), answer(tail(40)));
    let refused = 0;
    for (let i = 0; i < 5000; i++) {
      assert.ok(c.get(hot, 1, Q, QEND) !== undefined, `hot entry still there after ${i} inserts`);
      if (!c.put(node(), 1, Q, QEND, tail(100), answer(tail(100)))) refused++;
      assert.ok(c.bytes <= max, `${c.bytes} > ${max}`);
    }
    assert.equal(refused, 0);
    assert.ok(c.evictions > 4000, `${c.evictions} evictions`);
    assert.ok(c.size > 30, `${c.size} entries held`);
    // The latest entry is in, so the cache keeps learning.
    const last = node();
    assert.ok(c.put(last, 1, Q, QEND, tail(100), answer(tail(100))));
    assert.ok(c.get(last, 1, Q, QEND) !== undefined);
  });

  it('refuses nothing but entries larger than an eighth of the cache, and holds nothing when off', () => {
    assert.equal(new AnswerCache(0).put(node(), 1, Q, QEND, tail(10), answer(tail(10))), false);
    const c = new AnswerCache(64 * 1024);
    assert.equal(c.put(node(), 1, Q, QEND, tail(9000), answer(tail(9000))), false);
    assert.equal(c.size, 0);
  });

  it('serves a chase entry only to types none of its chain nodes holds', () => {
    const c = new AnswerCache(1 << 20);
    const owner = node([5]);
    const target = node([1, 28]);
    c.put(owner, CHASE_KEY, Q, QEND, tail(40), answer(tail(40), [owner, target]));
    assert.ok(c.getChase(owner, CHASE_KEY, 16, Q, QEND) !== undefined, 'TXT: held by no chain node');
    assert.ok(c.getChase(owner, CHASE_KEY, 5000, Q, QEND) !== undefined);
    assert.equal(c.getChase(owner, CHASE_KEY, 1, Q, QEND), undefined, 'A: the target holds it');
    assert.equal(c.getChase(owner, CHASE_KEY, 28, Q, QEND), undefined);
  });

  it('costs the same per lookup after 60,000 keys at one node as after one', () => {
    const timeLookups = (c: AnswerCache, n: ZoneNode): number => {
      const t0 = process.hrtime.bigint();
      let hits = 0;
      for (let i = 0; i < 200_000; i++) if (c.get(n, 1, Q, QEND) !== undefined) hits++;
      assert.equal(hits, 200_000);
      return Number(process.hrtime.bigint() - t0);
    };
    const control = new AnswerCache(1 << 30);
    const cn = node();
    control.put(cn, 1, Q, QEND, tail(40), answer(tail(40)));
    const crowded = new AnswerCache(1 << 30);
    const n = node();
    crowded.put(n, 1, Q, QEND, tail(40), answer(tail(40)));
    // The attack of issue 12: many TYPEn at one name (the old cache walked a list of them on every lookup).
    for (let t = 2; t < 60_000; t++) crowded.put(n, t, Q, QEND, tail(40), answer(tail(40)));
    timeLookups(control, cn);
    timeLookups(crowded, n); // warm both
    const base = Math.min(timeLookups(control, cn), timeLookups(control, cn));
    const after = Math.min(timeLookups(crowded, n), timeLookups(crowded, n));
    // Same-run ratio; the old list walk was thousands of times slower here.
    assert.ok(after < base * 5, `lookup after 60,000 keys: ${after} ns vs ${base} ns`);
  });
});
