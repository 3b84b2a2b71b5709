import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Name, RRType, WireErrorCode, WireFormatError, decodeMessage, emptyMessage, encodeMessage, encodeMessageToBytes,
  rdataFromText, tokenize, type Message, type ResourceRecord,
} from '../../../src/wire/index.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function rr(owner: string, type: number, text: string, ttl = 300): ResourceRecord {
  return { name: Name.fromText(owner), type, class: 1, ttl, rdata: rdataFromText(type, tokenize(text), Name.fromText('example.com.')) };
}

function rejects(bytes: string, code: string): void {
  assert.throws(
    () => decodeMessage(h(bytes)),
    (e: unknown) => e instanceof WireFormatError && e.code === code,
    `expected ${code}`,
  );
}

// Header for a response with the given counts.
const hdr = (qd: number, an: number, ns: number, ar: number): string =>
  '1234 8400' + [qd, an, ns, ar].map((n) => n.toString(16).padStart(4, '0')).join('');
const Q = '076578616d706c6503636f6d00 0001 0001'; // example.com. A IN
const A_RR = 'c00c 0001 0001 0000012c 0004 c0000201'; // compressed owner → example.com.
const OPT = '00 0029 04d0 00000000 0000';
const TSIG = '0474736967 00 00fa 00ff 00000000 001d 0b686d61632d73686132353600 000000000000 012c 0000 1234 0000 0000';

