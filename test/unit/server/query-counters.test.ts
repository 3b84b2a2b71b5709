/**
 * QueryCounters (src/server/query-counters.ts): each request lands in the
 * slot of its transport, family and type (other types in "other"), each
 * response in its RCODE's, and each duration in the first bucket whose
 * bound is not below it (CoreDNS's ExponentialBuckets(0.00025, 2, 16)).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUNTED_TYPES, DURATION_BUCKETS, QueryCounters, requestSlotLabels } from '../../../src/server/query-counters.js';
import { Rcode, RRType } from '../../../src/wire/index.js';

describe('QueryCounters', () => {
  it('counts requests by proto, family and type; unknown types as other', () => {
    const c = new QueryCounters();
    c.count(false, false, RRType.A, 0, 0.1);
    c.count(false, false, RRType.A, 0, 0.1);
    c.count(true, true, RRType.AAAA, 0, 0.1);
    c.count(false, true, RRType.NAPTR, 3, 0.1);
    c.count(true, false, 0, -1, 0.1); // no question read
    c.count(false, false, 65535, 0, 0.1);
    assert.equal(c.requestsOf(false, false, 'A'), 2);
    assert.equal(c.requestsOf(true, false, 'A'), 0);
    assert.equal(c.requestsOf(false, true, 'A'), 0);
    assert.equal(c.requestsOf(true, true, 'AAAA'), 1);
    assert.equal(c.requestsOf(false, true, 'other'), 1);
    assert.equal(c.requestsOf(true, false, 'other'), 1);
    assert.equal(c.requestsOf(false, false, 'other'), 1);
    assert.equal(c.requests.reduce((a, b) => a + b, 0), 6);
  });

  it('labels every slot once: 2 protos x 2 families x (the types and other)', () => {
    const seen = new Set<string>();
    const c = new QueryCounters();
    for (let i = 0; i < c.requests.length; i++) {
      const l = requestSlotLabels(i);
      seen.add(`${l.tcp} ${l.v6} ${l.type}`);
    }
    assert.equal(seen.size, 4 * (COUNTED_TYPES.length + 1));
    // The slot a count lands in is the slot the labels name.
    for (const t of ['A', 'IXFR', 'HTTPS']) {
      const k = new QueryCounters();
      k.count(true, true, RRType[t as keyof typeof RRType], 0, 0);
      const i = k.requests.findIndex((n) => n === 1);
      assert.deepEqual(requestSlotLabels(i), { tcp: true, v6: true, type: t });
    }
  });

  it('counts responses by RCODE (extended ones too), none for a dropped request, the rest as other', () => {
    const c = new QueryCounters();
    c.count(false, false, 1, Rcode.NXDOMAIN, 0);
    c.count(false, false, 1, Rcode.BADCOOKIE, 0);
    c.count(false, false, 1, -1, 0);
    c.count(false, false, 1, 4000, 0);
    assert.equal(c.responses[Rcode.NXDOMAIN], 1);
    assert.equal(c.responses[23], 1);
    assert.equal(c.responses[24], 1);
    assert.equal(c.responses.reduce((a, b) => a + b, 0), 3);
  });

  it('puts each duration in the first bucket at or above it, the sum in ms', () => {
    assert.equal(DURATION_BUCKETS.length, 16);
    assert.equal(DURATION_BUCKETS[0], 0.00025);
    assert.equal(DURATION_BUCKETS[15], 0.00025 * 2 ** 15);
    const c = new QueryCounters();
    c.count(false, false, 1, 0, 0.01); // 10 µs: first bucket
    c.count(false, false, 1, 0, 0.25); // exactly the first bound: first bucket (le is "less or equal")
    c.count(false, false, 1, 0, 0.3); // second
    c.count(false, false, 1, 0, 9000); // above 8.192 s: +Inf only
    assert.deepEqual([...c.durations.slice(0, 3)], [2, 1, 0]);
    assert.equal(c.durations[16], 1);
    assert.ok(Math.abs(c.durationSumMs - 9000.56) < 1e-9);
  });
  it('over a SharedArrayBuffer, summed and added whole (durations\' sum included), and cleared (issue 16 §3)', () => {
    const a = QueryCounters.shared();
    assert.equal(a.buffer.byteLength, QueryCounters.BYTES);
    const b = new QueryCounters();
    a.counters.count(false, true, RRType.A, Rcode.NOERROR, 0.5);
    b.count(true, false, RRType.AAAA, Rcode.NXDOMAIN, 2);
    b.count(true, false, RRType.AAAA, Rcode.NXDOMAIN, 3);
    // The same memory, as another thread sees it.
    const seen = new QueryCounters(a.buffer);
    assert.equal(seen.requestsOf(false, true, 'A'), 1);
    const total = QueryCounters.sum([seen, b]);
    assert.equal(total.requestsOf(false, true, 'A'), 1);
    assert.equal(total.requestsOf(true, false, 'AAAA'), 2);
    assert.deepEqual([total.responses[Rcode.NOERROR], total.responses[Rcode.NXDOMAIN]], [1, 2]);
    assert.equal(total.durations.reduce((x, y) => x + y, 0), 3);
    assert.ok(Math.abs(total.durationSumMs - 5.5) < 1e-9);
    const gone = new QueryCounters();
    gone.add(a.counters);
    a.counters.clear();
    assert.equal(seen.requestsOf(false, true, 'A'), 0);
    assert.equal(seen.durationSumMs, 0);
    assert.ok(Math.abs(gone.durationSumMs - 0.5) < 1e-9);
    assert.equal(gone.responses[Rcode.NOERROR], 1);
  });
});
