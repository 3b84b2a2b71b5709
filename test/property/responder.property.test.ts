/**
 * Responder properties: a Responder that has answered many queries before
 * (prepared and hot answers in place; through handle and handleInto) gives
 * the same octets as a fresh one and as one without any cache, for
 * random questions and EDNS settings; and `handle` never throws on any
 * input, answering with the query's ID or not at all.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { loadZoneText } from '../../src/zone/load-zone.js';
import { ZoneSet } from '../../src/query/index.js';
import { Responder } from '../../src/server/responder.js';
import type { ResponderOptions } from '../../src/server/responder-options.js';
import { Name, RRType, decodeMessage, emptyMessage, encodeMessageToBytes, type EdnsOption } from '../../src/wire/index.js';

const ORIGIN = Name.fromText('example.com.');

function lines(n: number, f: (i: number) => string): string {
  return Array.from({ length: n }, (_, i) => f(i + 1)).join('\n');
}

const ZONE = `$ORIGIN example.com.
$TTL 300
@ 86400 SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
@ NS ns1
@ NS ns2
@ MX 10 Mail
@ TXT "v=spf1 -all"
ns1 A 192.0.2.53
ns1 AAAA 2001:db8::53
ns2 A 192.0.2.54
Mail A 192.0.2.25
www A 192.0.2.80
www AAAA 2001:db8::80
MixedCase A 192.0.2.81
mixedcase TXT "mixed"
cname CNAME www
chain CNAME cname
out CNAME www.example.net.
loop1 CNAME loop2
loop2 CNAME loop1
*.wild A 192.0.2.90
*.wild TXT "wild"
_sip._tcp SRV 10 60 5060 sip
sip A 192.0.2.60
a.b.c.ent A 192.0.2.70
dn DNAME example.net.
${lines(6, (i) => `mid TXT "${i}${'m'.repeat(180)}"`)}
${lines(10, (i) => `big TXT "${i}${'b'.repeat(200)}"`)}
deleg NS ns.deleg
deleg NS ns.fat
deleg DS 12345 13 2 ${'ab'.repeat(32)}
ns.deleg A 192.0.2.100
${lines(12, (i) => `fat NS ns${i}.fat`)}
${lines(12, (i) => `ns${i}.fat A 192.0.3.${i}\nns${i}.fat AAAA 2001:db8:3::${i}`)}
`;

const NET = `$ORIGIN example.net.
$TTL 300
@ SOA ns1.example.com. hostmaster 7 7200 3600 1209600 300
@ NS ns1.example.com.
www A 198.51.100.80
`;

const ZONES = new ZoneSet([loadZoneText(ZONE, ORIGIN), loadZoneText(NET, Name.fromText('example.net.'))]);
const OPTIONS: ResponderOptions = { udpPayload: 1232, identity: 'ns1.test', version: 'tyne-test' };
const fresh = (): Responder => new Responder(ZONES, OPTIONS);
/** No prepared or hot answers at all: every answer from answer() and the encoder. */
const general = new Responder(ZONES, { ...OPTIONS, answerCacheSize: 0 });

const OWNERS = [
  'example.com', 'ns1.example.com', 'ns2.example.com', 'mail.example.com', 'www.example.com', 'mixedcase.example.com',
  'cname.example.com', 'chain.example.com', 'out.example.com', 'loop1.example.com', 'x.wild.example.com', 'wild.example.com',
  '_sip._tcp.example.com', 'sip.example.com', 'a.b.c.ent.example.com', 'c.ent.example.com', 'dn.example.com', 'x.dn.example.com',
  'mid.example.com', 'big.example.com', 'deleg.example.com', 'ns.deleg.example.com', 'fat.example.com', 'ns3.fat.example.com',
  'example.net', 'www.example.net', 'example.org', 'version.bind', 'id.server',
];
const TYPES = [
  RRType.A, RRType.AAAA, RRType.NS, RRType.SOA, RRType.MX, RRType.TXT, RRType.CNAME, RRType.DNAME, RRType.DS, RRType.ANY,
  RRType.SRV, RRType.PTR, RRType.RRSIG, RRType.NSEC, RRType.DNSKEY, RRType.AXFR, RRType.IXFR, RRType.MAILA, RRType.OPT,
  0, 99, 4000, 65535,
];

const label = fc.stringMatching(/^[a-z0-9-]{1,12}$/);

/**
 * A question name: a zone owner, maybe under a few random labels, in random
 * letter case: every letter, or the first label only (the rest as the zone
 * spells it), or the first label and the rest in capitals; so that a
 * question's suffix is now and then spelled as the zone's names are and
 * now and then not (what the spelling classes of spelling-class.ts turn on).
 */
const qname = fc
  .tuple(fc.constantFrom(...OWNERS), fc.array(label, { maxLength: 2 }), fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }), fc.constantFrom(0, 1, 2))
  .map(([owner, prefix, upper, style]) => {
    const text = [...prefix, owner].join('.');
    const firstEnd = style === 0 ? text.length : text.indexOf('.') < 0 ? text.length : text.indexOf('.');
    let out = '';
    for (let i = 0; i < text.length; i++) {
      if (i < firstEnd) out += upper[i % upper.length] ? text[i]!.toUpperCase() : text[i]!;
      else out += style === 2 ? text[i]!.toUpperCase() : text[i]!;
    }
    return out;
  });

