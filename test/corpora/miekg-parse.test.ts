/**
 * miekg/dns parse_test.go cases (miekg-dns/parse_cases.json, BSD-3-Clause,
 * read in place), limited to what is one record whose rdata can be
 * isolated: input and miekg's printed record must give the same wire, and
 * error cases must be rejected. Directives, TTL/class handling and owner
 * syntax belong to the zone-file parser and are skipped here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Name, RRType, hasTextForm, isGenericForm, rdataFromText, rdataToText, tokenize, type TextToken } from '../../src/wire/index.js';
import { corpusPath, haveCorpus } from '../support/paths.js';
import { Tally, describeError, flattenRecord, hex, isFormatError, splitRecordLine, type RecordLine } from './vector-support.js';

const REL = 'miekg-dns/parse_cases.json';

/** Cases (id: go test and input) where we deliberately differ from miekg/dns. */
const DEVIATIONS: Record<string, string> = {
  'TestParseHINFO example.net. HINFO A B C D E F':
    'miekg joins surplus words into the OS string; HINFO is exactly two character-strings (RFC 1035 §3.3.2), BIND rejects extra text',
  'TestParseHINFO example.net. HINFO AB':
    'miekg fills a missing OS string with ""; HINFO needs both character-strings (RFC 1035 §3.3.2), BIND rejects it',
  'TestQuotes cid.urn.arpa. NAPTR 100 10 "" "" "/urn:cid:.+@([^\\.]+\\.)(.*)$/\\2/i" .':
    'a backslash and one digit is not an RFC 1035 §5.1 escape (\\DDD needs three digits); BIND 9.18 rejects it too (syntax error)',
  'TestParseZONEMD example.\t86400\tIN\tZONEMD\t2018031900 241 1 (\n\t\t\t\t\t\t\t\t\t\te1846540e33a9e41\n\t\t\t\t\t\t\t\t\t\t89792d18d5d131f6\n\t\t\t\t\t\t\t\t\t\t05fc283e )\n\t\t':
    'ZONEMD hash 1 (SHA-384) with a 20-octet digest: RFC 8976 §2.2.4 fixes 48 octets; BIND 9.18 rejects it, miekg does not check',
  'TestParseSVCB _dns.resolver.arpa  7200  IN SVCB 1 doh.example.net alpn=h2 dohpath=/dns-query{?dns} ohttp':
    'SvcParamKey ohttp (key 8) by name: we name keys 0..7 only, as BIND 9.18, so it must be written key8',
  'TestParseSVCB svc.example.com. 7200  IN HTTPS 1 . alpn=h2 ohttp':
    'SvcParamKey ohttp (key 8) by name: we name keys 0..7 only, as BIND 9.18, so it must be written key8',
  'TestParseSVCB svc.example.com. 7200  IN HTTPS 1 . mandatory=ohttp ohttp':
    'SvcParamKey ohttp (key 8) by name: we name keys 0..7 only, as BIND 9.18, so it must be written key8',
};

interface Case {
  go_test: string;
  input: string;
  expected: string;
}

function parse(rec: RecordLine): Uint8Array {
  return rdataFromText(rec.type, rec.rdata, Name.ROOT);
}

/** miekg's String() form: owner, TTL, class, type and rdata separated by tabs. */
function expectedRecord(expected: string, type: number): RecordLine {
  const f = expected.split('\t');
  assert.ok(f.length >= 5, `not a record: ${expected}`);
  const rdata: TextToken[] = tokenize(f.slice(4).join('\t'));
  return { owner: f[0]!, type, typeText: f[3]!, rdata };
}

const have = haveCorpus(REL);

describe('miekg/dns parse cases (single records)', { skip: !have }, () => {
  it('input and miekg\'s output give the same wire; errors are rejected', () => {
    const cases = JSON.parse(readFileSync(corpusPath(REL), 'utf8')) as Case[];
    const tally = new Tally('miekg parse');
    for (const c of cases) {
      const id = `${c.go_test} ${c.input}`;
      if (c.go_test === 'TestRfc1982') {
        tally.skip(id, 'RRSIG time arithmetic, not a record line');
        continue;
      }
      if (/(^|\n)\s*\$/.test(c.input)) {
        tally.skip(id, 'needs $ORIGIN/$TTL directives (zone-file parser)');
        continue;
      }
      // TestParseLOC failures give bare LOC rdata and an error word.
      const isLocError = c.go_test === 'TestParseLOC' && !c.expected.includes('\t');
      const mustFail = isLocError || c.go_test === 'TestLineNumberError2';
      let rec: RecordLine;
      try {
        rec = isLocError
          ? { owner: '.', type: RRType.LOC, typeText: 'LOC', rdata: tokenize(c.input) }
          : splitRecordLine(flattenRecord(c.input).line);
      } catch (e) {
        if (mustFail) tally.record(id, true); // not even a record line: rejected
        else tally.skip(id, `not a single record line we can isolate without the zone lexer (${(e as Error).message})`);
        continue;
      }
      if (!hasTextForm(rec.type) && !isGenericForm(rec.rdata)) {
        tally.skip(id, `no codec for ${rec.typeText}`);
        continue;
      }
      tally.run(id, () => {
        if (mustFail) {
          let wire: Uint8Array | undefined;
          try {
            wire = parse(rec);
          } catch (e) {
            if (!isFormatError(e)) assert.fail(describeError(e));
            return;
          }
          assert.fail(`accepted as ${hex(wire)}`);
        }
        const wire = parse(rec);
        assert.equal(hex(wire), hex(parse(expectedRecord(c.expected, rec.type))), 'input and miekg output differ');
        assert.equal(hex(rdataFromText(rec.type, tokenize(rdataToText(rec.type, wire)), Name.ROOT)), hex(wire), 'our text does not round-trip');
      });
    }
    for (const [why, n] of tally.skippedReasons()) console.error(`miekg parse: skipped ${n}: ${why}`);
    tally.finish(DEVIATIONS, 100);
  });
});
