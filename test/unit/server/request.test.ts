/**
 * readRequest on hand-built packets: what is dropped, what is FORMERR,
 * and what the OPT record says (RFC 1035 §4.1, RFC 6891 §6, RFC 5001,
 * RFC 8945 §5.1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readRequest, RequestError } from '../../../src/server/request.js';

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];

/** A 12-octet header; `b2`/`b3` are header octets 2 and 3. */
function header(opts: { id?: number; b2?: number; b3?: number; qd?: number; an?: number; ns?: number; ar?: number } = {}): number[] {
  return [...u16(opts.id ?? 0xbeef), opts.b2 ?? 0x01, opts.b3 ?? 0x00, ...u16(opts.qd ?? 1), ...u16(opts.an ?? 0), ...u16(opts.ns ?? 0), ...u16(opts.ar ?? 0)];
}

/** Uncompressed wire name from dotted text ('' = root). */
function wname(text: string): number[] {
  const out: number[] = [];
  for (const l of text.split('.').filter((x) => x !== '')) out.push(l.length, ...Buffer.from(l, 'latin1'));
  out.push(0);
  return out;
}

/** example.com. A IN */
const QUESTION = [...wname('example.com'), ...u16(1), ...u16(1)];

/** An OPT record: root owner unless `owner` is given. */
function opt(o: { payload?: number; extRcode?: number; version?: number; flags?: number; rdata?: number[]; owner?: number[] } = {}): number[] {
  const rdata = o.rdata ?? [];
  return [
    ...(o.owner ?? [0]), ...u16(41), ...u16(o.payload ?? 1232),
    o.extRcode ?? 0, o.version ?? 0, ...u16(o.flags ?? 0), ...u16(rdata.length), ...rdata,
  ];
}

/** An EDNS option. */
const option = (code: number, data: number[] = []): number[] => [...u16(code), ...u16(data.length), ...data];

/** A TSIG record (the rdata need not be valid for readRequest). */
function tsig(): number[] {
  const rdata = [...wname('hmac-sha256'), 0, 0, 0, 0, 0, 0, ...u16(300), ...u16(0), ...u16(0xbeef), ...u16(0), ...u16(0)];
  return [...wname('key'), ...u16(250), ...u16(255), 0, 0, 0, 0, ...u16(rdata.length), ...rdata];
}

/** An A record owned by example.com (compressed to the question). */
const A_RECORD = [0xc0, 12, ...u16(1), ...u16(1), 0, 0, 0, 60, ...u16(4), 192, 0, 2, 1];

const bytes = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());

function expectError(buf: Uint8Array, error: number, why: string, length?: number): void {
  const r = length === undefined ? readRequest(buf) : readRequest(buf, length);
  assert.equal(r.error, error, `${why}: expected ${error === RequestError.DROP ? 'DROP' : 'FORMERR'}, got ${r.error}`);
}

describe('readRequest: a plain query', () => {
  it('reads header, question and offsets', () => {
    const buf = bytes(header({ id: 0x1234, b2: 0x01, b3: 0x10 }), QUESTION);
    const r = readRequest(buf);
    assert.equal(r.error, RequestError.NONE);
    assert.equal(r.id, 0x1234);
    assert.equal(r.flags, 0x0110);
    assert.equal(r.opcode, 0);
    assert.equal(r.qdcount, 1);
    assert.equal(r.qnameEnd, 12 + 13);
    assert.equal(r.questionEnd, 12 + 13 + 4);
    assert.equal(r.qtype, 1);
    assert.equal(r.qclass, 1);
    assert.equal(r.edns, false);
    assert.equal(r.tsig, false);
    assert.equal(r.nsid, false);
  });

  it('reads the opcode', () => {
    const r = readRequest(bytes(header({ b2: 4 << 3 }), QUESTION));
    assert.equal(r.error, RequestError.NONE);
    assert.equal(r.opcode, 4);
  });

  it('accepts the root as question name', () => {
    const r = readRequest(bytes(header(), [0, 0, 2, 0, 1]));
    assert.equal(r.error, RequestError.NONE);
    assert.equal(r.qnameEnd, 13);
    assert.equal(r.qtype, 2);
  });

  it('accepts a 255-octet name and rejects a 256-octet one', () => {
    // 3 labels of 63 + 1 label of 61: 4*64 - 2 + 1 = 255 octets with the root.
    const l63 = 'a'.repeat(63);
    const ok = wname(`${l63}.${l63}.${l63}.${'b'.repeat(61)}`);
    assert.equal(ok.length, 255);
    assert.equal(readRequest(bytes(header(), ok, u16(1), u16(1))).error, RequestError.NONE);
    const long = wname(`${l63}.${l63}.${l63}.${'b'.repeat(62)}`);
    assert.equal(long.length, 256);
    expectError(bytes(header(), long, u16(1), u16(1)), RequestError.FORMERR, 'name of 256 octets');
  });

  it('honours the length argument (octets past it are not part of the request)', () => {
    const buf = bytes(header(), QUESTION, [0xde, 0xad, 0xbe, 0xef]);
    assert.equal(readRequest(buf, buf.length - 4).error, RequestError.NONE);
    expectError(buf, RequestError.FORMERR, 'the same octets in full (trailing garbage)');
    expectError(buf, RequestError.FORMERR, 'length cutting the question', 20);
  });

  it('resets every field between calls (the Request object is shared)', () => {
    const first = readRequest(bytes(header({ ar: 2 }), QUESTION, opt({ flags: 0x8000, rdata: option(3) }), tsig()));
    assert.equal(first.error, RequestError.NONE);
    assert.ok(first.edns && first.dnssecOk && first.nsid && first.tsig);
    const second = readRequest(bytes(header({ id: 7 }), QUESTION));
    assert.equal(second.error, RequestError.NONE);
    assert.equal(second.id, 7);
    assert.equal(second.edns, false);
    assert.equal(second.dnssecOk, false);
    assert.equal(second.nsid, false);
    assert.equal(second.tsig, false);
    assert.equal(second.ednsPayload, 0);
    assert.equal(second.ednsVersion, 0);
  });
});

