/**
 * The responder with a rate limiter (BIND's RRL tokens, see
 * src/server/rate-limit-token.ts): what counts as the same answer (the
 * qname and type; the zone for NXDOMAIN; the delegation point for
 * referrals; a wildcard's parent; the client alone for errors), what a
 * slipped answer looks like, and that TCP is never limited.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadZoneText } from '../../../src/zone/load-zone.js';
import { ZoneSet } from '../../../src/query/index.js';
import { RateLimiter } from '../../../src/server/rate-limit.js';
import { RATE_LIMIT_DEFAULTS } from '../../../src/server/rate-limit-settings.js';
import { Responder } from '../../../src/server/responder.js';
import { ServerCookies } from '../../../src/server/server-cookie.js';
import { fixedSecrets } from '../../../src/server/cookie-secrets.js';
import { Name, RRType, Rcode, decodeMessage, emptyMessage, encodeMessageToBytes } from '../../../src/wire/index.js';

const ZONE = `$ORIGIN example.com.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.53
www A 192.0.2.80
www AAAA 2001:db8::80
*.wild A 192.0.2.99
deleg NS ns.deleg
ns.deleg A 192.0.2.100
`;
const ZONES = new ZoneSet([loadZoneText(ZONE, Name.fromText('example.com.'))]);

/** A responder whose limiter allows one response per bucket a second (slip 1: every limited answer is a TC). */
function responder(): Responder {
  const rateLimiter = new RateLimiter({ ...RATE_LIMIT_DEFAULTS, responsesPerSecond: 1, referralsPerSecond: 1, nodataPerSecond: 1, nxdomainsPerSecond: 1, errorsPerSecond: 1, slip: 1, exempt: [] });
  return new Responder(ZONES, { udpPayload: 1232, identity: null, version: null, rateLimiter });
}

function query(name: string, type: number = RRType.A, edns = false): Uint8Array {
  const m = emptyMessage(0x4242);
  m.questions.push({ name: Name.fromText(`${name}.`), type, class: 1 });
  if (edns) m.edns = { udpPayload: 1232, version: 0, dnssecOk: true, z: 0, options: [] };
  return encodeMessageToBytes(m);
}

const CLIENT = { tcp: false, address: '192.0.2.1' };

/** The response through `handle`, or through `handleInto` as the batched listener calls it (issue 16 §1). */
type Via = (r: Responder, q: Uint8Array) => Uint8Array | null;
const VIAS: [string, Via][] = [
  ['handle', (r, q) => r.handle(q, CLIENT)],
  ['handleInto', (r, q) => {
    const slot = new Uint8Array(8192).fill(0xee);
    const n = r.handleInto(q, CLIENT, q.length, slot);
    return n > 0 ? slot.subarray(0, n) : null;
  }],
];

/** 'full', 'tc' or 'none' for the answer to the second of two questions. */
function second(first: [string, number], then: [string, number], via: Via): string {
  const r = responder();
  const a = via(r, query(...first));
  assert.ok(a !== null && (a[2]! & 0x02) === 0, 'the first answer goes out in full');
  const b = via(r, query(...then));
  return b === null ? 'none' : (b[2]! & 0x02) !== 0 ? 'tc' : 'full';
}

