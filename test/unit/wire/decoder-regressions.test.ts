/**
 * Inputs found by the wire-decode fuzz target (fuzz/wire-decode.ts),
 * minimized (`node dist/fuzz/run.js --minimize FILE`), kept as hex with the
 * WireFormatError code the decoder must refuse them with. The fuzz runs so
 * far found no decoder crash; the table pins one minimized input per check
 * the fuzzer reached, so each keeps failing cleanly with its own code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WireErrorCode, WireFormatError, decodeMessage, encodeMessage } from '../../../src/wire/index.js';

const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const E = WireErrorCode;

/** [minimized input (header, then the body), expected code, what it exercises]. */
const REFUSED: [string, string, string][] = [
  ['000000000000', E.SHORT_HEADER, 'six octets'],
  ['000000000100000000000000', E.COUNT_MISMATCH, 'QDCOUNT 1, no question'],
  ['000000000000000000000001', E.COUNT_MISMATCH, 'ARCOUNT 1, no record'],
  ['000000000000000000000000 00', E.TRAILING_BYTES, 'one octet after an empty message'],
  ['000000000000000000000001 01', E.SHORT_READ, 'label length past the end'],
  ['000000000000000100000000 00', E.SHORT_READ, 'record cut after its owner'],
  ['000000000000000000000001 61', E.BAD_LABEL_TYPE, 'label type 0x40'],
  ['000000000000000000000001 c00c', E.POINTER_LOOP, 'pointer to itself'],
  ['000000000000000000000001 000005 0000 00000000 0005 03000000c0', E.SHORT_READ, 'CNAME target ends in half a pointer'],
  ['000000000000000100000000 00 00fa 0000 00000000 0001 cb', E.POINTER_NOT_ALLOWED, 'pointer as TSIG algorithm name'],
  ['000000000000000100000000 000037 0000 00000000 0000', E.RDATA_LENGTH, 'empty HIP rdata'],
  ['000000000000000100000000 00001d 0000 00000000 0000', E.RDATA_LENGTH, 'empty LOC rdata'],
  ['000000000000000100000000 000041 0000 00000000 0000', E.RDATA_LENGTH, 'empty SVCB rdata'],
  ['000000000000000100000000 000041 0000 00000000 0006 000000000000', E.RDATA_LENGTH, 'SvcParam header cut short'],
  ['000000000000000100000000 00 0041 0000 00000000 0013 0000 03000000 07 00000000000000 00 0003 0000', E.BAD_RDATA, 'HTTPS port of zero octets'],
  ['000000000000000100000000 000063 0000 00000000 0000', E.RDATA_LENGTH, 'SPF without a character-string'],
  ['000000000000000100000000 00000d 0000 00000000 0000', E.RDATA_LENGTH, 'empty HINFO'],
  ['000000000000000100000000 00002a 0001 00000000 0001 00', E.RDATA_LENGTH, 'APL item header cut short'],
  ['000000000000000100000000 00002d 0001 00000000 0000', E.RDATA_LENGTH, 'empty IPSECKEY'],
  ['000000000000000100000000 00002d 0001 00000000 000b 0061000000000000000000', E.BAD_RDATA, 'IPSECKEY gateway type 0x61'],
  ['000000000000000100000000 000022 0001 00000000 0004 01000000', E.BAD_RDATA, 'ATMA E.164 address that is not digits'],
  ['000000000000000100000000 000101 0000 00000000 0004 00000000', E.BAD_RDATA, 'CAA with an empty tag'],
  ['000000000000000100000000 000037 0000 00000000 0010 00000000000000000000000000000000', E.BAD_RDATA, 'HIP with empty HIT and key'],
  ['000000000000000100000000 00003f 0000 00000000 0009 000000000000000000', E.BAD_RDATA, 'ZONEMD digest under 12 octets'],
  ['000000000000000100000000 00001d 0000 00000000 0010 00000000000000000000000000000000', E.BAD_RDATA, 'LOC latitude out of range'],
  ['000000000000000000000001 000029 0000 00000000 0001 00', E.RDATA_LENGTH, 'EDNS option header cut short'],
  ['000000000000000000010000 000029 0000 00000000 0000', E.OPT_MISPLACED, 'OPT in the authority section'],
  ['000000000000000000000001 0c000000000000000000000000 00 0029 0000 00000000 0000', E.OPT_MISPLACED, 'OPT owner is not the root'],
  ['000000000000000000000061 000029 0000 00000000 0000 000029 0000 00000000 0000', E.MULTIPLE_OPT, 'two OPT records'],
  ['000000000000000100000000 07 00000000000000 00 0001 0001 00000000 0000', E.RDATA_LENGTH, 'class IN A record with empty rdata'],
];

function refuses(hex: string, code: string, what: string): void {
  assert.throws(
    () => decodeMessage(h(hex)),
    (e: unknown) => {
      assert.ok(e instanceof WireFormatError, `${what}: threw ${String(e)}, not a WireFormatError`);
      assert.equal(e.code, code, `${what}: ${e.message}`);
      return true;
    },
  );
}

describe('decoder regressions (minimized fuzz inputs)', () => {
  for (const [hex, code, what] of REFUSED) it(`${what} → ${code}`, () => refuses(hex, code, what));
});

describe('found by the fuzz round-trip oracle', () => {
  // An RFC 2136 §2.5.4 "delete an RR from an RRset" shape: class NONE, TTL 0, RDLENGTH 0.
  // Root owner, type NS. The decoder is right to accept it (RFC 2136 §2.4, §2.5).
  const DELETE_NS = '000000000000000100000000 00 0002 00fe 00000000 0000';

  it('the decoder accepts empty rdata in class NONE/ANY update records', () => {
    const m = decodeMessage(h(DELETE_NS));
    assert.equal(m.answers.length, 1);
    assert.equal(m.answers[0]!.class, 254);
    assert.equal(m.answers[0]!.rdata.length, 0);
  });

  it(
    're-encoding such a record keeps its empty rdata',
    // Found by the fuzzer: writeRdata ran the compressible NS codec on the empty rdata and threw WIRE_SHORT_READ.
    () => {
      const m = decodeMessage(h(DELETE_NS));
      const buf = new Uint8Array(512);
      for (const compress of [true, false]) {
        const { length } = encodeMessage(m, buf, { compress });
        assert.deepEqual(decodeMessage(buf.slice(0, length)).answers, m.answers);
      }
    },
  );
});
