/**
 * Responder over a small zone: header flags, EDNS (RFC 6891, RFC 5001),
 * truncation (RFC 2181 §9, RFC 9471), CH names, NOTIMP, REFUSED, and the
 * prepared-answer cache (every answer it gives must be the octets a fresh
 * Responder would give).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadZoneText } from '../../../src/zone/load-zone.js';
import { ZoneSet } from '../../../src/query/index.js';
import type { HandleContext } from '../../../src/server/handle-context.js';
import { Responder } from '../../../src/server/responder.js';
import type { ResponderOptions } from '../../../src/server/responder-options.js';
import type { TransferHooks, TransferOutInfo } from '../../../src/server/transfer-hooks.js';
import { readRequest } from '../../../src/server/request.js';
import { HotAnswers, hotAnswersFor, hotKey } from '../../../src/server/hot-answers.js';
import { hashWireName } from '../../../src/zone/index.js';
import { AnswerPath } from '../../../src/server/prepared-answer.js';
import { Rng } from '../../support/rng.js';
import { ServerCookies } from '../../../src/server/server-cookie.js';
import { fixedSecrets } from '../../../src/server/cookie-secrets.js';
import { Name, Opcode, Rcode, RRType, decodeMessage, emptyMessage, encodeMessageToBytes, setSoaSerial, type EdnsOption, type Message } from '../../../src/wire/index.js';
import type { TsigKey } from '../../../src/tsig/tsig-key.js';
import { tsigSign } from '../../../src/tsig/tsig.js';

const ORIGIN = Name.fromText('example.com.');

/** `count` distinct TXT records of 200 octets each at `owner`. */
function txt(owner: string, count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${owner} TXT "${String(i).padStart(3, '0')}${'x'.repeat(197)}"`);
  return lines.join('\n');
}

function hosts(prefix: string, suffix: string, n: number, net: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) {
    const h = `${prefix}${String(i).padStart(2, '0')}${suffix}`;
    lines.push(`${h} A 192.0.${net}.${i}`, `${h} AAAA 2001:db8:${net}::${i}`);
  }
  return lines.join('\n');
}

function nsList(owner: string, prefix: string, suffix: string, n: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= n; i++) lines.push(`${owner} NS ${prefix}${String(i).padStart(2, '0')}${suffix}`);
  return lines.join('\n');
}

const ZONE_TEXT = (serialAndA: { serial: number; www: string } = { serial: 2024010101, www: '192.0.2.80' }): string => `$ORIGIN example.com.
$TTL 300
@ 86400 SOA ns1 hostmaster ${serialAndA.serial} 7200 3600 1209600 300
@ NS ns1
@ NS ns2
ns1 A 192.0.2.53
ns2 A 192.0.2.54
www A ${serialAndA.www}
www AAAA 2001:db8::80
MixedCase A 192.0.2.81
mixedcase TXT "mixed"
cname CNAME www
mail MX 10 ns1
${txt('small', 1)}
${txt('mid', 4)}
${txt('big', 7)}
${txt('huge', 30)}
deleg NS ns.deleg
ns.deleg A 192.0.2.100
${nsList('fat', 'ns', '.fat', 12)}
${hosts('ns', '.fat', 12, 10)}
${nsList('sib', 'ns', '.fat.example.com.', 12)}
`;

const zones = (text = ZONE_TEXT()): ZoneSet => new ZoneSet([loadZoneText(text, ORIGIN)]);
const ZONES = zones();
const OPTIONS: ResponderOptions = { udpPayload: 1232, identity: 'ns1.test', version: 'tyne-test' };
const fresh = (opts: Partial<ResponderOptions> = {}, set = ZONES): Responder => new Responder(set, { ...OPTIONS, ...opts });

interface Q {
  id?: number;
  name: string;
  type?: number;
  cls?: number;
  rd?: boolean;
  cd?: boolean;
  ad?: boolean;
  opcode?: number;
  edns?: { payload?: number; version?: number; do?: boolean; options?: EdnsOption[] };
}

function query(q: Q): Uint8Array {
  const m = emptyMessage(q.id ?? 0x1234);
  m.opcode = q.opcode ?? 0;
  m.rd = q.rd ?? false;
  m.cd = q.cd ?? false;
  m.ad = q.ad ?? false;
  m.questions.push({ name: Name.fromText(q.name.endsWith('.') ? q.name : `${q.name}.`), type: q.type ?? RRType.A, class: q.cls ?? 1 });
  if (q.edns !== undefined) {
    m.edns = { udpPayload: q.edns.payload ?? 1232, version: q.edns.version ?? 0, dnssecOk: q.edns.do ?? false, z: 0, options: q.edns.options ?? [] };
  }
  return encodeMessageToBytes(m);
}

const UDP = { tcp: false };
const TCP = { tcp: true };

function ask(r: Responder, q: Q, ctx: HandleContext = UDP): { bytes: Uint8Array; msg: Message } {
  const bytes = r.handle(query(q), ctx);
  assert.ok(bytes !== null, 'expected a response');
  return { bytes, msg: decodeMessage(bytes) };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const NSID = (): EdnsOption => ({ code: 3, data: new Uint8Array(0) });

describe('Responder: header flags', () => {
  it('QR set, opcode QUERY, RD and CD copied, RA, Z and AD clear', () => {
    const r = fresh();
    for (const rd of [false, true]) {
      for (const cd of [false, true]) {
        // Twice each: the second is served from the prepared answer.
        for (let round = 0; round < 2; round++) {
          const { msg } = ask(r, { name: 'www.example.com', rd, cd, ad: true });
          assert.equal(msg.qr, true);
          assert.equal(msg.opcode, Opcode.QUERY);
          assert.equal(msg.rd, rd, `RD copied (rd=${rd}, round ${round})`);
          assert.equal(msg.cd, cd, `CD copied (cd=${cd}, round ${round})`);
          assert.equal(msg.ra, false, 'RA never set');
          assert.equal(msg.ad, false, 'AD clear');
          assert.equal(msg.z, false, 'Z clear');
          assert.equal(msg.aa, true);
          assert.equal(msg.tc, false);
        }
      }
    }
  });

  it('the Z bit of the query is not echoed', () => {
    const q = query({ name: 'www.example.com', rd: true });
    q[3] = q[3]! | 0x40;
    const out = fresh().handle(q, UDP)!;
    assert.equal(out[3]! & 0x40, 0);
  });

  it('AA: set on authoritative answers, NXDOMAIN and NODATA; clear on referrals and REFUSED', () => {
    const r = fresh();
    assert.equal(ask(r, { name: 'www.example.com' }).msg.aa, true);
    const nx = ask(r, { name: 'nope.example.com' }).msg;
    assert.equal(nx.rcode, Rcode.NXDOMAIN);
    assert.equal(nx.aa, true);
    assert.equal(nx.authorities[0]?.type, RRType.SOA);
    const nodata = ask(r, { name: 'www.example.com', type: RRType.MX }).msg;
    assert.equal(nodata.rcode, Rcode.NOERROR);
    assert.equal(nodata.answers.length, 0);
    assert.equal(nodata.aa, true);
    const ref = ask(r, { name: 'a.deleg.example.com' }).msg;
    assert.equal(ref.aa, false);
    assert.equal(ref.authorities[0]?.type, RRType.NS);
    assert.equal(ref.additionals[0]?.type, RRType.A, 'glue');
    const refused = ask(r, { name: 'www.example.org', rd: true }).msg;
    assert.equal(refused.rcode, Rcode.REFUSED);
    assert.equal(refused.aa, false);
    assert.equal(refused.rd, true);
    assert.equal(refused.answers.length + refused.authorities.length + refused.additionals.length, 0);
    assert.equal(refused.questions[0]!.name.toText(), 'www.example.org.');
  });
});

describe('Responder: EDNS', () => {
  it('no OPT in the query, none in the response', () => {
    const r = fresh();
    for (const name of ['www.example.com', 'nope.example.com', 'www.example.org', 'mid.example.com']) {
      const { msg } = ask(r, { name, type: name.startsWith('mid') ? RRType.TXT : RRType.A });
      assert.equal(msg.edns, null, name);
    }
    assert.equal(ask(r, { name: 'version.bind', type: RRType.TXT, cls: 3 }).msg.edns, null);
  });

  it('OPT in the query: OPT in the response with version 0 and our payload, DO echoed', () => {
    const r = fresh();
    for (const d of [false, true]) {
      for (let round = 0; round < 2; round++) {
        const { msg } = ask(r, { name: 'www.example.com', edns: { payload: 4096, do: d } });
        assert.ok(msg.edns !== null);
        assert.equal(msg.edns.version, 0);
        assert.equal(msg.edns.udpPayload, 1232);
        assert.equal(msg.edns.dnssecOk, d, `DO=${d} echoed (round ${round})`);
        assert.deepEqual(msg.edns.options, []);
      }
    }
    for (const name of ['nope.example.com', 'www.example.org']) {
      const { msg } = ask(r, { name, edns: { do: true } });
      assert.ok(msg.edns !== null && msg.edns.dnssecOk, name);
    }
  });

  it('a configured payload below 512 is advertised as 512', () => {
    const { msg } = ask(fresh({ udpPayload: 100 }), { name: 'www.example.com', edns: {} });
    assert.equal(msg.edns?.udpPayload, 512);
  });

  it('EDNS version above 0 gets BADVERS with an OPT of version 0 and no records', () => {
    for (const version of [1, 255]) {
      const { bytes, msg } = ask(fresh(), { name: 'www.example.com', rd: true, edns: { version, do: true } });
      assert.equal(msg.rcode, Rcode.BADVERS, `version ${version}`);
      assert.equal(bytes[3]! & 0xf, 0, 'low RCODE bits 0');
      assert.ok(msg.edns !== null);
      assert.equal(msg.edns.version, 0);
      assert.equal(msg.answers.length + msg.authorities.length + msg.additionals.length, 0);
      assert.equal(msg.rd, true);
    }
    // Even for names we do not serve.
    assert.equal(ask(fresh(), { name: 'www.example.org', edns: { version: 1 } }).msg.rcode, Rcode.BADVERS);
  });

  it('unknown options are ignored: the response is the same octets as without them', () => {
    const opts: EdnsOption[] = [{ code: 65001, data: Uint8Array.of(1, 2, 3) }, { code: 12, data: new Uint8Array(8) }];
    for (const name of ['www.example.com', 'nope.example.com', 'mid.example.com']) {
      const plain = fresh().handle(query({ name, type: RRType.TXT, edns: { payload: 4096 } }), UDP)!;
      const withOpts = fresh().handle(query({ name, type: RRType.TXT, edns: { payload: 4096, options: opts } }), UDP)!;
      assert.equal(hex(withOpts), hex(plain), name);
    }
  });

  it('NSID: the identity when asked, on fresh and prepared answers', () => {
    const r = fresh();
    for (let round = 0; round < 2; round++) {
      const { msg } = ask(r, { name: 'www.example.com', edns: { options: [NSID()] } });
      assert.deepEqual(msg.edns?.options.map((o) => [o.code, Buffer.from(o.data).toString()]), [[3, 'ns1.test']], `round ${round}`);
    }
    // Not asked: no NSID.
    assert.deepEqual(ask(r, { name: 'www.example.com', edns: {} }).msg.edns?.options, []);
    // Asked among other options.
    const among = ask(r, { name: 'www.example.com', edns: { options: [{ code: 65001, data: Uint8Array.of(7) }, NSID()] } }).msg;
    assert.deepEqual(among.edns?.options.map((o) => o.code), [3]);
    // On negative, refused and truncated answers too.
    for (const q of [{ name: 'nope.example.com' }, { name: 'www.example.org' }, { name: 'big.example.com', type: RRType.TXT }]) {
      const { msg } = ask(r, { ...q, edns: { options: [NSID()] } });
      assert.equal(Buffer.from(msg.edns?.options[0]?.data ?? []).toString(), 'ns1.test', q.name);
    }
  });

  it('NSID without an identity set: OPT without options', () => {
    const { msg } = ask(fresh({ identity: null }), { name: 'www.example.com', edns: { options: [NSID()] } });
    assert.ok(msg.edns !== null);
    assert.deepEqual(msg.edns.options, []);
  });
});

describe('Responder: UDP size and truncation', () => {
  /** The response length when nothing is truncated (TCP). */
  const fullLength = (name: string, type: number, edns?: Q['edns']): number => fresh().handle(query({ name, type, ...(edns ? { edns } : {}) }), TCP)!.length;

  it('the test zone has the sizes the tests rely on', () => {
    assert.ok(fullLength('small.example.com', RRType.TXT) < 512);
    const mid = fullLength('mid.example.com', RRType.TXT);
    assert.ok(mid > 512 && mid < 1232 - 40, `mid ${mid}`);
    const big = fullLength('big.example.com', RRType.TXT);
    assert.ok(big > 1232 && big < 4096, `big ${big}`);
    assert.ok(fullLength('huge.example.com', RRType.TXT) > 4096);
  });

  it('without EDNS: more than 512 octets is TC with the question only, AA as the answer would have', () => {
    const r = fresh();
    for (let round = 0; round < 2; round++) {
      const { bytes, msg } = ask(r, { name: 'mid.example.com', type: RRType.TXT, rd: true });
      assert.equal(msg.tc, true, `round ${round}`);
      assert.equal(msg.aa, true);
      assert.equal(msg.rd, true);
      assert.equal(msg.rcode, Rcode.NOERROR);
      assert.equal(msg.questions.length, 1);
      assert.equal(msg.questions[0]!.name.toText(), 'mid.example.com.');
      assert.equal(msg.answers.length + msg.authorities.length + msg.additionals.length, 0);
      assert.equal(msg.edns, null);
      assert.ok(bytes.length <= 512);
    }
    const small = ask(r, { name: 'small.example.com', type: RRType.TXT }).msg;
    assert.equal(small.tc, false);
    assert.equal(small.answers.length, 1);
  });

  it('with EDNS: TC carries the question and the OPT only', () => {
    const { msg } = ask(fresh(), { name: 'big.example.com', type: RRType.TXT, edns: { payload: 1232, do: true } });
    assert.equal(msg.tc, true);
    assert.equal(msg.aa, true);
    assert.equal(msg.answers.length + msg.authorities.length + msg.additionals.length, 0);
    assert.ok(msg.edns !== null);
    assert.equal(msg.edns.dnssecOk, true);
    assert.equal(msg.edns.udpPayload, 1232);
  });

  it('payload clamping: client 4096 with server 1232 limits answers to 1232', () => {
    const r = fresh();
    const big = ask(r, { name: 'big.example.com', type: RRType.TXT, edns: { payload: 4096 } });
    assert.equal(big.msg.tc, true);
    assert.ok(big.bytes.length <= 1232);
    const mid = ask(r, { name: 'mid.example.com', type: RRType.TXT, edns: { payload: 4096 } });
    assert.equal(mid.msg.tc, false);
    assert.equal(mid.msg.answers.length, 4);
    // With the server allowing 4096, the same answer goes out whole.
    const roomy = ask(fresh({ udpPayload: 4096 }), { name: 'big.example.com', type: RRType.TXT, edns: { payload: 4096 } });
    assert.equal(roomy.msg.tc, false);
    assert.equal(roomy.msg.answers.length, 7);
    assert.equal(roomy.msg.edns?.udpPayload, 4096);
  });

  it('payload clamping: a client payload below 512 is treated as 512', () => {
    const r = fresh();
    for (const payload of [0, 100, 511]) {
      const small = ask(r, { name: 'small.example.com', type: RRType.TXT, edns: { payload } });
      assert.equal(small.msg.tc, false, `payload ${payload}: ${small.bytes.length} octets fit in 512`);
      assert.equal(small.msg.answers.length, 1);
      const mid = ask(r, { name: 'mid.example.com', type: RRType.TXT, edns: { payload } });
      assert.equal(mid.msg.tc, true, `payload ${payload}`);
    }
  });

  it('a client payload below ours is the limit (1000 < 1232)', () => {
    const limit = fullLength('mid.example.com', RRType.TXT, { payload: 1000 }) - 1;
    const tight = ask(fresh(), { name: 'mid.example.com', type: RRType.TXT, edns: { payload: limit } });
    assert.equal(tight.msg.tc, true);
    const exact = ask(fresh(), { name: 'mid.example.com', type: RRType.TXT, edns: { payload: limit + 1 } });
    assert.equal(exact.msg.tc, false);
    assert.equal(exact.bytes.length, limit + 1);
  });

  it('TCP: never TC, with or without EDNS', () => {
    const r = fresh();
    for (const name of ['mid.example.com', 'big.example.com', 'huge.example.com']) {
      for (const edns of [undefined, { payload: 512 }]) {
        const { msg } = ask(r, { name, type: RRType.TXT, ...(edns ? { edns } : {}) }, TCP);
        assert.equal(msg.tc, false, name);
        assert.ok(msg.answers.length >= 4, name);
      }
    }
    assert.equal(ask(r, { name: 'huge.example.com', type: RRType.TXT }, TCP).msg.answers.length, 30);
  });

  it('a referral whose in-domain glue does not fit is TC (RFC 9471)', () => {
    const r = fresh();
    const udp = ask(r, { name: 'www.fat.example.com' });
    assert.equal(udp.msg.tc, true);
    assert.equal(udp.msg.aa, false);
    assert.equal(udp.msg.authorities.length + udp.msg.additionals.length, 0);
    const edns = ask(r, { name: 'www.fat.example.com', edns: {} });
    assert.equal(edns.msg.tc, false);
    assert.equal(edns.msg.authorities.length, 12);
    assert.equal(edns.msg.additionals.length, 24);
    const tcp = ask(r, { name: 'www.fat.example.com' }, TCP);
    assert.equal(tcp.msg.tc, false);
    assert.equal(tcp.msg.additionals.length, 24);
  });

  it('a referral whose sibling glue (glue of another cut) does not fit is not TC', () => {
    const full = ask(fresh(), { name: 'www.sib.example.com' }, TCP).msg;
    assert.equal(full.authorities.length, 12);
    assert.equal(full.additionals.length, 24, 'sibling glue is sent when there is room');
    const udp = ask(fresh(), { name: 'www.sib.example.com' });
    assert.equal(udp.msg.tc, false);
    assert.equal(udp.msg.authorities.length, 12);
    assert.ok(udp.msg.additionals.length < 24);
    assert.ok(udp.bytes.length <= 512);
  });
});

describe('Responder: CH class', () => {
  it('version.bind and version.server give `version`; id.server and hostname.bind give `identity`', () => {
    const r = fresh();
    const cases: [string, string][] = [
      ['version.bind', 'tyne-test'], ['VERSION.Bind', 'tyne-test'], ['version.server', 'tyne-test'],
      ['id.server', 'ns1.test'], ['hostname.bind', 'ns1.test'], ['HOSTNAME.BIND', 'ns1.test'],
    ];
    for (const [name, want] of cases) {
      const { msg } = ask(r, { name, type: RRType.TXT, cls: 3, rd: true });
      assert.equal(msg.rcode, Rcode.NOERROR, name);
      assert.equal(msg.aa, true, name);
      assert.equal(msg.rd, true, name);
      assert.equal(msg.answers.length, 1, name);
      const a = msg.answers[0]!;
      assert.equal(a.class, 3);
      assert.equal(a.type, RRType.TXT);
      assert.equal(a.name.toText(), `${name}.`, 'owner as asked');
      assert.equal(Buffer.from(a.rdata.subarray(1)).toString(), want, name);
      assert.equal(a.rdata[0], want.length);
    }
    const withEdns = ask(r, { name: 'version.bind', type: RRType.TXT, cls: 3, edns: { options: [NSID()] } }).msg;
    assert.equal(withEdns.answers.length, 1);
    assert.equal(withEdns.edns?.version, 0);
  });

  it('unset settings are REFUSED', () => {
    const r = fresh({ version: null, identity: null });
    for (const name of ['version.bind', 'version.server', 'id.server', 'hostname.bind']) {
      const { msg } = ask(r, { name, type: RRType.TXT, cls: 3 });
      assert.equal(msg.rcode, Rcode.REFUSED, name);
      assert.equal(msg.answers.length, 0);
    }
    const onlyVersion = fresh({ identity: null });
    assert.equal(ask(onlyVersion, { name: 'version.bind', type: RRType.TXT, cls: 3 }).msg.rcode, Rcode.NOERROR);
    assert.equal(ask(onlyVersion, { name: 'id.server', type: RRType.TXT, cls: 3 }).msg.rcode, Rcode.REFUSED);
  });

  it('other CH names are REFUSED', () => {
    for (const name of ['authors.bind', 'example.com', 'version.bind.example']) {
      assert.equal(ask(fresh(), { name, type: RRType.TXT, cls: 3 }).msg.rcode, Rcode.REFUSED, name);
    }
  });
});

describe('Responder: opcodes and malformed queries', () => {
  const headerOnly = (out: Uint8Array | null, rcode: number, id: number, opcode: number): void => {
    assert.ok(out !== null);
    assert.equal(out.length, 12, 'header only');
    const m = decodeMessage(out);
    assert.equal(m.id, id);
    assert.equal(m.qr, true);
    assert.equal(m.rcode, rcode);
    assert.equal(m.opcode, opcode);
    assert.equal(m.questions.length, 0);
  };

  it('IQUERY, STATUS and UPDATE with one question: NOTIMP, header only', () => {
    for (const opcode of [Opcode.IQUERY, Opcode.STATUS, Opcode.UPDATE, 3, 15]) {
      const out = fresh().handle(query({ id: 0x4000 + opcode, name: 'example.com', type: RRType.SOA, opcode }), UDP);
      headerOnly(out, Rcode.NOTIMP, 0x4000 + opcode, opcode);
    }
  });

  it('a NOTIFY (RFC 1996 §3.7) to a server that is no secondary for the zone is NOTAUTH, question echoed', () => {
    const m = emptyMessage(0x5151);
    m.opcode = Opcode.NOTIFY;
    m.aa = true;
    m.questions.push({ name: ORIGIN, type: RRType.SOA, class: 1 });
    m.answers.push({ name: ORIGIN, type: RRType.SOA, class: 1, ttl: 300, rdata: ZONES.zones()[0]!.soa.rdatas[0]! });
    const out = decodeMessage(fresh().handle(encodeMessageToBytes(m), UDP)!);
    assert.equal(out.id, 0x5151);
    assert.equal(out.opcode, Opcode.NOTIFY);
    assert.equal(out.qr, true);
    assert.equal(out.rcode, Rcode.NOTAUTH);
    assert.equal(out.questions.length, 1);
    assert.ok(out.questions[0]!.name.equals(ORIGIN));
    assert.equal(out.answers.length, 0);
  });

  it('an UPDATE with prerequisite and update records (RFC 2136 §2) is NOTIMP', () => {
    const m = emptyMessage(0x5252);
    m.opcode = Opcode.UPDATE;
    m.questions.push({ name: ORIGIN, type: RRType.SOA, class: 1 }); // the zone section
    m.answers.push({ name: Name.fromText('www.example.com.'), type: RRType.ANY, class: 255, ttl: 0, rdata: new Uint8Array(0) }); // prerequisite: name in use
    m.authorities.push({ name: Name.fromText('new.example.com.'), type: RRType.A, class: 1, ttl: 300, rdata: Uint8Array.of(192, 0, 2, 9) });
    headerOnly(fresh().handle(encodeMessageToBytes(m), UDP), Rcode.NOTIMP, 0x5252, Opcode.UPDATE);
  });

  it('FORMERR, header only, when the header is readable', () => {
    const good = query({ id: 0x7777, name: 'www.example.com', rd: true });
    const two = Uint8Array.from(good);
    two[5] = 2;
    const out = fresh().handle(two, UDP)!;
    headerOnly(out, Rcode.FORMERR, 0x7777, 0);
    assert.equal(decodeMessage(out).rd, true, 'RD copied on FORMERR');
    headerOnly(fresh().handle(good.subarray(0, 20), UDP), Rcode.FORMERR, 0x7777, 0);
    headerOnly(fresh().handle(Uint8Array.from([...good, 0]), UDP), Rcode.FORMERR, 0x7777, 0);
    // A question of type OPT.
    headerOnly(fresh().handle(query({ id: 0x7778, name: 'www.example.com', type: RRType.OPT }), UDP), Rcode.FORMERR, 0x7778, 0);
  });

  it('no answer at all for fewer than 12 octets or a response', () => {
    const r = fresh();
    assert.equal(r.handle(new Uint8Array(0), UDP), null);
    assert.equal(r.handle(new Uint8Array(11), UDP), null);
    const resp = query({ name: 'www.example.com' });
    resp[2] = resp[2]! | 0x80;
    assert.equal(r.handle(resp, UDP), null);
    assert.equal(r.handle(resp, TCP), null);
  });

  it('the length argument limits what is read', () => {
    const q = query({ id: 0x0102, name: 'www.example.com' });
    const padded = new Uint8Array(q.length + 50);
    padded.set(q);
    padded.fill(0xff, q.length);
    const out = fresh().handle(padded, UDP, q.length)!;
    assert.equal(hex(out), hex(fresh().handle(q, UDP)!));
  });
});

describe('Responder: prepared answers', () => {
  const QUERIES: Q[] = [
    { name: 'www.example.com' },
    { name: 'www.example.com', type: RRType.AAAA, edns: { do: true } },
    { name: 'www.example.com', type: RRType.MX },
    { name: 'www.example.com', type: RRType.TXT, edns: { options: [NSID()] } },
    { name: 'example.com', type: RRType.NS },
    { name: 'example.com', type: RRType.SOA, rd: true, cd: true },
    { name: 'cname.example.com' },
    { name: 'mail.example.com', type: RRType.MX },
    { name: 'deleg.example.com', type: RRType.NS },
    { name: 'fat.example.com', edns: { payload: 4096 } },
    { name: 'mid.example.com', type: RRType.TXT, edns: { payload: 1232 } },
    { name: 'ns1.example.com', type: RRType.A },
  ];

  it('a repeated query gives the octets a fresh Responder gives, whatever the ID, flags and EDNS', () => {
    const r = fresh();
    let id = 1;
    for (let round = 0; round < 3; round++) {
      for (const q of QUERIES) {
        const qq = { ...q, id: id++, rd: round === 1 ? !q.rd : q.rd };
        const got = r.handle(query(qq), UDP)!;
        const want = fresh().handle(query(qq), UDP)!;
        assert.equal(hex(got), hex(want), `${q.name}/${q.type ?? 1} round ${round}`);
      }
    }
    assert.ok(r.cachedAnswers > 0, 'answers were prepared');
  });

  it('shares one prepared answer among the types a CNAME chain or a delegation answers alike, and stays exact (issue 12 item 1)', () => {
    const r = fresh();
    let id = 1;
    const cases: { name: string; types: number[]; edns?: Q['edns'] }[] = [
      { name: 'cname.example.com', types: [1, 28, 16, 15, 99, 1000, 4000, 65000, 5, 46, 47, 6] },
      { name: 'cname.example.com', types: [1, 16, 1000, 65000], edns: { do: true } },
      { name: 'deleg.example.com', types: [1, 2, 16, 1000, 4000, 65000, 47] },
      { name: 'www.example.com', types: [16, 1000, 4000, 1, 28] },
    ];
    for (const c of cases) {
      for (const type of c.types) {
        const qq: Q = { id: id++, name: c.name, type, ...(c.edns ? { edns: c.edns } : {}) };
        for (let round = 0; round < 2; round++) {
          assert.equal(hex(r.handle(query({ ...qq, id: qq.id! + round * 10_000 }), UDP)!), hex(fresh().handle(query({ ...qq, id: qq.id! + round * 10_000 }), UDP)!), `${c.name}/${type} round ${round}`);
        }
      }
    }
    // cname: A, AAAA (held by www), CNAME, RRSIG, NSEC, SOA each their own, every other type one shared entry;
    // with DO: A and the shared one; deleg: one referral; www: the absent types (one), A, AAAA.
    assert.equal(r.cachedAnswers, 7 + 2 + 1 + 3);
    const before = r.cachedAnswers;
    for (let t = 2000; t < 2500; t++) {
      r.handle(query({ id: t, name: 'cname.example.com', type: t }), UDP);
      r.handle(query({ id: t, name: 'deleg.example.com', type: t }), UDP);
    }
    assert.equal(r.cachedAnswers, before, 'TYPEn questions add no entries');
  });

  it('keeps its prepared answers within answer-cache-size, and none at 0', () => {
    const off = fresh({ answerCacheSize: 0 });
    off.handle(query({ id: 1, name: 'www.example.com' }), UDP);
    assert.equal(off.cachedAnswers, 0);
    const small = fresh({ answerCacheSize: 16 * 1024 });
    let id = 1;
    for (const name of ['www', 'ns1', 'ns2', 'mail', 'small', 'mid', 'cname', 'deleg', 'MixedCase', 'fat', 'sib']) {
      for (const type of [1, 28, 16, 15, 2]) {
        const q = query({ id: id++, name: `${name}.example.com`, type });
        assert.equal(hex(small.handle(q, UDP)!), hex(fresh().handle(q, UDP)!), `${name}/${type}`);
        assert.ok(small.cachedAnswerBytes <= 16 * 1024);
      }
    }
    assert.ok(small.cachedAnswers > 5);
  });

  it('a prepared answer is not used where it does not fit (first over TCP, then UDP without EDNS)', () => {
    const r = fresh();
    for (const name of ['mid.example.com', 'big.example.com']) {
      const full = ask(r, { name, type: RRType.TXT }, TCP).msg;
      assert.equal(full.tc, false);
      const again = r.handle(query({ name, type: RRType.TXT }), UDP)!;
      assert.equal(hex(again), hex(fresh().handle(query({ name, type: RRType.TXT }), UDP)!), name);
      assert.equal(decodeMessage(again).tc, true);
      const ednsAgain = r.handle(query({ name, type: RRType.TXT, edns: { payload: 1232 } }), UDP)!;
      assert.equal(hex(ednsAgain), hex(fresh().handle(query({ name, type: RRType.TXT, edns: { payload: 1232 } }), UDP)!), name);
    }
  });

  it('another letter case is not served from the first question\'s answer', () => {
    const r = fresh();
    const lower = ask(r, { name: 'www.example.com' });
    assert.equal(lower.msg.answers[0]!.name.toText(), 'www.example.com.');
    for (const name of ['WWW.EXAMPLE.COM', 'Www.Example.Com', 'www.EXAMPLE.com', 'www.example.com']) {
      for (let round = 0; round < 2; round++) {
        const got = r.handle(query({ name }), UDP)!;
        const want = fresh().handle(query({ name }), UDP)!;
        assert.equal(hex(got), hex(want), `${name} round ${round}`);
        const msg = decodeMessage(got);
        // The question is echoed as asked; the owner is spelled as in the zone (BIND does the same).
        assert.equal(msg.questions[0]!.name.toText(), `${name}.`);
        assert.equal(hex(msg.answers[0]!.name.wire), hex(Name.fromText('www.example.com.').wire), name);
      }
    }
  });

  it('owner case follows the zone, also for names written in other case in the zone file', () => {
    const r = fresh();
    for (const name of ['mixedcase.example.com', 'MIXEDCASE.EXAMPLE.COM', 'MixedCase.example.com']) {
      for (let round = 0; round < 2; round++) {
        const a = ask(r, { name, type: RRType.A }).msg;
        assert.equal(hex(a.answers[0]!.name.wire), hex(Name.fromText('MixedCase.example.com.').wire), `A ${name}`);
      }
    }
  });

  it('each RRset keeps its own owner spelling (BIND: the TXT written as `mixedcase` answers as `mixedcase`)', () => {
    const msg = ask(fresh(), { name: 'MIXEDCASE.example.com', type: RRType.TXT }).msg;
    assert.equal(msg.answers[0]!.name.toText(), 'mixedcase.example.com.');
  });

  it('swap() serves the new zones and drops the old prepared answers', () => {
    const r = fresh();
    const q = query({ name: 'www.example.com' });
    const before = decodeMessage(r.handle(q, UDP)!);
    decodeMessage(r.handle(q, UDP)!);
    assert.deepEqual([...before.answers[0]!.rdata], [192, 0, 2, 80]);
    assert.ok(r.cachedAnswers > 0);
    const next = zones(ZONE_TEXT({ serial: 2024010102, www: '192.0.2.99' }));
    r.swap(next);
    assert.equal(r.cachedAnswers, 0);
    assert.equal(r.zones, next);
    const after = r.handle(q, UDP)!;
    assert.deepEqual([...decodeMessage(after).answers[0]!.rdata], [192, 0, 2, 99]);
    assert.equal(hex(after), hex(new Responder(next, OPTIONS).handle(q, UDP)!));
    const soa = decodeMessage(r.handle(query({ name: 'example.com', type: RRType.SOA }), UDP)!).answers[0]!.rdata;
    assert.equal(Buffer.from(soa).readUInt32BE(soa.length - 20), 2024010102);
    // An empty set: everything REFUSED.
    r.swap(new ZoneSet([]));
    assert.equal(decodeMessage(r.handle(q, UDP)!).rcode, Rcode.REFUSED);
  });
});

/** Hooks that let every transfer through and keep what they are told. */
function recordingHooks(keys: TsigKey[] = []): TransferHooks & { log: TransferOutInfo[]; notifies: string[] } {
  const log: TransferOutInfo[] = [];
  const notifies: string[] = [];
  return {
    log,
    notifies,
    key: (n) => keys.find((k) => k.name.equals(n)),
    mayTransfer: () => true,
    journal: () => null,
    notify: (origin) => {
      notifies.push(origin.toText());
      return 'accepted';
    },
    transferred: (info) => log.push(info),
  };
}

const XFR_KEY: TsigKey = { name: Name.fromText('xfr.example.'), algorithm: 'hmac-sha256', secret: new Uint8Array(32).fill(3) };

/** An IXFR query (RFC 1995 §3): the zone's SOA with `serial` in the authority section. */
function ixfrQuery(id: number, serial: number): Uint8Array {
  const m = emptyMessage(id);
  m.questions.push({ name: ORIGIN, type: RRType.IXFR, class: 1 });
  const rdata = Uint8Array.from(ZONES.find(ORIGIN.wire, 0, ORIGIN.wire.length)!.soa.rdatas[0]!);
  setSoaSerial(rdata, serial);
  m.authorities.push({ name: ORIGIN, type: RRType.SOA, class: 1, ttl: 0, rdata });
  return encodeMessageToBytes(m);
}

/** Takes every message of a stream (bounded). */
function drain(s: Iterator<Uint8Array, void, undefined>): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let r = s.next(); r.done !== true; r = s.next()) {
    out.push(r.value);
    assert.ok(out.length < 10_000, 'a stream that does not end');
  }
  return out;
}

describe('Responder: the transfer-out record describes its own transfer', () => {
  const zone = ZONES.find(ORIGIN.wire, 0, ORIGIN.wire.length)!;

  it('an AXFR stream drained after other queries (UDP, and an IXFR on another connection) still reports AXFR', () => {
    const hooks = recordingHooks([XFR_KEY]);
    const r = new Responder(ZONES, OPTIONS, hooks);
    const axfrCtx = { tcp: true, address: '192.0.2.10' };
    const signed = tsigSign(query({ id: 0x0a0a, name: 'example.com', type: RRType.AXFR }), XFR_KEY);
    // As a listener hands it over: a Buffer.
    const stream = r.handleTcp(Buffer.from(signed.bytes), axfrCtx);
    assert.ok(stream !== null && !(stream instanceof Uint8Array), 'AXFR over TCP is a stream');
    const first = stream.next();
    assert.equal(first.done, false);

    // Queries answered while the transfer is being written.
    assert.equal(ask(r, { id: 0x0b0b, name: 'www.example.com' }, { tcp: false, address: '192.0.2.20' }).msg.answers.length, 1);
    const udpIxfr = r.handle(ixfrQuery(0x0c0c, zone.serial), { tcp: false, address: '192.0.2.21' });
    assert.equal(decodeMessage(udpIxfr!).answers.length, 1, 'an up-to-date IXFR over UDP: the SOA alone');
    const ixfr = r.handleTcp(ixfrQuery(0x0d0d, zone.serial - 1), { tcp: true, address: '192.0.2.30' });
    assert.ok(ixfr !== null && !(ixfr instanceof Uint8Array));
    drain(ixfr);
    assert.equal(hooks.log.length, 1, 'the IXFR is logged when it ends');
    assert.deepEqual(
      { kind: hooks.log[0]!.kind, peer: hooks.log[0]!.peer, fromSerial: hooks.log[0]!.fromSerial, key: hooks.log[0]!.key },
      { kind: 'AXFR', peer: '192.0.2.30', fromSerial: zone.serial - 1, key: null },
      'the IXFR (no journal: answered with the whole zone)',
    );
    ask(r, { id: 0x0e0e, name: 'example.com', type: RRType.MX }, { tcp: false, address: '192.0.2.22' });

    const rest = drain(stream);
    assert.equal(hooks.log.length, 2);
    const info = hooks.log[1]!;
    assert.deepEqual(
      { zone: info.zone, peer: info.peer, kind: info.kind, reason: info.reason, fromSerial: info.fromSerial, serial: info.serial, records: info.records, messages: info.messages, key: info.key, complete: info.complete },
      {
        zone: 'example.com.', peer: '192.0.2.10', kind: 'AXFR', reason: null, fromSerial: null, serial: zone.serial,
        records: zone.recordCount + 1, messages: 1 + rest.length, key: 'xfr.example.', complete: true,
      },
    );
    // And the stream itself answered the AXFR asked (ID and question), whatever came between.
    const msgs = [first.value as Uint8Array, ...rest].map((b) => decodeMessage(b));
    assert.ok(msgs.every((m) => m.id === 0x0a0a && m.questions[0]?.type === RRType.AXFR), 'every message answers the AXFR');
    assert.equal(msgs.reduce((n, m) => n + m.answers.length, 0), zone.recordCount + 1);
  });
});

describe('Responder: TSIG checks leave the received packet alone', () => {
  it('a signed query given as a Buffer is unchanged after it is answered', () => {
    const hooks = recordingHooks([XFR_KEY]);
    const r = new Responder(ZONES, OPTIONS, hooks);
    for (const kind of ['good', 'bad key'] as const) {
      const key = kind === 'good' ? XFR_KEY : { ...XFR_KEY, secret: new Uint8Array(32).fill(4) };
      const packet = Buffer.from(tsigSign(query({ id: 0x4242, name: 'www.example.com' }), key).bytes);
      const before = hex(packet);
      const out = decodeMessage(r.handle(packet, UDP)!);
      assert.equal(out.rcode, kind === 'good' ? Rcode.NOERROR : Rcode.NOTAUTH, kind);
      assert.equal(hex(packet), before, `${kind}: the query octets were changed`);
    }
  });

  it('a signed NOTIFY whose ID was changed on the way (the TSIG keeps the original) is answered with its own ID', () => {
    const hooks = recordingHooks([XFR_KEY]);
    const r = new Responder(ZONES, OPTIONS, hooks);
    const m = emptyMessage(0x1111);
    m.opcode = Opcode.NOTIFY;
    m.aa = true;
    m.questions.push({ name: ORIGIN, type: RRType.SOA, class: 1 });
    const packet = Buffer.from(tsigSign(encodeMessageToBytes(m), XFR_KEY).bytes);
    // RFC 8945 §4.3.1 / §5.4.1: a forwarder may give it a new ID; the MAC covers the original one.
    packet.writeUInt16BE(0x2222, 0);
    const before = hex(packet);
    const out = decodeMessage(r.handle(packet, UDP)!);
    assert.equal(out.rcode, Rcode.NOERROR);
    assert.deepEqual(hooks.notifies, ['example.com.']);
    assert.equal(out.id, 0x2222, 'the answer carries the ID the NOTIFY arrived with');
    assert.equal(hex(packet), before, 'the NOTIFY octets were changed');
  });
});

describe('Responder: DNS COOKIE (RFC 7873, RFC 9018), edns-tcp-keepalive (RFC 7828), FORMERR with OPT', () => {
  const SECRET = Uint8Array.from(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'));
  const NOW = 1_800_000_000;
  const withCookies = (): Responder => fresh({ cookies: new ServerCookies(fixedSecrets([SECRET]), () => NOW) });
  const CLIENT = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const FROM = { tcp: false, address: '192.0.2.1' };
  const FROM_TCP = { tcp: true, address: '192.0.2.1', keepalive: 100 };
  const cookieOf = (m: Message): Uint8Array | undefined => m.edns?.options.find((o) => o.code === 10)?.data;
  const cookieQ = (data: Uint8Array, extra: EdnsOption[] = []): Q => ({ name: 'www.example.com', edns: { options: [{ code: 10, data }, ...extra] } });

  it('answers a client cookie alone with client and server cookie, on the general and the prepared path (§5.2.3)', () => {
    const r = withCookies();
    for (let round = 0; round < 2; round++) {
      const { msg } = ask(r, cookieQ(CLIENT), FROM);
      assert.equal(msg.rcode, Rcode.NOERROR);
      assert.equal(msg.answers.length, 1, `round ${round}`);
      const c = cookieOf(msg);
      assert.ok(c !== undefined && c.length === 24, `round ${round}: a 24-octet cookie`);
      assert.deepEqual([...c.subarray(0, 8)], [...CLIENT]);
      assert.deepEqual([...c.subarray(8, 12)], [1, 0, 0, 0], 'RFC 9018 §4.2: version 1, reserved 0');
      assert.equal(Buffer.from(c.subarray(12, 16)).readUInt32BE(0), NOW);
    }
    assert.equal(r.cachedAnswers, 1, 'the second answer came from the prepared answer');
  });

  it('answers a valid server cookie normally with it, and marks the request validServerCookie (§5.2.5)', () => {
    const r = withCookies();
    const cookie = cookieOf(ask(r, cookieQ(CLIENT), FROM).msg)!;
    const again = ask(r, cookieQ(cookie), FROM).msg;
    assert.equal(again.rcode, Rcode.NOERROR);
    assert.equal(again.answers.length, 1);
    assert.deepEqual(cookieOf(again), cookie);
    assert.equal(readRequestAfter(r, cookieQ(cookie), FROM), true);
    assert.equal(readRequestAfter(r, cookieQ(CLIENT), FROM), false);
  });

  it('answers a bad server cookie over UDP with BADCOOKIE and a fresh cookie; over TCP normally (§5.2.4, §5.2.3)', () => {
    const r = withCookies();
    const good = cookieOf(ask(r, cookieQ(CLIENT), FROM).msg)!;
    const bad = Uint8Array.from(good);
    bad[23] = bad[23]! ^ 1;
    const udp = ask(r, cookieQ(bad), FROM);
    assert.equal(udp.msg.rcode, Rcode.BADCOOKIE);
    assert.equal(udp.msg.answers.length, 0);
    assert.equal(udp.msg.tc, false);
    assert.deepEqual(cookieOf(udp.msg), good, 'the cookie valid now, to retry with');
    assert.equal(readRequestAfter(r, cookieQ(bad), FROM), false);
    // From another address the cookie is not valid either.
    assert.equal(ask(r, cookieQ(good), { tcp: false, address: '192.0.2.2' }).msg.rcode, Rcode.BADCOOKIE);
    const tcp = decodeMessage(r.handle(query(cookieQ(bad)), FROM_TCP)!);
    assert.equal(tcp.rcode, Rcode.NOERROR);
    assert.equal(tcp.answers.length, 1);
    assert.deepEqual(cookieOf(tcp), good);
  });

  it('ignores COOKIE options without cookies configured (answer-cookie: false), as before', () => {
    const { msg } = ask(fresh(), cookieQ(CLIENT), FROM);
    assert.equal(msg.rcode, Rcode.NOERROR);
    assert.deepEqual(msg.edns?.options, []);
  });

  it('answers a malformed COOKIE option with FORMERR carrying OPT (§5.2.2)', () => {
    const { msg } = ask(withCookies(), cookieQ(CLIENT.subarray(0, 4)), FROM);
    assert.equal(msg.rcode, Rcode.FORMERR);
    assert.ok(msg.edns !== null, 'OPT in the FORMERR');
    assert.equal(cookieOf(msg), undefined);
  });

  it('answers a query with no question: with a cookie NOERROR (or BADCOOKIE) and the cookie (§5.4), without one FORMERR with OPT', () => {
    const noQuestion = (data: Uint8Array | null, edns = true): Uint8Array => {
      const m = emptyMessage(0x4242);
      if (edns) m.edns = { udpPayload: 1232, version: 0, dnssecOk: false, z: 0, options: data === null ? [] : [{ code: 10, data }] };
      return encodeMessageToBytes(m);
    };
    const r = withCookies();
    const first = decodeMessage(r.handle(noQuestion(CLIENT), FROM)!);
    assert.equal(first.rcode, Rcode.NOERROR);
    assert.equal(first.questions.length, 0);
    const cookie = cookieOf(first)!;
    assert.equal(cookie.length, 24);
    assert.equal(decodeMessage(r.handle(noQuestion(cookie), FROM)!).rcode, Rcode.NOERROR);
    const bad = Uint8Array.from(cookie);
    bad[20] = bad[20]! ^ 0x80;
    assert.equal(decodeMessage(r.handle(noQuestion(bad), FROM)!).rcode, Rcode.BADCOOKIE);
    const plain = decodeMessage(r.handle(noQuestion(null), FROM)!);
    assert.equal(plain.rcode, Rcode.FORMERR);
    assert.ok(plain.edns !== null, 'FORMERR with OPT to a query with OPT (what dig +header-only +nocookie gets)');
    assert.equal(plain.id, 0x4242);
    const noEdns = r.handle(noQuestion(null, false), FROM)!;
    assert.equal(noEdns.length, 12, 'no OPT to a query without one');
    assert.equal(decodeMessage(noEdns).rcode, Rcode.FORMERR);
  });

  it('sends edns-tcp-keepalive with the connection timeout over TCP to a query that asks, never over UDP (RFC 7828 §3.3)', () => {
    const r = withCookies();
    const ka = { code: 11, data: new Uint8Array(0) };
    const keepaliveOf = (m: Message): Uint8Array | undefined => m.edns?.options.find((o) => o.code === 11)?.data;
    for (let round = 0; round < 2; round++) {
      const tcp = decodeMessage(r.handle(query(cookieQ(CLIENT, [ka])), FROM_TCP)!);
      assert.deepEqual([...(keepaliveOf(tcp) ?? [])], [0, 100], `round ${round}: 10 s in units of 100 ms`);
      assert.equal(cookieOf(tcp)?.length, 24);
      assert.equal(keepaliveOf(decodeMessage(r.handle(query(cookieQ(CLIENT)), FROM_TCP)!)), undefined, 'not asked');
      assert.equal(keepaliveOf(ask(r, cookieQ(CLIENT, [ka]), FROM).msg), undefined, 'UDP');
    }
  });

  it('still truncates when the cookie makes the answer too large for the UDP limit', () => {
    const r = withCookies();
    for (let round = 0; round < 2; round++) {
      const q: Q = { name: 'mid.example.com', type: RRType.TXT, edns: { payload: 850, options: [{ code: 10, data: CLIENT }] } };
      const { bytes, msg } = ask(r, q, FROM);
      assert.ok(bytes.length <= 850, `round ${round}: ${bytes.length} octets`);
      if (!msg.tc) assert.equal(msg.answers.length, 4);
      assert.equal(cookieOf(msg)?.length, 24);
    }
  });
});

/** The one Request object readRequest fills in for every query (handling is synchronous). */
const SHARED_REQUEST = readRequest(new Uint8Array(0));

/** Handles `q` and reports the request's validServerCookie as the responder left it (what rate limiting reads). */
function readRequestAfter(r: Responder, q: Q, ctx: HandleContext): boolean {
  r.handle(query(q), ctx);
  return SHARED_REQUEST.validServerCookie;
}

describe('Responder.handleInto and the hot answers (issue 16 §1)', () => {
  const NAMES = ['www.example.com', 'WWW.example.com', 'MixedCase.example.com', 'mixedcase.example.com', 'cname.example.com', 'mail.example.com',
    'small.example.com', 'big.example.com', 'deleg.example.com', 'x.deleg.example.com', 'nothere.example.com', 'example.com', 'fat.example.com', 'sib.example.com',
    'www.example.org'];
  const TYPES = [RRType.A, RRType.AAAA, RRType.TXT, RRType.MX, RRType.NS, RRType.SOA, RRType.CNAME, 99];
  const EDNS: (Q['edns'] | undefined)[] = [undefined, {}, { do: true }, { payload: 4096, options: [NSID()] }, { payload: 512 }];
  /** The send slot a batched listener hands over, full of octets from before: none of them may show through. */
  const slot = (): Uint8Array => new Uint8Array(8192).fill(0xee);

  it('gives the octets handle() of a responder without prepared answers gives, asked three times (general, prepared, hot)', () => {
    const reference = fresh({ answerCacheSize: 0 });
    assert.equal(reference.hotAnswers, null);
    for (const ctx of [UDP, TCP]) {
      const r = fresh();
      assert.ok(r.hotAnswers !== null, 'the default answer-cache-size has hot answers');
      let cases = 0;
      for (const name of NAMES) {
        for (const type of TYPES) {
          for (const edns of EDNS) {
            const q = query({ name, type, rd: true, ...(edns === undefined ? {} : { edns }) });
            const want = hex(reference.handle(q, ctx)!);
            for (let round = 1; round <= 3; round++) {
              const dest = slot();
              const n = r.handleInto(q, ctx, q.length, dest);
              assert.ok(n > 0, `${name} ${type}: a response`);
              assert.equal(hex(dest.subarray(0, n)), want, `${name} type ${type} ${JSON.stringify(edns)} round ${round} tcp ${ctx.tcp}`);
            }
            cases++;
          }
        }
      }
      assert.equal(cases, NAMES.length * TYPES.length * EDNS.length);
    }
  });

  it('keeps a signed zone\'s answers with DO and without apart (RFC 4035 §3.1.1)', () => {
    const sig = (covered: string, labels: number): string =>
      `RRSIG ${covered} 13 ${labels} 300 20300101000000 20200101000000 4711 example.com. ${Buffer.alloc(64, labels).toString('base64')}`;
    const signed = zones(`$ORIGIN example.com.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ ${sig('SOA', 2)}
@ NS ns1
@ ${sig('NS', 2)}
@ DNSKEY 257 3 13 ${Buffer.alloc(64, 7).toString('base64')}
@ ${sig('DNSKEY', 2)}
ns1 A 192.0.2.53
ns1 ${sig('A', 3)}
www A 192.0.2.80
www ${sig('A', 3)}
`);
    const reference = fresh({ answerCacheSize: 0 }, signed);
    const r = fresh({}, signed);
    // Alternating, so the second asker of each kind finds the other kind's entries already made.
    for (let round = 1; round <= 3; round++) {
      for (const dnssecOk of [true, false]) {
        const q = query({ name: 'www.example.com', edns: { do: dnssecOk } });
        const want = reference.handle(q, UDP)!;
        assert.equal(decodeMessage(want).answers.length, dnssecOk ? 2 : 1, 'the A and, with DO, its RRSIG');
        const dest = slot();
        const n = r.handleInto(q, UDP, q.length, dest);
        assert.equal(hex(dest.subarray(0, n)), hex(want), `round ${round}, DO ${dnssecOk}`);
      }
    }
  });

  it('serves a repeated question from the hot answers, one entry per spelling class: another class is another entry', () => {
    const r = fresh();
    const hot = r.hotAnswers!;
    const ask3 = (name: string): Uint8Array => {
      const q = query({ name, edns: {} });
      for (let i = 0; i < 3; i++) r.handleInto(q, UDP, q.length, slot());
      return q;
    };
    const lower = readRequest(ask3('www.example.com'));
    const key = (q: typeof lower): number => hotKey(hashWireName(q.buf, 12, q.qnameEnd), q.qtype, q.dnssecOk);
    assert.ok(hot.find(key(lower), lower.buf, lower.qnameEnd, lower.qtype, lower.dnssecOk) >= 0, 'www A is hot');
    const upper = readRequest(query({ name: 'WWW.EXAMPLE.COM', edns: {} }));
    assert.equal(hot.find(key(upper), upper.buf, upper.qnameEnd, upper.qtype, upper.dnssecOk), -1, 'not asked in that class yet');
    ask3('WwW.ExAmPlE.CoM');
    // Same class (the question's suffix spelled as the zone from the root only), never asked: hot at once.
    const other = readRequest(query({ name: 'wWW.eXAMPLE.cOM', edns: {} }));
    assert.ok(hot.find(key(other), other.buf, other.qnameEnd, other.qtype, other.dnssecOk) >= 0, 'a variant of a hot class');
    const partly = readRequest(query({ name: 'WWW.example.com', edns: {} }));
    assert.equal(hot.find(key(partly), partly.buf, partly.qnameEnd, partly.qtype, partly.dnssecOk), -1, 'another class');
    const withDo = readRequest(query({ name: 'www.example.com', edns: { do: true } }));
    assert.equal(hot.find(key(withDo), withDo.buf, withDo.qnameEnd, withDo.qtype, withDo.dnssecOk), -1, 'DO is another entry');
    // NXDOMAIN has no node, so it is never prepared; it is hot, for its exact octets.
    const nx = readRequest(ask3('nothere.example.com'));
    assert.ok(hot.find(key(nx), nx.buf, nx.qnameEnd, nx.qtype, nx.dnssecOk) >= 0, 'NXDOMAIN is hot');
    const nxOther = readRequest(query({ name: 'NOThere.example.com', edns: {} }));
    assert.equal(hot.find(key(nxOther), nxOther.buf, nxOther.qnameEnd, nxOther.qtype, nxOther.dnssecOk), -1, 'NXDOMAIN in another case');
  });

  it('a wildcard answer is never hot (rate limiting counts it by the wildcard, which an entry does not hold)', () => {
    const r = fresh({}, zones(`${ZONE_TEXT()}*.wild A 192.0.2.99\n`));
    const q = query({ name: 'a.wild.example.com', edns: {} });
    for (let i = 0; i < 4; i++) {
      const dest = slot();
      const n = r.handleInto(q, UDP, q.length, dest);
      assert.deepEqual([...decodeMessage(dest.subarray(0, n)).answers[0]!.rdata], [192, 0, 2, 99]);
      assert.equal(r.lastAnswerPath, AnswerPath.GENERAL, `round ${i}`);
    }
  });

  it('0x20 questions: every letter case gets the octets of the general path, and a class entry serves case variants never asked before', () => {
    // An MX whose target spells the zone's name in capitals: its answers are not spelled alike (EXACT_SPELLING).
    const set = zones(`${ZONE_TEXT()}upper MX 10 NS1.EXAMPLE.COM.\n`);
    const reference = fresh({ answerCacheSize: 0 }, set);
    const r = fresh({}, set);
    const rng = new Rng(0x2020);
    const flipAll = (name: string): string => [...name].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('');
    // Odd rounds keep the zone's suffix as it is spelled and change the first label only: the classes where
    // part of the question is a pointer target and part is not, so entries of one class must not serve another.
    // Rounds of the third kind spell the suffix in capitals, as one record's rdata does.
    const flip = (name: string, round: number): string => {
      const dot = name.indexOf('.');
      if (round % 3 === 0 || dot < 0) return flipAll(name);
      return flipAll(name.slice(0, dot)) + (round % 3 === 1 ? name.slice(dot) : name.slice(dot).toUpperCase());
    };
    const questions: [string, number][] = [['www.example.com', RRType.A], ['www.example.com', RRType.AAAA], ['www.example.com', RRType.TXT],
      ['mail.example.com', RRType.MX], ['example.com', RRType.NS], ['example.com', RRType.SOA], ['cname.example.com', RRType.A],
      ['mixedcase.example.com', RRType.A], ['mixedcase.example.com', RRType.TXT], ['deleg.example.com', RRType.A], ['fat.example.com', RRType.NS],
      ['ns01.fat.example.com', RRType.A], ['upper.example.com', RRType.MX]];
    let fromClass = 0;
    const seen = new Set<string>();
    for (let round = 0; round < 18; round++) {
      for (const [name, type] of questions) {
        const asked = round === 0 ? name : flip(name, round);
        const q = query({ name: asked, type, edns: {} });
        const dest = slot();
        const n = r.handleInto(q, UDP, q.length, dest);
        assert.equal(hex(dest.subarray(0, n)), hex(reference.handle(q, UDP)!), `${asked} type ${type}`);
        if (!seen.has(`${asked}/${type}`) && r.lastAnswerPath !== AnswerPath.GENERAL) fromClass++;
        seen.add(`${asked}/${type}`);
      }
    }
    assert.ok(fromClass > 50, `a case variant asked for the first time was answered from a class entry (hot or prepared) ${fromClass} times`);
  });

  it('all of answer-cache-size as hot answers (a serving thread\'s, issue 16 §3): no AnswerCache, the same octets, and the second question is hot', () => {
    const set = zones(`${ZONE_TEXT()}upper MX 10 NS1.EXAMPLE.COM.\n`);
    const reference = fresh({ answerCacheSize: 0 }, set);
    const size = 8 * 1024 * 1024;
    const r = fresh({ answerCacheSize: size, hotAnswers: new HotAnswers(size) }, set);
    const rng = new Rng(0x3030);
    const flipAll = (name: string): string => [...name].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('');
    const questions: [string, number][] = [['www.example.com', RRType.A], ['www.example.com', RRType.TXT], ['mail.example.com', RRType.MX],
      ['example.com', RRType.NS], ['cname.example.com', RRType.A], ['cname.example.com', RRType.AAAA], ['deleg.example.com', RRType.A],
      ['upper.example.com', RRType.MX], ['nosuch.example.com', RRType.A], ['a.wild.example.com', RRType.A]];
    for (let round = 0; round < 6; round++) {
      for (const [name, type] of questions) {
        const asked = round < 2 ? name : flipAll(name);
        const q = query({ name: asked, type, edns: {} });
        const dest = slot();
        const n = r.handleInto(q, UDP, q.length, dest);
        assert.equal(hex(dest.subarray(0, n)), hex(reference.handle(q, UDP)!), `round ${round}: ${asked} type ${type}`);
        // The same octets asked again: from the hot answers (a wildcard's answer is not kept: rate limiting counts it by the wildcard).
        if (round === 1 && name !== 'a.wild.example.com') assert.equal(r.lastAnswerPath, AnswerPath.HOT, `${asked} type ${type} asked again`);
      }
    }
    assert.equal(r.cachedAnswers, 0, 'nothing in the AnswerCache');
  });

  it('after swap, the new zones answer, not the hot answers of the old ones', () => {
    const r = fresh();
    const q = query({ name: 'www.example.com' });
    for (let i = 0; i < 3; i++) r.handleInto(q, UDP, q.length, slot());
    r.swap(zones(ZONE_TEXT({ serial: 2024010102, www: '192.0.2.99' })));
    const dest = slot();
    const n = r.handleInto(q, UDP, q.length, dest);
    const msg = decodeMessage(dest.subarray(0, n));
    assert.deepEqual([...msg.answers[0]!.rdata], [192, 0, 2, 99]);
  });

  it('hot answers shared by responders one after another: only the newest uses them, and each answers from its own zones', () => {
    const shared = hotAnswersFor(256 * 1024 * 1024)!;
    const old = fresh({ hotAnswers: shared });
    const q = query({ name: 'www.example.com' });
    const address = (r: Responder): number[] => {
      const dest = slot();
      const n = r.handleInto(q, UDP, q.length, dest);
      return [...decodeMessage(dest.subarray(0, n)).answers[0]!.rdata];
    };
    for (let i = 0; i < 3; i++) assert.deepEqual(address(old), [192, 0, 2, 80]);
    assert.equal(old.lastAnswerPath, AnswerPath.HOT);
    // A rebuild: the new responder claims the table; the old one may still be answering a TCP client.
    const rebuilt = fresh({ hotAnswers: shared }, zones(ZONE_TEXT({ serial: 2024010103, www: '192.0.2.77' })));
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(address(rebuilt), [192, 0, 2, 77], `new responder, round ${i}`);
      assert.deepEqual(address(old), [192, 0, 2, 80], `old responder, round ${i}`);
      assert.notEqual(old.lastAnswerPath, AnswerPath.HOT, 'the old responder no longer uses the table');
    }
    assert.equal(rebuilt.lastAnswerPath === AnswerPath.HOT || rebuilt.lastAnswerPath === AnswerPath.PREPARED, true);
    address(rebuilt);
    assert.equal(rebuilt.lastAnswerPath, AnswerPath.HOT);
  });

  it('a response longer than the buffer comes back as oversize, the same octets as handle()', () => {
    const r = fresh();
    const q = query({ name: 'big.example.com', type: RRType.TXT, edns: { payload: 4096 } });
    const want = hex(fresh().handle(q, TCP)!);
    assert.ok(want.length / 2 > 1000, 'a long answer');
    for (let i = 0; i < 3; i++) {
      const small = new Uint8Array(100);
      assert.equal(r.handleInto(q, TCP, q.length, small), -1);
      assert.equal(hex(r.oversize!), want);
    }
  });

  it('a signed query answered in place is signed over the answer alone (RFC 8945 §5.3), like handle()', () => {
    const r = new Responder(ZONES, OPTIONS, recordingHooks([XFR_KEY]));
    const ref = new Responder(ZONES, { ...OPTIONS, answerCacheSize: 0 }, recordingHooks([XFR_KEY]));
    const q = Buffer.from(tsigSign(query({ id: 0x4343, name: 'www.example.com', edns: {} }), XFR_KEY).bytes);
    const want = decodeMessage(ref.handle(q, UDP)!);
    for (let round = 1; round <= 3; round++) {
      const dest = slot();
      const n = r.handleInto(q, UDP, q.length, dest);
      const got = decodeMessage(dest.subarray(0, n));
      assert.equal(got.rcode, Rcode.NOERROR, `round ${round}`);
      assert.deepEqual(got.answers, want.answers, `round ${round}`);
      assert.ok(got.tsig !== null && want.tsig !== null, `round ${round}: signed`);
      assert.equal(n, ref.handle(q, UDP)!.length, `round ${round}: as long as handle()'s`);
    }
  });
});
