/**
 * simdzone's per-type text → rdata pairs (simdzone/types_text_to_rdata.json,
 * BSD-3-Clause, read in place). Each case is one record, sometimes spread
 * over lines with parentheses and comments; origin is example.com.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Name, hasTextForm, isGenericForm, rdataFromText, rdataToText, tokenize, typeToText } from '../../src/wire/index.js';
import { corpusPath, haveCorpus } from '../support/paths.js';
import { Tally, flattenRecord, hex, splitRecordLine } from './vector-support.js';

const REL = 'simdzone/types_text_to_rdata.json';
const ORIGIN = Name.fromText('example.com.');

/** Types whose presentation form we have no codec for; their non-generic cases are skipped. */
const NO_CODEC: Record<string, string> = {
  SIG: 'obsolete (RFC 3755); no codec, handled as opaque RFC 3597 data',
  NXT: 'obsolete (RFC 3755); no codec, handled as opaque RFC 3597 data',
  SINK: 'never standardised (draft-eastlake-kitchen-sink); no codec',
  TYPE264: 'IPN (draft) is not in our type table; no codec',
};

/** Cases (id: type and text) where we deliberately differ from simdzone. */
const DEVIATIONS: Record<string, string> = {
  'NSAP-PTR 0.0.2.6.1.0.0.0.f.f.f.f.f.f.3.3.1.e.1.0.0.0.0.0.0.0.0.0.a.5.0.0.0.8.5.0.0.0.7.4.NSAP.INT. NSAP-PTR host.example.com.':
    'simdzone stores the target as one character-string; RFC 1706 §6 makes it a domain name, as BIND and dnspython encode it',
  'APL foo.example. IN APL 1:192.168.32.0/21 !1:192.168.38.0/28':
    'simdzone keeps trailing zero octets of AFDPART; RFC 3123 §4 omits them (dnspython too) and BIND rejects them on the wire',
  'CDS foo. CDS 0 0 0 0':
    'RFC 8078 §4 delete written with an empty digest ("0"); BIND 9.18 requires at least one digest octet ("0 0 0 00"), we follow BIND',
  'CDS foo. CDS \\# 4 00000000':
    'empty CDS digest: BIND 9.18 requires at least one digest octet (its own DS wire table rejects 00000000), we follow BIND',
  'CDNSKEY foo. CDNSKEY 0 3 0 0':
    'RFC 8078 §4 delete written with an empty key ("0"); BIND 9.18 requires at least one key octet ("0 3 0 AA=="), we follow BIND',
  'CDNSKEY foo. CDNSKEY \\# 4 00000300':
    'empty CDNSKEY key: BIND 9.18 requires at least one key octet (its key_required table rejects 4-octet keys), we follow BIND',
  'WKS foo. WKS 192.0.2.1 tcp 0 tcpmux':
    'WKS services must be numbers here: BIND resolves names with getservbyname, which is host-dependent, so we do not take names',
};

interface Case {
  type: number;
  text: string;
  rdata_hex: string;
}

const have = haveCorpus(REL);

describe('simdzone types text → rdata', { skip: !have }, () => {
  it('each record gives simdzone\'s rdata; our text round-trips', () => {
    const cases = JSON.parse(readFileSync(corpusPath(REL), 'utf8')) as Case[];
    const tally = new Tally('simdzone types');
    const uncovered = new Set<string>();
    for (const c of cases) {
      const id = `${typeToText(c.type)} ${c.text}`;
      if (c.text.startsWith('$')) {
        tally.skip(id, 'needs a $ORIGIN directive (zone-file parser)');
        continue;
      }
      const line = flattenRecord(c.text).line;
      const generic = line.includes(' \\# ');
      if (!hasTextForm(c.type) && !generic) {
        uncovered.add(typeToText(c.type));
        tally.skip(id, `no codec for ${typeToText(c.type)}`);
        continue;
      }
      tally.run(id, () => {
        const rec = splitRecordLine(line);
        assert.equal(rec.type, c.type, 'type in the text');
        assert.equal(isGenericForm(rec.rdata), generic);
        const wire = rdataFromText(c.type, rec.rdata, ORIGIN);
        assert.equal(hex(wire), c.rdata_hex);
        const text = rdataToText(c.type, wire);
        assert.equal(hex(rdataFromText(c.type, tokenize(text), ORIGIN)), c.rdata_hex, `our text '${text}' does not round-trip`);
      });
    }
    assert.deepEqual([...uncovered].sort(), Object.keys(NO_CODEC).sort(), 'types without a codec');
    console.error(`simdzone types: not covered (no codec): ${[...uncovered].join(' ')}`);
    tally.finish(DEVIATIONS, 130);
  });
});
