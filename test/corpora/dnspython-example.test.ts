/**
 * dnspython's `example` zone as per-record rows (dnspython-zone/
 * example2.wire.tsv, ISC licence, read in place): each row's presentation,
 * parsed with origin `example.`, must give dnspython's rdata wire, and our
 * own text for that wire must parse back to it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Name, WireReader, rdataFromText, rdataToText, readRdata, tokenize, validateRdata } from '../../src/wire/index.js';
import { corpusPath, haveCorpus } from '../support/paths.js';
import { Tally, hex, unhex } from './vector-support.js';

const REL = 'dnspython-zone/example2.wire.tsv';
const ORIGIN = Name.fromText('example.');

/** Rows whose presentation we deliberately do not accept (id: owner type presentation). */
const DEVIATIONS: Record<string, string> = {
  'svcb05.example. SVCB 16 foo.example.org. ohttp':
    'key 8 is written "ohttp" by dnspython; we name SvcParamKeys 0..7 only, as BIND 9.18 does, so it must be written key8',
  'naptr02.example. NAPTR 65535 65535 "blurgh" "blorf" "blegh" foo.':
    'the regexp "blegh" has one delimiter, not three (RFC 3403 §3.2); named-checkzone 9.18 says "syntax error" and so do we',
};

interface Row {
  owner: string;
  type: number;
  typeText: string;
  wire: string;
  presentation: string;
}

function rows(): Row[] {
  const lines = readFileSync(corpusPath(REL), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift()!.split('\t');
  assert.deepEqual(header, ['owner', 'ttl', 'class', 'type', 'type_num', 'rdata_wire_hex', 'presentation']);
  return lines.map((l) => {
    const f = l.split('\t');
    assert.equal(f.length, 7, `bad row ${l}`);
    return { owner: f[0]!, typeText: f[3]!, type: Number(f[4]), wire: f[5]!, presentation: f[6]! };
  });
}

const have = haveCorpus(REL);

describe('dnspython example zone rdata', { skip: !have }, () => {
  it('presentation parses to dnspython\'s wire; our text round-trips', () => {
    const tally = new Tally('dnspython example rdata');
    for (const r of rows()) {
      tally.run(`${r.owner} ${r.typeText} ${r.presentation}`, () => {
        const wire = rdataFromText(r.type, tokenize(r.presentation), ORIGIN);
        assert.equal(hex(wire), r.wire, 'wire differs from dnspython');
        const expected = unhex(r.wire);
        validateRdata(r.type, expected);
        assert.equal(hex(readRdata(new WireReader(expected), r.type, expected.length)), r.wire, 'readRdata changed the rdata');
        const text = rdataToText(r.type, expected);
        assert.equal(hex(rdataFromText(r.type, tokenize(text), ORIGIN)), r.wire, `our text '${text}' does not round-trip`);
      });
    }
    tally.finish(DEVIATIONS, 170);
  });
});
