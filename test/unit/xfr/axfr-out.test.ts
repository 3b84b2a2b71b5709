/** Outgoing AXFR: message layout, SOA framing, completeness, size limits and compression. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axfrMessages, XfrRecordTooLargeError } from '../../../src/xfr/axfr-out.js';
import { loadZoneText } from '../../../src/zone/load-zone.js';
import { Name, RRType, decodeMessage, type Message, type ResourceRecord } from '../../../src/wire/index.js';
import type { Zone } from '../../../src/zone/index.js';

const ORIGIN = Name.fromText('example.com.');

function question(name: Name, type: number): Uint8Array {
  const q = new Uint8Array(name.wire.length + 4);
  q.set(name.wire);
  q[name.wire.length] = type >>> 8;
  q[name.wire.length + 1] = type;
  q[name.wire.length + 3] = 1;
  return q;
}

function recordKey(rr: ResourceRecord): string {
  return `${rr.name.key}|${rr.type}|${rr.class}|${rr.ttl}|${Buffer.from(rr.rdata).toString('hex')}`;
}

function multiset(records: ResourceRecord[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const rr of records) m.set(recordKey(rr), (m.get(recordKey(rr)) ?? 0) + 1);
  return m;
}

/** Uncompressed size of a record. */
function rawSize(rr: ResourceRecord): number {
  return rr.name.wire.length + 10 + rr.rdata.length;
}

const SMALL = [
  '$TTL 300',
  '@ IN SOA ns1 hostmaster 2024010101 3600 900 604800 300',
  '@ IN NS ns1',
  '@ IN NS ns2.other.net.',
  '@ IN MX 10 mail',
  'ns1 IN A 192.0.2.1',
  'mail IN A 192.0.2.2',
  'mail IN AAAA 2001:db8::2',
  'www 600 IN CNAME mail',
  'Deep.Sub IN TXT "hello" "world"',
  'sub IN NS ns.sub',
  'ns.sub IN A 192.0.2.53',
].join('\n');