describe('readRequest: DROP', () => {
  it('drops anything shorter than a header', () => {
    for (const n of [0, 1, 2, 11]) expectError(new Uint8Array(n), RequestError.DROP, `${n} octets`);
    expectError(bytes(header(), QUESTION), RequestError.DROP, 'length 11 of a whole query', 11);
  });

  it('drops responses (QR=1), even well-formed ones', () => {
    expectError(bytes(header({ b2: 0x81 }), QUESTION), RequestError.DROP, 'QR=1');
    expectError(bytes(header({ b2: 0x80, qd: 0 })), RequestError.DROP, 'QR=1 with no question');
  });

  it('a 12-octet header with QR=0 is readable: FORMERR, not DROP', () => {
    const r = readRequest(bytes(header({ id: 0x4242 })));
    assert.equal(r.error, RequestError.FORMERR);
    assert.equal(r.id, 0x4242);
  });
});

describe('readRequest: FORMERR', () => {
  it('QDCOUNT other than 1', () => {
    expectError(bytes(header({ qd: 0 })), RequestError.FORMERR, 'QDCOUNT 0');
    expectError(bytes(header({ qd: 2 }), QUESTION, QUESTION), RequestError.FORMERR, 'QDCOUNT 2');
    expectError(bytes(header({ qd: 0xffff }), QUESTION), RequestError.FORMERR, 'QDCOUNT 65535');
  });

  it('records in the answer or authority section', () => {
    expectError(bytes(header({ an: 1 }), QUESTION, A_RECORD), RequestError.FORMERR, 'ANCOUNT 1');
    expectError(bytes(header({ ns: 1 }), QUESTION, A_RECORD), RequestError.FORMERR, 'NSCOUNT 1');
  });

  it('a compression pointer in the question', () => {
    // www + pointer to offset 12 (itself a valid name start).
    expectError(bytes(header(), [3, 0x77, 0x77, 0x77, 0xc0, 12], u16(1), u16(1)), RequestError.FORMERR, 'pointer after a label');
    expectError(bytes(header(), [0xc0, 12], u16(1), u16(1)), RequestError.FORMERR, 'pointer as the whole name');
  });

  it('label types 0x40 and 0x80 (extended and reserved)', () => {
    expectError(bytes(header(), [0x41, 0, 0, 1, 0, 1]), RequestError.FORMERR, 'extended label type');
    expectError(bytes(header(), [0x81, 0, 0, 1, 0, 1]), RequestError.FORMERR, 'reserved label type');
  });

  it('truncated packets, at every length inside the question', () => {
    const full = bytes(header(), QUESTION);
    for (let len = 12; len < full.length; len++) expectError(full.subarray(0, len), RequestError.FORMERR, `question cut at ${len}`);
  });

  it('a label running past the end', () => {
    expectError(bytes(header(), [10, 0x61, 0x62]), RequestError.FORMERR, 'label longer than the packet');
  });

  it('garbage after the question or after the last record', () => {
    expectError(bytes(header(), QUESTION, [0]), RequestError.FORMERR, 'one octet after the question');
    expectError(bytes(header({ ar: 1 }), QUESTION, opt(), [0, 0]), RequestError.FORMERR, 'two octets after the OPT');
  });

  it('ARCOUNT larger than the records present', () => {
    expectError(bytes(header({ ar: 1 }), QUESTION), RequestError.FORMERR, 'ARCOUNT 1, nothing there');
    expectError(bytes(header({ ar: 2 }), QUESTION, opt()), RequestError.FORMERR, 'ARCOUNT 2, one OPT');
  });

  it('truncated OPT records, at every length', () => {
    const full = bytes(header({ ar: 1 }), QUESTION, opt({ rdata: option(3) }));
    assert.equal(readRequest(full).error, RequestError.NONE);
    for (let len = 12 + QUESTION.length; len < full.length; len++) {
      expectError(full.subarray(0, len), RequestError.FORMERR, `OPT cut at ${len}`);
    }
  });

  it('two OPT records', () => {
    expectError(bytes(header({ ar: 2 }), QUESTION, opt(), opt()), RequestError.FORMERR, 'two OPTs');
  });

  it('an OPT whose owner is not the root', () => {
    expectError(bytes(header({ ar: 1 }), QUESTION, opt({ owner: wname('example.com') })), RequestError.FORMERR, 'OPT owned by example.com');
    expectError(bytes(header({ ar: 1 }), QUESTION, opt({ owner: [0xc0, 12] })), RequestError.FORMERR, 'OPT owner compressed');
  });

  it('additional records other than OPT and TSIG', () => {
    expectError(bytes(header({ ar: 1 }), QUESTION, A_RECORD), RequestError.FORMERR, 'an A record in additional');
  });

  it('malformed EDNS option lengths', () => {
    // An option header alone (4 octets) claiming 1 octet of data that is not there.
    expectError(bytes(header({ ar: 1 }), QUESTION, opt({ rdata: [0, 3, 0, 1] })), RequestError.FORMERR, 'option data past the rdata');
    // Three octets: not even an option header.
    expectError(bytes(header({ ar: 1 }), QUESTION, opt({ rdata: [0, 3, 0] })), RequestError.FORMERR, 'partial option header');
    // A good option followed by a short one.
    expectError(bytes(header({ ar: 1 }), QUESTION, opt({ rdata: [...option(10, [1, 2, 3, 4, 5, 6, 7, 8]), 0, 12] })), RequestError.FORMERR, 'trailing partial option');
    // The option claims more than the rdata holds, though the packet continues (the OPT's RDLENGTH bounds it).
    const claim = opt({ rdata: [0, 12, 0, 8, 0, 0, 0, 0] });
    expectError(bytes(header({ ar: 2 }), QUESTION, claim, tsig()), RequestError.FORMERR, 'option longer than RDLENGTH, TSIG after');
  });

  it('TSIG must be the last record', () => {
    expectError(bytes(header({ ar: 2 }), QUESTION, tsig(), opt()), RequestError.FORMERR, 'OPT after TSIG');
    expectError(bytes(header({ ar: 2 }), QUESTION, tsig(), tsig()), RequestError.FORMERR, 'two TSIGs');
    const r = readRequest(bytes(header({ ar: 2 }), QUESTION, opt(), tsig()));
    assert.equal(r.error, RequestError.NONE, 'OPT then TSIG is fine');
    assert.ok(r.edns && r.tsig);
    const alone = readRequest(bytes(header({ ar: 1 }), QUESTION, tsig()));
    assert.equal(alone.error, RequestError.NONE);
    assert.ok(alone.tsig && !alone.edns);
  });

  it('keeps the ID and flags readable for the FORMERR answer', () => {
    const r = readRequest(bytes(header({ id: 0xabcd, b2: 0x01, b3: 0x10, qd: 2 })));
    assert.equal(r.error, RequestError.FORMERR);
    assert.equal(r.id, 0xabcd);
    assert.equal(r.flags, 0x0110);
  });
});

