/**
 * Table-driven tests of the pure `answer` function (CoreDNS lookup_test.go
 * style): each *.cases.ts file holds a zone set and its cases; expected
 * values follow the RFCs as BIND 9.18 applies them (checked against named
 * with `minimal-responses no-auth`), except that Tyne leaves the authority
 * section empty in positive answers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expected, observed, runCase, zoneSetFrom, type CaseFile } from './support.js';
import { positive } from './positive.cases.js';
import { negative } from './negative.cases.js';
import { cname } from './cname.cases.js';
import { wildcard } from './wildcard.cases.js';
import { delegation } from './delegation.cases.js';
import { dname } from './dname.cases.js';
import { anyRefused } from './any-refused.cases.js';

export const CASE_FILES: readonly CaseFile[] = [positive, negative, cname, wildcard, delegation, dname, anyRefused];

for (const file of CASE_FILES) {
  describe(file.title, () => {
    const zones = zoneSetFrom(file.zones);
    for (const c of file.cases) {
      const title = c.knownBug === undefined ? `${c.qname} ${c.qtype}: ${c.name}` : `${c.qname} ${c.qtype}: ${c.name} [KNOWN BUG: ${c.knownBug}]`;
      it(title, () => {
        const got = runCase(zones, c);
        assert.deepEqual(observed(got, c), expected(c));
        const n = c.expect.requiredAdditional;
        if (n !== undefined && n > 0) {
          // RFC 9471 §3: the required (in-domain) glue leads the additional section.
          const lead = observed(got, { ...c, orderedAdditional: true }).additional.slice(0, n).sort();
          assert.deepEqual(lead, expected({ ...c, orderedAdditional: true }).additional.slice(0, n).sort(), 'required glue first');
        }
      });
    }
  });
}

describe('answer: chain termination', () => {
  it('a CNAME loop and an over-long chain both return (bounded answer sections)', () => {
    const zones = zoneSetFrom(cname.zones);
    for (const qname of ['loop1.example.com.', 'self.example.com.', 'c1.example.com.']) {
      const got = runCase(zones, { name: qname, qname, qtype: 'A', expect: { rcode: 'NOERROR', aa: true, answer: [], authority: [], additional: [] } });
      assert.ok(got.answer.length <= 12, `${qname}: ${got.answer.length} records`);
    }
  });
});