export function bigZone(hosts: number, serial = 1): Zone {
  const lines = ['$TTL 3600', `@ IN SOA ns1 hostmaster ${serial} 3600 900 604800 300`, '@ IN NS ns1', 'ns1 IN A 192.0.2.1'];
  for (let i = 0; i < hosts; i++) {
    lines.push(`host${i} IN A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    if (i % 3 === 0) lines.push(`host${i} IN AAAA 2001:db8::${i.toString(16)}`);
  }
  return loadZoneText(lines.join('\n'), ORIGIN);
}

function decodeAll(messages: Iterable<Uint8Array>): { msgs: Message[]; sizes: number[] } {
  const msgs: Message[] = [];
  const sizes: number[] = [];
  for (const m of messages) {
    sizes.push(m.length);
    msgs.push(decodeMessage(m));
  }
  return { msgs, sizes };
}

function checkTransfer(zone: Zone, msgs: Message[], id: number, rd: boolean): ResourceRecord[] {
  const answers = msgs.flatMap((m) => m.answers);
  for (const [i, m] of msgs.entries()) {
    assert.equal(m.id, id);
    assert.equal(m.qr, true);
    assert.equal(m.aa, true);
    assert.equal(m.opcode, 0);
    assert.equal(m.rcode, 0);
    assert.equal(m.tc, false);
    assert.equal(m.rd, rd);
    assert.equal(m.questions.length, i === 0 ? 1 : 0, `question only in the first message (message ${i})`);
    assert.equal(m.authorities.length, 0);
    assert.equal(m.additionals.length, 0);
    assert.ok(m.answers.length > 0);
  }
  const first = answers[0]!;
  const last = answers[answers.length - 1]!;
  assert.equal(first.type, RRType.SOA);
  assert.equal(last.type, RRType.SOA);
  assert.ok(first.name.equals(zone.origin));
  assert.deepEqual(first.rdata, zone.soa.rdatas[0]);
  assert.deepEqual(last.rdata, zone.soa.rdatas[0]);
  assert.equal(answers.filter((r) => r.type === RRType.SOA).length, 2);
  // Everything between the SOAs is the zone (the opening SOA counts once).
  assert.deepEqual(multiset(answers.slice(0, -1)), multiset(zone.canonicalRecords()));
  return answers;
}

describe('axfrMessages', () => {
  it('sends a small zone in one message: question, SOA first and last, every record', () => {
    const zone = loadZoneText(SMALL, ORIGIN);
    const { msgs } = decodeAll(axfrMessages(zone, { id: 0x1234, question: question(ORIGIN, RRType.AXFR), rd: true }));
    assert.equal(msgs.length, 1);
    const q = msgs[0]!.questions[0]!;
    assert.ok(q.name.equals(ORIGIN));
    assert.equal(q.type, RRType.AXFR);
    assert.equal(q.class, 1);
    const answers = checkTransfer(zone, msgs, 0x1234, true);
    // Apex data right after the SOA.
    assert.ok(answers[1]!.name.equals(ORIGIN));
    // Owner letter case preserved.
    assert.ok(answers.some((r) => r.name.toText() === 'Deep.Sub.example.com.'));
  });

  it('copies RD clear', () => {
    const zone = loadZoneText(SMALL, ORIGIN);
    const { msgs } = decodeAll(axfrMessages(zone, { id: 7, question: question(ORIGIN, RRType.AXFR), rd: false }));
    checkTransfer(zone, msgs, 7, false);
  });

  it('splits a 20k-record zone into messages within the limit, compressed, question only first', () => {
    const zone = bigZone(15000);
    assert.ok(zone.recordCount > 20000);
    for (const [max, reserve] of [[16384, 0], [16384, 300], [65535, 0], [4096, 100], [512, 0]] as const) {
      const { msgs, sizes } = decodeAll(axfrMessages(zone, { id: 99, question: question(ORIGIN, RRType.AXFR), rd: false }, { maxMessage: max, reserve }));
      assert.ok(msgs.length > 1, `${max}: several messages`);
      for (const s of sizes) assert.ok(s <= max - reserve, `${max}/${reserve}: message of ${s}`);
      // Messages are reasonably full (all but the last).
      for (const s of sizes.slice(0, -1)) assert.ok(s > (max - reserve) - 100, `${max}: message of ${s} is underfull`);
      const answers = checkTransfer(zone, msgs, 99, false);
      const raw = answers.reduce((n, r) => n + rawSize(r), 0);
      const total = sizes.reduce((a, b) => a + b, 0);
      assert.ok(total < raw * 0.75, `${max}: ${total} octets vs ${raw} uncompressed`);
    }
  });

  it('lets an RRset span messages', () => {
    const lines = ['$TTL 300', '@ IN SOA ns1 hostmaster 5 3600 900 604800 300', '@ IN NS ns1', 'ns1 IN A 192.0.2.1'];
    for (let i = 0; i < 200; i++) lines.push(`big IN TXT "record number ${i} with some padding text"`);
    const zone = loadZoneText(lines.join('\n'), ORIGIN);
    const { msgs, sizes } = decodeAll(axfrMessages(zone, { id: 1, question: question(ORIGIN, RRType.AXFR), rd: false }, { maxMessage: 1024 }));
    assert.ok(msgs.length > 5);
    for (const s of sizes) assert.ok(s <= 1024);
    checkTransfer(zone, msgs, 1, false);
  });

  it('includes NSEC3 owners, wildcards and glue', () => {
    const text = [
      '$TTL 300',
      '@ IN SOA ns1 hostmaster 5 3600 900 604800 300',
      '@ IN NS ns1',
      'ns1 IN A 192.0.2.1',
      '* IN A 192.0.2.9',
      'child IN NS ns.child',
      'ns.child IN A 192.0.2.10',
      '@ IN NSEC3PARAM 1 0 0 -',
      '2vptu5timamqttgl4luu9kg21e0aor3s IN NSEC3 1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3t A RRSIG',
    ].join('\n');
    const zone = loadZoneText(text, ORIGIN);
    const { msgs } = decodeAll(axfrMessages(zone, { id: 2, question: question(ORIGIN, RRType.AXFR), rd: false }));
    const answers = checkTransfer(zone, msgs, 2, false);
    assert.ok(answers.some((r) => r.type === RRType.NSEC3));
  });

  it('is lazy: the first message comes before the zone is walked', () => {
    const zone = bigZone(3000);
    const gen = axfrMessages(zone, { id: 3, question: question(ORIGIN, RRType.AXFR), rd: false }, { maxMessage: 1024 });
    const first = gen.next();
    assert.equal(first.done, false);
    assert.ok(first.value.length <= 1024);
    gen.return(undefined);
  });

  it('refuses a limit too small for a record', () => {
    const zone = loadZoneText(SMALL, ORIGIN);
    assert.throws(() => [...axfrMessages(zone, { id: 3, question: question(ORIGIN, RRType.AXFR), rd: false }, { maxMessage: 60 })], XfrRecordTooLargeError);
  });
});