describe('readRequest: OPT contents', () => {
  it('payload, version, DO bit', () => {
    const r = readRequest(bytes(header({ ar: 1 }), QUESTION, opt({ payload: 4096, version: 0, flags: 0x8000 })));
    assert.equal(r.error, RequestError.NONE);
    assert.equal(r.edns, true);
    assert.equal(r.ednsPayload, 4096);
    assert.equal(r.ednsVersion, 0);
    assert.equal(r.dnssecOk, true);
    assert.equal(r.nsid, false);
  });

  it('DO clear when only other flag bits are set', () => {
    const r = readRequest(bytes(header({ ar: 1 }), QUESTION, opt({ flags: 0x7fff })));
    assert.equal(r.error, RequestError.NONE);
    assert.equal(r.dnssecOk, false);
  });

  it('a small payload and a higher version are read as given (the responder applies the rules)', () => {
    const r = readRequest(bytes(header({ ar: 1 }), QUESTION, opt({ payload: 100, version: 3 })));
    assert.equal(r.error, RequestError.NONE);
    assert.equal(r.ednsPayload, 100);
    assert.equal(r.ednsVersion, 3);
  });

  it('the NSID option, alone or among unknown options', () => {
    assert.equal(readRequest(bytes(header({ ar: 1 }), QUESTION, opt({ rdata: option(3) }))).nsid, true);
    const mixed = readRequest(bytes(header({ ar: 1 }), QUESTION, opt({ rdata: [...option(65001, [1, 2, 3]), ...option(3), ...option(12, [0, 0])] })));
    assert.equal(mixed.error, RequestError.NONE);
    assert.equal(mixed.nsid, true);
  });

  it('unknown options are ignored', () => {
    const r = readRequest(bytes(header({ ar: 1 }), QUESTION, opt({ rdata: [...option(65001, [9, 9, 9]), ...option(10, [1, 2, 3, 4, 5, 6, 7, 8])] })));
    assert.equal(r.error, RequestError.NONE);
    assert.equal(r.edns, true);
    assert.equal(r.nsid, false);
  });

  it('an option of zero length at the very end of the rdata', () => {
    const r = readRequest(bytes(header({ ar: 1 }), QUESTION, opt({ rdata: [...option(65001, [1]), ...option(65002)] })));
    assert.equal(r.error, RequestError.NONE);
  });
});

