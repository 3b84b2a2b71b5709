/**
 * BIND as the oracle for zone checks: every case of the zone-check table is
 * written as a zone file and given to named-checkzone (9.18, default
 * options). Its verdict (exit status) must equal ours, and for each of our
 * diagnostics that has a BIND counterpart, BIND's output must carry that
 * wording.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ZoneCode } from '../../src/zone/index.js';
import { CASES, ORIGIN, buildCase, caseText } from '../unit/zone/zone-cases.js';
import { haveTool } from '../support/tools.js';

/**
 * Cases where Tyne's verdict deliberately differs from BIND's, with the
 * reason. Empty: every case agrees.
 */
const DEVIATIONS = new Map<string, string>([]);

/** What named-checkzone prints for each of our codes; null for Tyne-only warnings. */
const BIND_WORDING: Record<string, RegExp | null> = {
  [ZoneCode.NO_SOA]: /has 0 SOA records/,
  [ZoneCode.NO_NS]: /has no NS records/,
  [ZoneCode.SOA_NOT_AT_APEX]: /SOA record not at top of zone/,
  [ZoneCode.MULTIPLE_SOA]: /multiple RRs of singleton type/,
  [ZoneCode.MULTIPLE_CNAME]: /multiple RRs of singleton type/,
  [ZoneCode.MULTIPLE_DNAME]: /multiple RRs of singleton type/,
  [ZoneCode.CNAME_AND_OTHER_DATA]: /CNAME and other data/,
  [ZoneCode.CNAME_AND_DNAME]: /CNAME and other data/,
  [ZoneCode.DS_AT_APEX]: /DS record at top of zone/,
  [ZoneCode.WILDCARD_NS]: /invalid NS owner name \(wildcard\)/,
  [ZoneCode.NSEC3_BAD_OWNER]: /bad owner name \(check-names\)/,
  [ZoneCode.RRSET_TOO_LARGE]: /ran out of space/,
  [ZoneCode.META_TYPE]: /invalid use of a meta type/,
  [ZoneCode.CLASS_MISMATCH]: /class '[^']+' != zone class '[^']+'/,
  [ZoneCode.OUT_OF_ZONE]: /ignoring out-of-zone data/,
  [ZoneCode.TTL_MISMATCH]: /TTL set to prior TTL/,
  [ZoneCode.NON_TERMINAL_WILDCARD]: /contains an non-terminal wildcard/,
  [ZoneCode.NS_NO_ADDRESS]: /NS '[^']+' has no address records \(A or AAAA\)/,
  [ZoneCode.NS_IS_CNAME]: /NS '[^']+' is a CNAME \(illegal\)/,
  [ZoneCode.NS_BELOW_DNAME]: /NS '[^']+' is below a DNAME '[^']+' \(illegal\)/,
  [ZoneCode.MISSING_GLUE]: /NS '[^']+' has no REQUIRED GLUE address records/,
  [ZoneCode.MISSING_SIBLING_GLUE]: /NS '[^']+' has no SIBLING GLUE address records/,
  [ZoneCode.MX_NO_ADDRESS]: /MX '[^']+' has no address records/,
  [ZoneCode.MX_IS_CNAME]: /MX '[^']+' is a CNAME \(illegal\)/,
  [ZoneCode.MX_BELOW_DNAME]: /MX '[^']+' is below a DNAME/,
  [ZoneCode.SRV_NO_ADDRESS]: /SRV '[^']+' has no address records/,
  [ZoneCode.SRV_IS_CNAME]: /SRV '[^']+' is a CNAME \(illegal\)/,
  [ZoneCode.SRV_BELOW_DNAME]: /SRV '[^']+' is below a DNAME/,
  [ZoneCode.SPF_WITHOUT_TXT]: /found type SPF record but no SPF TXT record found/,
  [ZoneCode.SEMANTICALLY_IDENTICAL]: /has semantically identical records/,
  [ZoneCode.OCCLUDED_BY_DNAME]: null,
  [ZoneCode.OCCLUDED_BY_DELEGATION]: null,
};

describe('named-checkzone agrees on zone verdicts', { skip: !haveTool('named-checkzone') }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tyne-zone-oracle-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let agreed = 0;

  CASES.forEach((c, i) => {
    it(c.title, () => {
      const file = join(dir, `case${i}.zone`);
      writeFileSync(file, caseText(c));
      const bind = spawnSync('named-checkzone', [ORIGIN.slice(0, -1), file], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(bind.error, undefined, String(bind.error));
      const output = bind.stdout + bind.stderr;
      const bindValid = bind.status === 0;
      const ours = buildCase(c);
      const deviation = DEVIATIONS.get(c.title);
      if (deviation === undefined) {
        assert.equal(ours.zone !== null, bindValid, `BIND says ${bindValid ? 'valid' : 'invalid'}:\n${output}`);
        agreed++;
      } else {
        assert.notEqual(ours.zone !== null, bindValid, `listed deviation no longer deviates (${deviation})`);
      }
      for (const d of [...ours.errors, ...ours.warnings]) {
        if (c.bindSilent?.codes.includes(d.code)) {
          assert.doesNotMatch(output, BIND_WORDING[d.code]!, `BIND now reports ${d.code}: drop bindSilent`);
          continue;
        }
        const wording = BIND_WORDING[d.code];
        assert.notEqual(wording, undefined, `no BIND wording listed for ${d.code}`);
        if (wording !== null) assert.match(output, wording!, `BIND did not report ${d.code} (${d.message})`);
      }
    });
  });

  it('agrees on every case but the listed deviations', (t) => {
    t.diagnostic(`named-checkzone agreed on ${agreed} of ${CASES.length} cases; ${DEVIATIONS.size} listed deviations`);
    assert.equal(agreed + DEVIATIONS.size, CASES.length);
  });
});
