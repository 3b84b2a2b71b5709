/** ZoneNode.spelledFrom: where a question's longest suffix spelled exactly as the owner begins (issue 16 §1, 0x20 questions). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Name } from '../../../src/wire/index.js';
import { hashWireName } from '../../../src/zone/index.js';
import { loadZoneText } from '../../../src/zone/load-zone.js';

const zone = loadZoneText(`$ORIGIN example.com.
$TTL 300
@ SOA ns1 hostmaster 1 7200 3600 1209600 300
@ NS ns1
ns1 A 192.0.2.53
www A 192.0.2.80
MixedCase A 192.0.2.81
a.b-1.Deep A 192.0.2.82
`, Name.fromText('example.com.'));

describe('ZoneNode.spelledFrom (table-driven)', () => {
  const cases: { node: string; asked: string; want: number; why: string }[] = [
    { node: 'www.example.com.', asked: 'www.example.com.', want: 0, why: 'spelled alike: the whole name' },
    { node: 'www.example.com.', asked: 'wWw.example.com.', want: 4, why: 'the first label differs: from the second' },
    { node: 'www.example.com.', asked: 'www.EXAMPLE.com.', want: 12, why: 'a middle label differs: from the one after it' },
    { node: 'www.example.com.', asked: 'www.example.coM.', want: 16, why: 'the last label differs: only the root' },
    { node: 'www.example.com.', asked: 'WWW.EXAMPLE.COM.', want: 16, why: 'all in upper case: only the root' },
    { node: 'MixedCase.example.com.', asked: 'mixedcase.example.com.', want: 10, why: 'the zone spells it in mixed case' },
    { node: 'MixedCase.example.com.', asked: 'MixedCase.example.com.', want: 0, why: 'as the zone spells it' },
    { node: 'a.b-1.Deep.example.com.', asked: 'A.b-1.deep.example.com.', want: 11, why: 'two labels differ: after the later one' },
    { node: 'a.b-1.Deep.example.com.', asked: 'a.B-1.Deep.example.com.', want: 6, why: 'digits and hyphens cannot differ' },
    { node: 'example.com.', asked: 'example.COM.', want: 12, why: 'the apex, its last label differs: only the root' },
  ];
  for (const c of cases) {
    it(`${c.asked} at ${c.node}: ${c.want} (${c.why})`, () => {
      const want = Name.fromText(c.node).wire;
      const node = zone.lookupWire(hashWireName(want), want, 0, want.length);
      assert.ok(node !== undefined, c.node);
      // As the responder asks it: the name inside a message, after the 12-octet header.
      const asked = Name.fromText(c.asked).wire;
      const buf = new Uint8Array(12 + asked.length);
      buf.set(asked, 12);
      assert.equal(node.spelledFrom(buf, 12, buf.length), c.want);
    });
  }
});
