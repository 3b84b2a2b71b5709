import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IDLE_EVICT_MS, TcpQuota, type QuotaConnection, type QuotaEvent } from '../../../src/server/tcp-quota.js';

interface Fake extends QuotaConnection {
  evicted: boolean;
  isBusy: boolean;
}

const conn = (address: string, busy = false): Fake => {
  const c: Fake = { address, evicted: false, isBusy: busy, busy: () => c.isBusy, evict: () => { c.evicted = true; } };
  return c;
};

describe('TcpQuota', () => {
  const make = (maxConnections: number, maxPerClient: number): { q: TcpQuota; events: QuotaEvent[] } => {
    const events: QuotaEvent[] = [];
    return { q: new TcpQuota({ idleTimeoutMs: 10_000, maxConnections, maxPerClient }, (e) => events.push(e)), events };
  };

  it('refuses the connection past the per-client limit, not other clients', () => {
    const { q, events } = make(100, 2);
    const [a, b, c] = [conn('192.0.2.1'), conn('192.0.2.1'), conn('192.0.2.1')];
    assert.equal(q.admit(a, 0), true);
    assert.equal(q.admit(b, 0), true);
    assert.equal(q.admit(c, 0), false);
    assert.equal(q.admit(conn('192.0.2.2'), 0), true);
    assert.deepEqual(events, ['per-client']);
    q.release(a);
    q.release(a); // twice: counted once
    assert.equal(q.from('192.0.2.1'), 1);
    assert.equal(q.admit(c, 0), true);
  });

  const full: { name: string; busy: boolean[]; touchedAt: number[]; at: number; admitted: boolean; evicted: number | null }[] = [
    { name: 'all active recently: the newcomer is refused', busy: [false, false], touchedAt: [0, 0], at: IDLE_EVICT_MS - 1, admitted: false, evicted: null },
    { name: 'the idle longest goes once idle long enough', busy: [false, false], touchedAt: [0, 0], at: IDLE_EVICT_MS, admitted: true, evicted: 0 },
    { name: 'a busy one (a transfer, pending answers) is never evicted', busy: [true, false], touchedAt: [0, 0], at: 60_000, admitted: true, evicted: 1 },
    { name: 'all busy: refused', busy: [true, true], touchedAt: [0, 0], at: 60_000, admitted: false, evicted: null },
    { name: 'recent activity counts, not the opening order', busy: [false, false], touchedAt: [3000, 0], at: 4000, admitted: true, evicted: 1 },
  ];
  for (const t of full) {
    it(`past the global limit: ${t.name}`, () => {
      const { q, events } = make(2, 100);
      const cs = t.busy.map((b, i) => conn(`192.0.2.${i + 1}`, b));
      for (const c of cs) q.admit(c, 0);
      for (const [i, c] of cs.entries()) q.touch(c, t.touchedAt[i]!);
      // touch re-orders by activity: apply in time order
      const order = cs.map((c, i) => ({ c, at: t.touchedAt[i]! })).sort((x, y) => x.at - y.at);
      for (const o of order) q.touch(o.c, o.at);
      assert.equal(q.admit(conn('198.51.100.1'), t.at), t.admitted);
      assert.deepEqual(cs.map((c) => c.evicted), cs.map((_, i) => i === t.evicted));
      assert.deepEqual(events, t.admitted ? ['evicted-idle'] : ['full']);
      assert.equal(q.size, 2);
    });
  }
});

