/**
 * RateLimiter (BIND's RRL semantics) with a fake clock: the rate, the credit
 * window, slip, the separate per-kind limits, prefix aggregation for IPv4 and
 * IPv6, exempt networks, the bounded table and the summary of the most
 * limited prefix.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter, RrlKind, RrlVerdict } from '../../../src/server/rate-limit.js';
import { LOOPBACK_NETWORKS, RATE_LIMIT_DEFAULTS, type RateLimitSettings } from '../../../src/server/rate-limit-settings.js';

const { SEND, DROP } = RrlVerdict;
const A = 1;
const IN_A = (1 << 16) | A;
const IN_TXT = (1 << 16) | 16;

function limiter(over: Partial<RateLimitSettings> = {}): RateLimiter {
  return new RateLimiter({ ...RATE_LIMIT_DEFAULTS, exempt: [], ...over }, 12345);
}

/** One response of each step at time `t` (ms); the verdicts in order. */
interface Step {
  t: number;
  address?: string;
  kind?: RrlKind;
  name?: number;
  type?: number;
  /** How many identical responses (default 1). */
  n?: number;
}

function run(l: RateLimiter, steps: Step[]): string {
  const out: string[] = [];
  for (const s of steps) {
    for (let i = 0; i < (s.n ?? 1); i++) {
      const v = l.check(s.address ?? '192.0.2.1', s.kind ?? RrlKind.ANSWER, s.name ?? 7, s.type ?? IN_A, s.t);
      out.push(v === SEND ? 'S' : v === DROP ? 'D' : 'T');
    }
  }
  return out.join('');
}

describe('RateLimiter: rate, window, slip (table-driven)', () => {
  const cases: { name: string; settings: Partial<RateLimitSettings>; steps: Step[]; want: string }[] = [
    { name: 'rate: `responses-per-second` answers, then drops', settings: { responsesPerSecond: 5, slip: 0 }, steps: [{ t: 0, n: 8 }], want: 'SSSSSDDD' },
    { name: 'credit: the balance refills at the rate, capped at one second of it', settings: { responsesPerSecond: 5, slip: 0 }, steps: [{ t: 0, n: 5 }, { t: 10_000, n: 6 }], want: 'SSSSS' + 'SSSSSD' },
    { name: 'credit: half a second earns half the rate', settings: { responsesPerSecond: 4, slip: 0 }, steps: [{ t: 0, n: 4 }, { t: 500, n: 3 }], want: 'SSSS' + 'SSD' },
    {
      name: 'window: the debt (at most window x rate) must be paid back before answers resume',
      settings: { responsesPerSecond: 2, window: 3, slip: 0 },
      // 1000 over the limit, but the debt stops at -6: after 3 s of credit the balance is 0 again.
      steps: [{ t: 0, n: 1000 }, { t: 2_000 }, { t: 3_000 }],
      want: 'SS' + 'D'.repeat(998) + 'D' + 'D',
    },
    {
      name: 'window: a bucket idle for longer than the window starts afresh',
      settings: { responsesPerSecond: 2, window: 3, slip: 0 },
      steps: [{ t: 0, n: 100 }, { t: 3_001, n: 3 }],
      want: 'SS' + 'D'.repeat(98) + 'SSD',
    },
    { name: 'slip 2: every other dropped answer goes out truncated', settings: { responsesPerSecond: 1, slip: 2 }, steps: [{ t: 0, n: 7 }], want: 'S' + 'TDTDTD' },
    { name: 'slip 1: every dropped answer goes out truncated', settings: { responsesPerSecond: 1, slip: 1 }, steps: [{ t: 0, n: 4 }], want: 'S' + 'TTT' },
    { name: 'slip 3: one in three', settings: { responsesPerSecond: 1, slip: 3 }, steps: [{ t: 0, n: 7 }], want: 'S' + 'TDDTDD' },
    { name: 'slip 0: never truncated, only dropped', settings: { responsesPerSecond: 1, slip: 0 }, steps: [{ t: 0, n: 4 }], want: 'S' + 'DDD' },
    { name: 'errors are never slipped (BIND): only dropped', settings: { errorsPerSecond: 1, slip: 1 }, steps: [{ t: 0, n: 4, kind: RrlKind.ERROR }], want: 'S' + 'DDD' },
    { name: 'a rate of 0 does not limit', settings: { responsesPerSecond: 0 }, steps: [{ t: 0, n: 1000 }], want: 'S'.repeat(1000) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(run(limiter(c.settings), c.steps), c.want);
    });
  }
});

