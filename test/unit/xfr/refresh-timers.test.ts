/** SOA timer fields, BIND-like clamps, and jittered refresh/retry delays. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name, RRType, rdataFromText, tokenize } from '../../../src/wire/index.js';
import { DEFAULT_CLAMPS, clampTimers, expireMs, nextDelay, soaTimers } from '../../../src/xfr/refresh-timers.js';

const origin = Name.fromText('example.com.');
const soa = (text: string): Uint8Array => rdataFromText(RRType.SOA, tokenize(text), origin);

describe('soaTimers', () => {
  it('reads REFRESH, RETRY, EXPIRE, MINIMUM after the serial (RFC 1035 §3.3.13)', () => {
    assert.deepEqual(soaTimers(soa('ns1.example.com. hostmaster.example.com. 2024010101 7200 1800 1209600 300')), {
      refresh: 7200, retry: 1800, expire: 1209600, minimum: 300,
    });
  });
  it('reads values above 2^31 as unsigned, and TTL-style units', () => {
    assert.deepEqual(soaTimers(soa('. . 1 4000000000 1h 2w 5m')), { refresh: 4000000000, retry: 3600, expire: 1209600, minimum: 300 });
  });
  it('rejects rdata too short', () => {
    assert.throws(() => soaTimers(Uint8Array.of(0, 0, 1, 2, 3)), RangeError);
  });
});

describe('clampTimers', () => {
  it('keeps values inside the bounds', () => {
    const t = { refresh: 3600, retry: 900, expire: 604800, minimum: 300 };
    assert.deepEqual(clampTimers(t), t);
  });
  it('raises refresh to 300 s and retry to 500 s (BIND min-refresh-time, min-retry-time)', () => {
    assert.deepEqual(clampTimers({ refresh: 10, retry: 5, expire: 604800, minimum: 0 }), { refresh: 300, retry: 500, expire: 604800, minimum: 0 });
  });
  it('caps refresh at 4 weeks and retry at 2 weeks (max-refresh-time, max-retry-time)', () => {
    const t = clampTimers({ refresh: 4000000000, retry: 4000000000, expire: 4000000000, minimum: 0 });
    assert.equal(t.refresh, DEFAULT_CLAMPS.maxRefresh);
    assert.equal(t.refresh, 2419200);
    assert.equal(t.retry, 1209600);
    assert.equal(t.expire, 24 * 7 * 86400);
  });
  it('raises expire to at least refresh + retry', () => {
    assert.equal(clampTimers({ refresh: 3600, retry: 900, expire: 60, minimum: 0 }).expire, 4500);
  });
  it('takes other bounds', () => {
    const t = clampTimers({ refresh: 10, retry: 5, expire: 1, minimum: 0 }, { minRefresh: 1, minRetry: 1 });
    assert.deepEqual(t, { refresh: 10, retry: 5, expire: 15, minimum: 0 });
  });
});

describe('nextDelay', () => {
  const t = { refresh: 3600, retry: 600, expire: 604800, minimum: 300 };
  it('is in ms, between 75% and 100% of the interval (BIND jitter)', () => {
    assert.equal(nextDelay('refresh', t, () => 0), 2_700_000);
    assert.equal(nextDelay('refresh', t, () => 1 - Number.EPSILON), 3_600_000);
    assert.equal(nextDelay('retry', t, () => 0), 450_000);
    assert.equal(nextDelay('retry', t, () => 0.5), 525_000);
    for (let i = 0; i < 200; i++) {
      const d = nextDelay('retry', t, Math.random);
      assert.ok(d >= 450_000 && d <= 600_000);
    }
  });
  it('bounds a random source that strays outside [0, 1)', () => {
    assert.equal(nextDelay('retry', t, () => 7), 600_000);
    assert.equal(nextDelay('retry', t, () => -1), 450_000);
  });
  it('expireMs', () => {
    assert.equal(expireMs(t), 604_800_000);
  });
});