describe('readRequest: COOKIE and edns-tcp-keepalive (RFC 7873, RFC 7828)', () => {
  const cookieQuery = (len: number): Uint8Array =>
    bytes(header({ ar: 1 }), QUESTION, opt({ rdata: option(10, Array.from({ length: len }, (_, i) => i + 1)) }));

  it('reads where the cookie is, for every length RFC 7873 §5.2.2 allows, and FORMERR for the others', () => {
    for (let len = 0; len <= 48; len++) {
      const buf = cookieQuery(len);
      const r = readRequest(buf);
      const good = len === 8 || (len >= 16 && len <= 40);
      assert.equal(r.error, good ? RequestError.NONE : RequestError.FORMERR, `cookie of ${len} octets`);
      if (!good) {
        // The OPT was readable: the FORMERR answer carries one.
        assert.equal(r.edns, true, `cookie of ${len} octets: OPT seen`);
        continue;
      }
      assert.equal(r.cookieLength, len);
      assert.deepEqual([...buf.subarray(r.cookieAt, r.cookieAt + len)], Array.from({ length: len }, (_, i) => i + 1));
    }
  });

  it('finds the cookie among other options, takes the first of two, and resets between calls', () => {
    const client = [1, 2, 3, 4, 5, 6, 7, 8];
    const buf = bytes(header({ ar: 1 }), QUESTION, opt({ rdata: [...option(3), ...option(10, client), ...option(10, [9, 9, 9, 9, 9, 9, 9, 9]), ...option(11)] }));
    const r = readRequest(buf);
    assert.equal(r.error, RequestError.NONE);
    assert.equal(r.nsid, true);
    assert.equal(r.keepalive, true);
    assert.deepEqual([...buf.subarray(r.cookieAt, r.cookieAt + r.cookieLength)], client);
    r.validServerCookie = true;
    const plain = readRequest(bytes(header({ ar: 1 }), QUESTION, opt()));
    assert.equal(plain.cookieLength, 0);
    assert.equal(plain.keepalive, false);
    assert.equal(plain.validServerCookie, false);
  });

  it('takes edns-tcp-keepalive with a TIMEOUT as a request too (as BIND does)', () => {
    assert.equal(readRequest(bytes(header({ ar: 1 }), QUESTION, opt({ rdata: option(11, [0, 100]) }))).keepalive, true);
  });

  it('reads the OPT of a query with no question (RFC 7873 §5.4), which is still FORMERR', () => {
    const buf = bytes(header({ qd: 0, ar: 1 }), opt({ rdata: option(10, [1, 2, 3, 4, 5, 6, 7, 8]) }));
    const r = readRequest(buf);
    assert.equal(r.error, RequestError.FORMERR);
    assert.equal(r.noQuestion, true);
    assert.equal(r.edns, true);
    assert.equal(r.cookieLength, 8);
    // Without records, or with garbage after them, it is a plain FORMERR.
    assert.equal(readRequest(bytes(header({ qd: 0 }))).noQuestion, true);
    const junk = readRequest(bytes(header({ qd: 0, ar: 1 }), opt(), [1]));
    assert.equal(junk.error, RequestError.FORMERR);
    assert.equal(junk.noQuestion, false);
    assert.equal(readRequest(bytes(header({ qd: 0, an: 1, ar: 1 }), A_RECORD, opt())).edns, false);
  });
});