describe('decodeMessage: strict', () => {
  it('decodes a valid response', () => {
    const m = decodeMessage(h(hdr(1, 1, 0, 1) + Q + A_RR + OPT));
    assert.equal(m.id, 0x1234);
    assert.ok(m.qr && m.aa && !m.tc);
    assert.equal(m.questions[0]!.name.toText(), 'example.com.');
    assert.equal(m.answers[0]!.name.toText(), 'example.com.');
    assert.equal(hex(m.answers[0]!.rdata), 'c0000201');
    assert.equal(m.edns?.udpPayload, 1232);
    assert.equal(m.additionals.length, 0, 'OPT is not an additional record');
  });

  it('rejects a short header', () => rejects('1234 0100 0001', WireErrorCode.SHORT_HEADER));
  it('rejects counts that promise more than the message holds', () => rejects(hdr(1, 2, 0, 0) + Q + A_RR, WireErrorCode.COUNT_MISMATCH));
  it('rejects bytes after the last counted record', () => rejects(hdr(1, 1, 0, 0) + Q + A_RR + '00', WireErrorCode.TRAILING_BYTES));
  it('rejects a forward pointer', () => rejects(hdr(1, 0, 0, 0) + 'c00e 0001 0001 00', WireErrorCode.FORWARD_POINTER));
  it('rejects a pointer to itself', () => rejects(hdr(1, 0, 0, 0) + 'c00c 0001 0001', WireErrorCode.POINTER_LOOP));
  it('rejects a pointer back into the name that holds it', () => {
    // "a" then a pointer to the start of the same name: following it would never end.
    rejects(hdr(1, 0, 0, 0) + '0161c00c 00010001', WireErrorCode.POINTER_LOOP);
    // A pointer to a later octet is refused even when that octet holds a valid name.
    rejects(hdr(2, 0, 0, 0) + '0161c017 00010001 c013 00010001', WireErrorCode.FORWARD_POINTER);
  });
  it('rejects label types 0x40 and 0x80', () => {
    rejects(hdr(1, 0, 0, 0) + '4161 00 0001 0001', WireErrorCode.BAD_LABEL_TYPE);
    rejects(hdr(1, 0, 0, 0) + '8161 00 0001 0001', WireErrorCode.BAD_LABEL_TYPE);
  });
  it('rejects names longer than 255 octets', () => {
    const label = '3f' + '61'.repeat(63);
    rejects(hdr(1, 0, 0, 0) + label.repeat(4) + '00 0001 0001', WireErrorCode.NAME_TOO_LONG);
  });
  it('rejects rdata cut short by the message end', () => rejects(hdr(1, 1, 0, 0) + Q + 'c00c 0001 0001 0000012c 0004 c00002', WireErrorCode.SHORT_READ));
  it('rejects rdata whose length disagrees with its type', () => {
    rejects(hdr(1, 1, 0, 0) + Q + 'c00c 0001 0001 0000012c 0005 c000020101', WireErrorCode.RDATA_LENGTH);
    rejects(hdr(1, 1, 0, 0) + Q + 'c00c 001c 0001 0000012c 0004 c0000201', WireErrorCode.RDATA_LENGTH);
    // MX: preference and a name that ends before the rdata does.
    rejects(hdr(1, 1, 0, 0) + Q + 'c00c 000f 0001 0000012c 0005 000a c00c 00', WireErrorCode.RDATA_LENGTH);
  });
  it('rejects a compression pointer inside a type that may not use one', () => {
    // NSEC next-name with a pointer (RFC 6840 / RFC 3597 §4: not a well-known type).
    rejects(hdr(1, 1, 0, 0) + Q + 'c00c 002f 0001 0000012c 0005 c00c 000106', WireErrorCode.POINTER_NOT_ALLOWED);
  });
  it('decompresses names inside well-known rdata', () => {
    const m = decodeMessage(h(hdr(1, 1, 0, 0) + Q + 'c00c 000f 0001 0000012c 0009 000a 046d61696c c00c'));
    assert.equal(hex(m.answers[0]!.rdata), '000a046d61696c076578616d706c6503636f6d00');
  });
  it('rejects more than one OPT', () => rejects(hdr(1, 0, 0, 2) + Q + OPT + OPT, WireErrorCode.MULTIPLE_OPT));
  it('rejects OPT outside the additional section', () => {
    rejects(hdr(1, 1, 0, 0) + Q + OPT, WireErrorCode.OPT_MISPLACED);
    rejects(hdr(1, 0, 1, 0) + Q + OPT, WireErrorCode.OPT_MISPLACED);
  });
  it('rejects OPT not owned by the root', () => rejects(hdr(1, 0, 0, 1) + Q + 'c00c 0029 04d0 00000000 0000', WireErrorCode.OPT_MISPLACED));
  it('rejects EDNS options that overrun the OPT rdata', () => rejects(hdr(1, 0, 0, 1) + Q + '00 0029 04d0 00000000 0006 000a 0004 0102', WireErrorCode.RDATA_LENGTH));
  it('rejects TSIG that is not last', () => {
    rejects(hdr(1, 0, 0, 2) + Q + TSIG + OPT, WireErrorCode.TSIG_MISPLACED);
    rejects(hdr(1, 1, 0, 0) + Q + TSIG, WireErrorCode.TSIG_MISPLACED);
    rejects(hdr(1, 0, 0, 2) + Q + TSIG + TSIG, WireErrorCode.TSIG_MISPLACED);
  });
  it('accepts OPT then TSIG, and keeps both out of the additional list', () => {
    const m = decodeMessage(h(hdr(1, 0, 0, 2) + Q + OPT + TSIG));
    assert.ok(m.edns !== null && m.tsig !== null);
    assert.equal(m.tsig.name.toText(), 'tsig.');
    assert.equal(m.additionals.length, 0);
  });
  it('reads the 12-bit RCODE from header and OPT (RFC 6891 §6.1.3)', () => {
    const m = decodeMessage(h('1234 8001 0000 0000 0000 0001' + '00 0029 1000 01000000 0000'));
    assert.equal(m.rcode, 16 + 1);
  });
  it('keeps EDNS version, DO, Z and options as raw octets', () => {
    const m = decodeMessage(h(hdr(1, 0, 0, 1) + Q + '00 0029 0200 00018001 000c 000a 0008 0102030405060708'));
    assert.deepEqual(
      { v: m.edns!.version, do: m.edns!.dnssecOk, z: m.edns!.z, p: m.edns!.udpPayload, code: m.edns!.options[0]!.code },
      { v: 1, do: true, z: 1, p: 512, code: 10 },
    );
    assert.equal(hex(m.edns!.options[0]!.data), '0102030405060708');
  });
  it('accepts empty rdata for class ANY/NONE (RFC 2136 §2.5)', () => {
    const m = decodeMessage(h('1234 2800 0001 0000 0001 0000' + Q + 'c00c 0001 00ff 00000000 0000'));
    assert.equal(m.authorities[0]!.rdata.length, 0);
  });
});

function response(): Message {
  const m = emptyMessage(0xbeef);
  m.qr = true;
  m.aa = true;
  m.questions.push({ name: Name.fromText('WWW.example.com.'), type: RRType.A, class: 1 });
  m.answers.push(rr('www.example.com.', RRType.A, '192.0.2.1'), rr('www.example.com.', RRType.A, '192.0.2.2'));
  m.authorities.push(rr('example.com.', RRType.NS, 'ns1.example.com.'), rr('example.com.', RRType.NS, 'ns2.example.com.'));
  m.additionals.push(rr('ns1.example.com.', RRType.A, '192.0.2.53'), rr('ns2.example.com.', RRType.AAAA, '2001:db8::53'));
  m.edns = { udpPayload: 1232, version: 0, dnssecOk: true, z: 0, options: [{ code: 3, data: Uint8Array.of(1, 2) }] };
  return m;
}