const ednsArb = fc.option(
  fc.record({
    payload: fc.oneof(fc.constantFrom(0, 100, 511, 512, 513, 1000, 1232, 1400, 4096, 65535), fc.integer({ min: 0, max: 65535 })),
    version: fc.oneof({ weight: 5, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 255 }) }),
    dnssecOk: fc.boolean(),
    nsid: fc.boolean(),
    unknown: fc.boolean(),
  }),
  { nil: null },
);

const queryArb = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  name: qname,
  type: fc.constantFrom(...TYPES),
  ch: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  rd: fc.boolean(),
  cd: fc.boolean(),
  ad: fc.boolean(),
  edns: ednsArb,
  tcp: fc.boolean(),
});
type QueryShape = typeof queryArb extends fc.Arbitrary<infer T> ? T : never;

function encode(q: QueryShape): Uint8Array {
  const m = emptyMessage(q.id);
  m.rd = q.rd;
  m.cd = q.cd;
  m.ad = q.ad;
  m.questions.push({ name: Name.fromText(`${q.name}.`), type: q.type, class: q.ch ? 3 : 1 });
  if (q.edns !== null) {
    const options: EdnsOption[] = [];
    if (q.edns.unknown) options.push({ code: 65001, data: Uint8Array.of(1, 2, 3) });
    if (q.edns.nsid) options.push({ code: 3, data: new Uint8Array(0) });
    m.edns = { udpPayload: q.edns.payload, version: q.edns.version, dnssecOk: q.edns.dnssecOk, z: 0, options };
  }
  return encodeMessageToBytes(m);
}

const hex = (b: Uint8Array | null): string => (b === null ? 'null' : Buffer.from(b).toString('hex'));

describe('Responder: a warm cache answers as a fresh Responder does', () => {
  const warm = fresh();

  before(() => {
    // Warm it: every owner, in two spellings, every type, both transports, with and without EDNS.
    let id = 0;
    for (const owner of OWNERS) {
      for (const name of [owner, owner.toUpperCase()]) {
        for (const type of TYPES) {
          for (const tcp of [false, true]) {
            for (const edns of [null, { payload: 1232, version: 0, dnssecOk: false, nsid: true, unknown: false }]) {
              warm.handle(encode({ id: id++ & 0xffff, name, type, ch: false, rd: true, cd: false, ad: false, edns, tcp }), { tcp });
            }
          }
        }
      }
    }
    assert.ok(warm.cachedAnswers > 20, `warmed with ${warm.cachedAnswers} prepared answers`);
  });

  it('random questions, cases, types and EDNS settings', () => {
    fc.assert(
      fc.property(queryArb, (q) => {
        const bytes = encode(q);
        const ctx = { tcp: q.tcp };
        const want = fresh().handle(bytes, ctx);
        assert.equal(hex(general.handle(bytes, ctx)), hex(want), 'the general path alone');
        const got = warm.handle(bytes, ctx);
        assert.equal(hex(got), hex(want));
        // And the warm one again (now certainly prepared, if it can be), then into a used send slot (hot, if it can be).
        assert.equal(hex(warm.handle(bytes, ctx)), hex(want));
        const slot = new Uint8Array(8192).fill(0xa5);
        const n = warm.handleInto(bytes, ctx, bytes.length, slot);
        assert.equal(n > 0 ? hex(slot.subarray(0, n)) : n < 0 ? hex(warm.oversize) : 'null', hex(want), 'handleInto');
      }),
      { numRuns: 3000, seed: 20240101 },
    );
  });
});

describe('Responder: any input', () => {
  const warm = fresh();

  function check(r: Responder, bytes: Uint8Array, tcp: boolean): Uint8Array | null {
    let out: Uint8Array | null;
    try {
      out = r.handle(bytes, { tcp });
    } catch (err) {
      assert.fail(`handle threw on ${hex(bytes)}: ${(err as Error).stack}`);
    }
    if (out !== null) {
      assert.ok(bytes.length >= 2);
      assert.ok(out.length >= 12, 'at least a header');
      assert.equal((out[0]! << 8) | out[1]!, (bytes[0]! << 8) | bytes[1]!, 'the ID of the query');
      assert.equal(out[2]! & 0x80, 0x80, 'QR set');
      assert.ok(tcp || out.length <= 65535);
      decodeMessage(out); // a well-formed message
    }
    return out;
  }

  it('arbitrary octets: never throws; null or a message with the query ID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, tcp) => {
        const out = check(warm, bytes, tcp);
        assert.equal(hex(out), hex(fresh().handle(bytes, { tcp })));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('queries with random octets changed, cut or appended: never throws; null or a message with the query ID', () => {
    const mutated = fc
      .tuple(queryArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.option(fc.nat(), { nil: undefined }), fc.uint8Array({ maxLength: 8 }))
      .map(([q, edits, cut, tail]) => {
        const b = Uint8Array.from([...encode(q), ...tail]);
        for (const [at, v] of edits) b[at % b.length] = v;
        return { bytes: cut === undefined ? b : b.subarray(0, cut % (b.length + 1)), tcp: q.tcp };
      });
    fc.assert(
      fc.property(mutated, ({ bytes, tcp }) => {
        const out = check(warm, bytes, tcp);
        assert.equal(hex(out), hex(fresh().handle(bytes, { tcp })));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});