describe('Responder + RateLimiter: what is the same answer (table-driven)', () => {
  const cases: { name: string; first: [string, number]; then: [string, number]; want: string }[] = [
    { name: 'the same question: limited, slipped', first: ['www.example.com', RRType.A], then: ['www.example.com', RRType.A], want: 'tc' },
    { name: 'letter case does not make another answer', first: ['www.example.com', RRType.A], then: ['WWW.Example.COM', RRType.A], want: 'tc' },
    { name: 'another type is another answer', first: ['www.example.com', RRType.A], then: ['www.example.com', RRType.AAAA], want: 'full' },
    { name: 'another name is another answer', first: ['www.example.com', RRType.A], then: ['ns1.example.com', RRType.A], want: 'full' },
    { name: 'NXDOMAIN is counted by zone: random names share', first: ['nx1.example.com', RRType.A], then: ['nx2.example.com', RRType.TXT], want: 'tc' },
    { name: 'NODATA is counted by name, whatever the type', first: ['www.example.com', RRType.TXT], then: ['www.example.com', RRType.MX], want: 'tc' },
    { name: "wildcard answers are counted by the wildcard's parent", first: ['a.wild.example.com', RRType.A], then: ['b.wild.example.com', RRType.A], want: 'tc' },
    { name: 'referrals are counted by delegation point', first: ['x.deleg.example.com', RRType.A], then: ['y.deleg.example.com', RRType.AAAA], want: 'tc' },
    { name: 'errors are counted per client and dropped, never slipped', first: ['a.example.org', RRType.A], then: ['b.example.net', RRType.TXT], want: 'none' },
  ];
  for (const c of cases) {
    for (const [how, via] of VIAS) it(`${c.name} (${how})`, () => assert.equal(second(c.first, c.then, via), c.want));
  }
});

describe('Responder + RateLimiter: the slipped answer', () => {
  it('is TC=1 with the question and OPT only, and keeps the RCODE and AA', () => {
    const r = responder();
    r.handle(query('nx.example.com', RRType.A, true), CLIENT);
    const out = r.handle(query('nx.example.com', RRType.A, true), CLIENT);
    assert.ok(out !== null);
    const m = decodeMessage(out);
    assert.equal(m.tc, true);
    assert.equal(m.aa, true);
    assert.equal(m.rcode, Rcode.NXDOMAIN);
    assert.equal(m.id, 0x4242);
    assert.deepEqual(m.questions.map((q) => q.name.toText()), ['nx.example.com.']);
    assert.equal(m.answers.length + m.authorities.length + m.additionals.length, 0);
    assert.ok(m.edns !== null && m.edns.dnssecOk);
  });

  it('TCP is never limited', () => {
    const r = responder();
    for (let i = 0; i < 20; i++) {
      const out = r.handle(query('www.example.com'), { tcp: true, address: '192.0.2.1' });
      assert.ok(out !== null && (out[2]! & 0x02) === 0);
    }
  });
});

describe('Responder + RateLimiter + DNS COOKIE', () => {
  /** The same responder, with server cookies from one fixed secret. */
  function withCookies(): Responder {
    const rateLimiter = new RateLimiter({ ...RATE_LIMIT_DEFAULTS, responsesPerSecond: 1, slip: 1, exempt: [] });
    const cookies = new ServerCookies(fixedSecrets([Uint8Array.from(Buffer.from('00112233445566778899aabbccddeeff', 'hex'))]));
    return new Responder(ZONES, { udpPayload: 1232, identity: null, version: null, rateLimiter, cookies });
  }
  function withCookie(cookie: Uint8Array): Uint8Array {
    const m = emptyMessage(0x4343);
    m.questions.push({ name: Name.fromText('www.example.com.'), type: RRType.A, class: 1 });
    m.edns = { udpPayload: 1232, version: 0, dnssecOk: false, z: 0, options: [{ code: 10, data: cookie }] };
    return encodeMessageToBytes(m);
  }

  it('a query with a server cookie we made is never limited (RFC 7873 §5.2.3); without it the same query is', () => {
    const r = withCookies();
    const client = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const first = r.handle(withCookie(client), CLIENT);
    assert.ok(first !== null);
    const full = decodeMessage(first).edns?.options.find((o) => o.code === 10)?.data;
    assert.ok(full !== undefined && full.length >= 16, 'the first answer carries a server cookie');
    for (let i = 0; i < 5; i++) {
      const a = r.handle(withCookie(full), CLIENT);
      assert.ok(a !== null && (a[2]! & 0x02) === 0, `answer ${i + 2} with the server cookie goes out in full`);
    }
    const limited = r.handle(withCookie(client), CLIENT);
    assert.ok(limited !== null && (limited[2]! & 0x02) !== 0, 'the same question with only a client cookie is slipped');
  });
});