describe('encodeMessage', () => {
  it('round-trips through decodeMessage', () => {
    const m = response();
    const back = decodeMessage(encodeMessageToBytes(m));
    assert.equal(back.answers.length, 2);
    assert.equal(back.authorities.length, 2);
    assert.equal(back.additionals.length, 2);
    assert.equal(hex(back.additionals[1]!.rdata), hex(m.additionals[1]!.rdata));
    assert.equal(back.edns?.dnssecOk, true);
    assert.equal(hex(back.edns!.options[0]!.data), '0102');
  });

  it('compresses names (RFC 1035 §4.1.4) without changing their case', () => {
    const m = response();
    const buf = new Uint8Array(512);
    const plain = encodeMessage(m, new Uint8Array(512), { compress: false }).length;
    const { length } = encodeMessage(m, buf);
    assert.ok(length < plain - 40, `compressed ${length} vs plain ${plain}`);
    // The answer owner "www" differs in case from the question's "WWW": only "example.com." is shared (offset 16).
    const qEnd = 12 + Name.fromText('WWW.example.com.').wire.length + 4;
    assert.equal(hex(buf.subarray(qEnd, qEnd + 6)), '03777777c010');
    const back = decodeMessage(buf.subarray(0, length));
    assert.equal(back.answers[0]!.name.toText(), 'www.example.com.');
    assert.equal(back.questions[0]!.name.toText(), 'WWW.example.com.');
    // NS rdata is compressed too (a well-known type).
    assert.equal(back.authorities[0]!.rdata.length, Name.fromText('ns1.example.com.').wire.length);
  });

  it('never compresses names inside types that are not well-known (RFC 3597 §4)', () => {
    const m = emptyMessage();
    m.answers.push(rr('example.com.', RRType.SRV, '0 0 53 example.com.'));
    const bytes = encodeMessageToBytes(m);
    assert.ok(hex(bytes).endsWith('0000000000350' + '76578616d706c6503636f6d00'.slice(0)), hex(bytes));
  });

  it('stops at an RRset boundary and sets TC when the answer does not fit', () => {
    const m = response();
    m.answers = [];
    for (let i = 0; i < 40; i++) m.answers.push(rr('big.example.com.', RRType.TXT, `"${'x'.repeat(40)}${i}"`));
    m.answers.push(rr('other.example.com.', RRType.A, '192.0.2.9'));
    const buf = new Uint8Array(4096);
    const res = encodeMessage(m, buf, { limit: 512 });
    assert.ok(res.length <= 512);
    assert.deepEqual([res.truncated, res.truncatedSection], [true, 1]);
    const back = decodeMessage(buf.subarray(0, res.length));
    assert.ok(back.tc);
    assert.equal(back.answers.length, 0, 'the whole TXT RRset is left out, not part of it');
    assert.ok(back.edns !== null, 'OPT is kept in a truncated answer (RFC 6891 §7)');
  });

  it('keeps whole RRsets that fit and drops the rest', () => {
    const m = response();
    m.answers.push(...Array.from({ length: 30 }, (_, i) => rr('z.example.com.', RRType.A, `192.0.2.${i}`)));
    const buf = new Uint8Array(4096);
    const res = encodeMessage(m, buf, { limit: 200 });
    const back = decodeMessage(buf.subarray(0, res.length));
    assert.equal(back.answers.length, 2);
    assert.ok(back.tc);
  });

  it('drops additional data without TC (RFC 2181 §9)', () => {
    const m = response();
    const full = encodeMessageToBytes(m).length;
    const buf = new Uint8Array(4096);
    const res = encodeMessage(m, buf, { limit: full - 10 });
    assert.deepEqual([res.truncated, res.truncatedSection], [true, 3]);
    const back = decodeMessage(buf.subarray(0, res.length));
    assert.ok(!back.tc);
    assert.equal(back.additionals.length, 1);
    assert.equal(back.authorities.length, 2);
  });

  it('reports NO_SPACE when not even the question fits', () => {
    assert.throws(() => encodeMessage(response(), new Uint8Array(20)), (e: unknown) => (e as WireFormatError).code === WireErrorCode.NO_SPACE);
  });

  it('writes extended RCODEs through OPT and refuses them without EDNS', () => {
    const m = emptyMessage();
    m.rcode = 16;
    assert.throws(() => encodeMessageToBytes(m), (e: unknown) => (e as WireFormatError).code === WireErrorCode.VALUE_RANGE);
    m.edns = { udpPayload: 512, version: 0, dnssecOk: false, z: 0, options: [] };
    assert.equal(decodeMessage(encodeMessageToBytes(m)).rcode, 16);
  });

  it('places TSIG last, after OPT, uncompressed', () => {
    const m = response();
    m.tsig = decodeMessage(h(hdr(1, 0, 0, 2) + Q + OPT + TSIG)).tsig;
    const bytes = encodeMessageToBytes(m);
    assert.ok(hex(bytes).endsWith(TSIG.replace(/\s+/g, '')));
    const back = decodeMessage(bytes);
    assert.equal(back.tsig?.name.toText(), 'tsig.');
  });
});