describe('RateLimiter: what shares a bucket (table-driven)', () => {
  // Each case: two responses sent after a first one that used up the bucket (rate 1, no slip).
  // 'D' = the second shares the first's bucket; 'S' = it has its own.
  const base = { responsesPerSecond: 1, referralsPerSecond: 1, nodataPerSecond: 1, nxdomainsPerSecond: 1, errorsPerSecond: 1, slip: 0 };
  const cases: { name: string; first: Step; second: Step; want: 'S' | 'D'; settings?: Partial<RateLimitSettings> }[] = [
    { name: 'same answer, same client', first: { t: 0 }, second: { t: 0 }, want: 'D' },
    { name: 'answers: another type is another answer', first: { t: 0 }, second: { t: 0, type: IN_TXT }, want: 'S' },
    { name: 'answers: another name is another answer', first: { t: 0 }, second: { t: 0, name: 8 }, want: 'S' },
    { name: 'NXDOMAIN: the type does not matter (counted by zone)', first: { t: 0, kind: RrlKind.NXDOMAIN }, second: { t: 0, kind: RrlKind.NXDOMAIN, type: IN_TXT }, want: 'D' },
    { name: 'NODATA: the type does not matter', first: { t: 0, kind: RrlKind.NODATA }, second: { t: 0, kind: RrlKind.NODATA, type: IN_TXT }, want: 'D' },
    { name: 'referral: the type does not matter', first: { t: 0, kind: RrlKind.REFERRAL }, second: { t: 0, kind: RrlKind.REFERRAL, type: IN_TXT }, want: 'D' },
    { name: 'errors: neither name nor type matters (per client)', first: { t: 0, kind: RrlKind.ERROR }, second: { t: 0, kind: RrlKind.ERROR, name: 99, type: IN_TXT }, want: 'D' },
    { name: 'kinds are separate: an NXDOMAIN does not use an answer bucket', first: { t: 0 }, second: { t: 0, kind: RrlKind.NXDOMAIN }, want: 'S' },
    { name: 'v4 /24: another host of the same /24 shares', first: { t: 0, address: '192.0.2.1' }, second: { t: 0, address: '192.0.2.250' }, want: 'D' },
    { name: 'v4 /24: the next /24 does not', first: { t: 0, address: '192.0.2.1' }, second: { t: 0, address: '192.0.3.1' }, want: 'S' },
    { name: 'v4 /32 when configured', first: { t: 0, address: '192.0.2.1' }, second: { t: 0, address: '192.0.2.2' }, want: 'S', settings: { ipv4PrefixLength: 32 } },
    { name: 'v4 /16 when configured', first: { t: 0, address: '192.0.2.1' }, second: { t: 0, address: '192.0.99.2' }, want: 'D', settings: { ipv4PrefixLength: 16 } },
    { name: 'v4-mapped v6 counts as the v4 client', first: { t: 0, address: '192.0.2.1' }, second: { t: 0, address: '::ffff:192.0.2.9' }, want: 'D' },
    { name: 'v6 /56: same /56 shares', first: { t: 0, address: '2001:db8:0:1::1' }, second: { t: 0, address: '2001:db8:0:ff::2' }, want: 'D' },
    { name: 'v6 /56: the next /56 does not', first: { t: 0, address: '2001:db8:0:1::1' }, second: { t: 0, address: '2001:db8:0:100::1' }, want: 'S' },
    { name: 'v6 /64 when configured', first: { t: 0, address: '2001:db8:0:1::1' }, second: { t: 0, address: '2001:db8:0:2::1' }, want: 'S', settings: { ipv6PrefixLength: 64 } },
    { name: 'a v4 network and the v6 network ::c000:200 are apart', first: { t: 0, address: '192.0.2.1' }, second: { t: 0, address: '::c000:201' }, want: 'S', settings: { ipv6PrefixLength: 120 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const l = limiter({ ...base, ...c.settings });
      assert.equal(run(l, [c.first]), 'S');
      assert.equal(run(l, [c.second]), c.want);
    });
  }
});

describe('RateLimiter: separate limits per kind', () => {
  it('nxdomains-per-second and errors-per-second apply on their own', () => {
    const l = limiter({ responsesPerSecond: 100, nxdomainsPerSecond: 2, errorsPerSecond: 3, referralsPerSecond: 1, nodataPerSecond: 4, slip: 0 });
    assert.equal(run(l, [{ t: 0, n: 4, kind: RrlKind.NXDOMAIN }]), 'SSDD');
    assert.equal(run(l, [{ t: 0, n: 5, kind: RrlKind.ERROR }]), 'SSSDD');
    assert.equal(run(l, [{ t: 0, n: 2, kind: RrlKind.REFERRAL }]), 'SD');
    assert.equal(run(l, [{ t: 0, n: 5, kind: RrlKind.NODATA }]), 'SSSSD');
    assert.equal(run(l, [{ t: 0, n: 100 }]), 'S'.repeat(100));
    assert.deepEqual(l.counters.dropped, [0, 1, 1, 2, 2]);
    assert.equal(l.counters.checked, 4 + 5 + 2 + 5 + 100);
  });
});

