import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Name, RRType, TextFormatError, WireFormatError, WireReader, WireWriter, canonicalRdata, lookupClass, lookupType,
  rdataFromText, rdataToText, readRdata, tokenize, writeRdata,
} from '../../../src/wire/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const origin = Name.fromText('Example.COM.');
const parse = (type: number, text: string): Uint8Array => rdataFromText(type, tokenize(text), origin);

describe('rdata text', () => {
  it('accepts TYPEnnn and CLASSnnn everywhere (RFC 3597 §5)', () => {
    assert.equal(lookupType('TYPE1'), RRType.A);
    assert.equal(lookupType('type65535'), 65535);
    assert.equal(lookupType('TYPE65536'), -1);
    assert.equal(lookupClass('CLASS1'), 1);
    assert.equal(lookupClass('class255'), 255);
    assert.equal(lookupClass('chaos'), 3);
    assert.equal(rdataToText(65000, Uint8Array.of(1, 2)), '\\# 2 0102');
  });

  it('accepts the generic form for known types only when the octets are valid for the type', () => {
    assert.equal(hex(parse(RRType.A, '\\# 4 C0000201')), 'c0000201');
    assert.equal(hex(parse(RRType.MX, '\\# 5 000a 0161 00')), '000a016100');
    assert.throws(() => parse(RRType.A, '\\# 3 C00002'), TextFormatError);
    assert.throws(() => parse(RRType.A, '\\# 5 C0000201'), TextFormatError, 'length disagrees with the hex');
    assert.throws(() => parse(RRType.MX, '\\# 4 000ac00c'), TextFormatError, 'no pointers in \\# rdata');
    assert.equal(hex(parse(65000, '\\# 0')), '');
  });

  it('resolves relative names and @ against the origin, keeping case', () => {
    assert.equal(rdataToText(RRType.MX, parse(RRType.MX, '10 Mail')), '10 Mail.Example.COM.');
    assert.equal(rdataToText(RRType.CNAME, parse(RRType.CNAME, '@')), 'Example.COM.');
  });

  it('gives operator-readable errors', () => {
    assert.throws(() => parse(RRType.AAAA, '2001:db8::10002'), /bad IPv6 address '2001:db8::10002'/);
    assert.throws(() => parse(RRType.A, '192.0.2.256'), /bad IPv4 address/);
    assert.throws(() => parse(RRType.MX, '10'), /missing name/);
    assert.throws(() => parse(RRType.A, '192.0.2.1 extra'), /unexpected extra text 'extra'/);
    assert.throws(() => parse(RRType.TXT, `"${'x'.repeat(256)}"`), /longer than 255/);
  });

  it('prints IPv6 the way BIND does (RFC 5952)', () => {
    const cases: [string, string][] = [
      ['2001:0DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
      ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::'],
      ['::', '::'],
      ['::1', '::1'],
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
      ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
    ];
    for (const [input, out] of cases) assert.equal(rdataToText(RRType.AAAA, parse(RRType.AAAA, input)), out, input);
    for (const bad of ['1::2::3', ':1::', '1:2:3:4:5:6:7:8:9', '12345::', '1:2:3:4:5:6:7', 'g::1', '::1.2.3']) {
      assert.throws(() => parse(RRType.AAAA, bad), TextFormatError, bad);
    }
  });
});

describe('rdata wire', () => {
  it('lowercases embedded names for canonical form only for the RFC 4034 §6.2 types (RFC 6840 §5.1)', () => {
    const ns = parse(RRType.NS, 'NS1.Example.COM.');
    assert.equal(hex(canonicalRdata(RRType.NS, ns)), hex(Name.fromText('ns1.example.com.').wire));
    const srv = parse(RRType.SRV, '0 0 53 Target.Example.');
    assert.equal(rdataToText(RRType.SRV, canonicalRdata(RRType.SRV, srv)), '0 0 53 target.example.');
    const rrsig = parse(RRType.RRSIG, 'A 8 2 300 20260101000000 20250101000000 1 Signer.EXAMPLE. AAAA');
    assert.match(rdataToText(RRType.RRSIG, canonicalRdata(RRType.RRSIG, rrsig)), / signer\.example\. /);
    // NSEC is not lowercased (RFC 6840 §5.1), nor are newer types (RFC 3597 §7).
    const nsec = parse(RRType.NSEC, 'Next.Example. A');
    assert.equal(hex(canonicalRdata(RRType.NSEC, nsec)), hex(nsec));
    const svcb = parse(RRType.SVCB, '1 Target.Example.');
    assert.equal(hex(canonicalRdata(RRType.SVCB, svcb)), hex(svcb));
    // The original is not modified.
    assert.equal(rdataToText(RRType.NS, ns), 'NS1.Example.COM.');
  });

  it('compresses only the RFC 3597 §4 well-known types', () => {
    const buf = new Uint8Array(512);
    const w = new WireWriter(buf);
    w.name(Name.fromText('example.com.').wire);
    const afterOwner = w.pos;
    writeRdata(w, RRType.MX, parse(RRType.MX, '10 mail.example.com.'), true);
    assert.equal(hex(buf.subarray(afterOwner, w.pos)), '000a046d61696cc000');
    const before = w.pos;
    writeRdata(w, RRType.SRV, parse(RRType.SRV, '0 0 25 mail.example.com.'), true);
    assert.equal(w.pos - before, 6 + Name.fromText('mail.example.com.').wire.length, 'SRV target written in full');
    const b2 = w.pos;
    writeRdata(w, RRType.DNAME, parse(RRType.DNAME, 'example.com.'), true);
    assert.equal(w.pos - b2, 13, 'DNAME target never compressed (RFC 6672 §2.5)');
  });

  it('expands compressed names in RP/AFSDB/SRV/NAPTR on input (RFC 3597 §4 SHOULD)', () => {
    // message: 12 octets of header padding, then "example." at 12, then SRV rdata with a pointer.
    const msg = Uint8Array.from(Buffer.from('000000000000000000000000' + '076578616d706c6500' + '000000000035c00c', 'hex'));
    const r = new WireReader(msg, 21);
    assert.equal(rdataToText(RRType.SRV, readRdata(r, RRType.SRV, 8)), '0 0 53 example.');
  });

  it('rejects rdata of the wrong length for fixed types', () => {
    const r = new WireReader(Uint8Array.of(1, 2, 3, 4, 5), 0);
    assert.throws(() => readRdata(r, RRType.A, 5), WireFormatError);
  });
});