describe('RateLimiter: exempt', () => {
  const cases: { name: string; exempt: RateLimitSettings['exempt'] | undefined; address: string; limited: boolean }[] = [
    { name: 'default: 127.0.0.1 is exempt', exempt: undefined, address: '127.0.0.1', limited: false },
    { name: 'default: 127.9.9.9 is exempt (127.0.0.0/8)', exempt: undefined, address: '127.9.9.9', limited: false },
    { name: 'default: ::1 is exempt', exempt: undefined, address: '::1', limited: false },
    { name: 'default: other clients are not', exempt: undefined, address: '192.0.2.1', limited: true },
    { name: 'exempt: [] limits loopback too', exempt: [], address: '127.0.0.1', limited: true },
    { name: 'an explicit list replaces the loopback default', exempt: [{ family: 4, network: Uint8Array.of(10, 0, 0, 0), prefix: 8 }], address: '127.0.0.1', limited: true },
    { name: 'an explicit list exempts its networks', exempt: [{ family: 4, network: Uint8Array.of(10, 0, 0, 0), prefix: 8 }], address: '10.1.2.3', limited: false },
    { name: 'a v6 network', exempt: [{ family: 6, network: Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), prefix: 32 }], address: '2001:db8:1::5', limited: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const l = new RateLimiter({ ...RATE_LIMIT_DEFAULTS, responsesPerSecond: 1, slip: 0, ...(c.exempt === undefined ? {} : { exempt: c.exempt }) });
      assert.equal(run(l, [{ t: 0, n: 3, address: c.address }]), c.limited ? 'SDD' : 'SSS');
      // limits(): what the responder asks before it reads the response's token; an exempt client is counted so.
      const k = new RateLimiter({ ...RATE_LIMIT_DEFAULTS, responsesPerSecond: 1, slip: 0, ...(c.exempt === undefined ? {} : { exempt: c.exempt }) });
      assert.equal(k.limits(c.address), c.limited);
      assert.equal(k.counters.exempt, c.limited ? 0 : 1);
    });
  }
  it('the default list is the loopback networks', () => {
    assert.deepEqual(RATE_LIMIT_DEFAULTS.exempt, [...LOOPBACK_NETWORKS]);
  });
});

describe('RateLimiter: bounded table', () => {
  it('the table never grows: max-table-size rounded up to a power of two', () => {
    const l = limiter({ maxTableSize: 100 });
    assert.equal(l.tableSize, 128);
    for (let i = 0; i < 50_000; i++) l.check(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.1`, RrlKind.ANSWER, i, IN_A, i);
    assert.equal(l.tableSize, 128);
  });

  it('a flood stays limited while 10,000 other clients churn a 16-slot table', () => {
    const l = limiter({ maxTableSize: 16, responsesPerSecond: 5, slip: 0 });
    let t = 0;
    let sent = 0;
    for (let i = 0; i < 10_000; i++) {
      t += 0.01;
      if (l.check('198.51.100.7', RrlKind.ANSWER, 1, IN_A, t) === SEND) sent++;
      l.check(`10.${(i >> 8) & 255}.${i & 255}.1`, RrlKind.ANSWER, i, IN_A, t);
    }
    // 100 ms of flood: 5 at the start, plus 5/s of credit.
    assert.ok(sent <= 6, `flood answered ${sent} times`);
  });

  it('the stalest slot is reused, so a new client is always counted', () => {
    const l = limiter({ maxTableSize: 16, responsesPerSecond: 1, slip: 0 });
    for (let i = 0; i < 1000; i++) assert.equal(l.check(`10.0.${i & 255}.${i >> 8}`, RrlKind.ANSWER, i, IN_A, i), SEND);
    assert.equal(run(l, [{ t: 2000, n: 2, address: '203.0.113.1' }]), 'SD');
  });
});

describe('RateLimiter: summary', () => {
  it('takeTop names the most limited prefix of the interval, then starts a new one', () => {
    const l = limiter({ responsesPerSecond: 1, nxdomainsPerSecond: 1, slip: 2 });
    run(l, [{ t: 0, n: 11, address: '192.0.2.9' }, { t: 0, n: 3, address: '2001:db8:aa:bb01::1', kind: RrlKind.NXDOMAIN }]);
    assert.deepEqual(l.takeTop(), { prefix: '192.0.2.0/24', kind: 'answer', limited: 10 });
    assert.equal(l.takeTop(), null);
    run(l, [{ t: 1, n: 4, address: '2001:db8:aa:bb01::1', kind: RrlKind.NXDOMAIN }]);
    assert.deepEqual(l.takeTop(), { prefix: '2001:db8:aa:bb00::/56', kind: 'nxdomain', limited: 4 });
    assert.deepEqual(l.counters.slipped, [5, 0, 0, 3, 0]);
    assert.deepEqual(l.counters.dropped, [5, 0, 0, 3, 0]);
  });
});
