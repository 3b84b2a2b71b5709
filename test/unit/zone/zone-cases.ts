/**
 * The zone-check cases, shared by the unit tests (our verdicts, codes and
 * positions) and the BIND oracle test (named-checkzone must give the same
 * verdict). Each case is zone-file lines, one record a line with owner,
 * TTL, class and type spelled out, so the same text feeds both.
 */
import { ZoneBuilder, type ZoneBuildResult } from '../../../src/zone/index.js';
import { Name, lookupClass, lookupType, rdataFromText, tokenize, type ResourceRecord, type SourcePosition } from '../../../src/wire/index.js';

export const ORIGIN = 'example.com.';

/** Lines 1-3 of every case unless `header` is false. */
export const HEADER = [
  '@ 300 IN SOA ns1 hostmaster 1 3600 900 604800 300',
  '@ 300 IN NS ns1',
  'ns1 300 IN A 192.0.2.1',
];

export interface ZoneCase {
  title: string;
  lines: string[];
  /** Leave out HEADER (default: included). */
  header?: boolean;
  /** Expected error codes, each `CODE@line` (line in the whole file) or `CODE` when positionless; any order. */
  errors?: string[];
  /** Expected warning codes, same form. */
  warnings?: string[];
  /** Codes we report here that named-checkzone does not print (a stated difference in warnings only). */
  bindSilent?: { codes: string[]; why: string };
}

const DIGEST = '0'.repeat(64);
/** Generic rdata of `n` zero octets. */
const zeros = (n: number): string => `\\# ${n} ${'00'.repeat(n)}`;
const SIG = '8 3 300 20300101000000 20200101000000';

export const CASES: ZoneCase[] = [
  { title: 'a minimal zone is valid', lines: [] },
  { title: 'no NS at the apex', header: false, lines: ['@ 300 IN SOA ns1 hostmaster 1 3600 900 604800 300', 'ns1 300 IN A 192.0.2.1'], errors: ['ZONE_NO_NS'] },
  { title: 'no SOA', header: false, lines: ['@ 300 IN NS ns1', 'ns1 300 IN A 192.0.2.1'], errors: ['ZONE_NO_SOA'] },
  { title: 'an empty zone has neither SOA nor NS', header: false, lines: [], errors: ['ZONE_NO_SOA', 'ZONE_NO_NS'] },
  { title: 'NS only below the apex is no apex NS', header: false, lines: ['@ 300 IN SOA ns1 hostmaster 1 3600 900 604800 300', 'sub 300 IN NS ns1', 'ns1 300 IN A 192.0.2.1'], errors: ['ZONE_NO_NS'] },
  { title: 'SOA below the apex', lines: ['sub 300 IN SOA ns1 hostmaster 2 3600 900 604800 300'], errors: ['ZONE_SOA_NOT_AT_APEX@4'] },
  { title: 'a second, different SOA', lines: ['@ 300 IN SOA ns1 hostmaster 2 3600 900 604800 300'], errors: ['ZONE_MULTIPLE_SOA@4'] },
  { title: 'the same SOA twice (names differing in case) merges', lines: ['@ 300 IN SOA NS1 Hostmaster 1 3600 900 604800 300'] },

  { title: 'CNAME then other data', lines: ['www 300 IN CNAME ns1', 'www 300 IN A 192.0.2.2'], errors: ['ZONE_CNAME_AND_OTHER_DATA@5'] },
  { title: 'other data then CNAME', lines: ['www 300 IN A 192.0.2.2', 'www 300 IN CNAME ns1'], errors: ['ZONE_CNAME_AND_OTHER_DATA@5'] },
  { title: 'CNAME at the apex', lines: ['@ 300 IN CNAME ns1'], errors: ['ZONE_CNAME_AND_OTHER_DATA@4'] },
  { title: 'CNAME beside several types is reported once', lines: ['www 300 IN CNAME ns1', 'www 300 IN TXT "x"', 'www 300 IN MX 10 ns1'], errors: ['ZONE_CNAME_AND_OTHER_DATA@5'] },
  { title: 'CNAME beside DS', lines: ['www 300 IN CNAME ns1', `www 300 IN DS 12345 8 2 ${DIGEST}`], errors: ['ZONE_CNAME_AND_OTHER_DATA@5'] },
  { title: 'CNAME beside a type unknown to both', lines: ['www 300 IN CNAME ns1', 'www 300 IN TYPE65280 \\# 0'], errors: ['ZONE_CNAME_AND_OTHER_DATA@5'] },
  { title: 'CNAME at a delegation', lines: ['sub 300 IN NS ns1', 'sub 300 IN CNAME ns1'], errors: ['ZONE_CNAME_AND_OTHER_DATA@5'] },
  {
    title: 'CNAME may have RRSIG, NSEC and KEY beside it',
    lines: ['www 300 IN CNAME ns1', 'www 300 IN NSEC ns1 CNAME RRSIG NSEC', `www 300 IN RRSIG CNAME ${SIG} 12345 example.com. AAAA`, 'www 300 IN KEY 256 3 8 AwEAAQ=='],
  },
  { title: 'two different CNAMEs', lines: ['www 300 IN CNAME ns1', 'www 300 IN CNAME ns2'], errors: ['ZONE_MULTIPLE_CNAME@5'] },
  { title: 'the same CNAME twice, in different case, merges', lines: ['www 300 IN CNAME ns1', 'www 300 IN CNAME NS1'] },
  { title: 'two CNAMEs apart in the file', lines: ['a 300 IN CNAME x', 'b 300 IN A 192.0.2.4', 'a 300 IN CNAME y'], errors: ['ZONE_MULTIPLE_CNAME@6'] },

  { title: 'DNAME then CNAME', lines: ['d 300 IN DNAME example.net.', 'd 300 IN CNAME ns1'], errors: ['ZONE_CNAME_AND_DNAME@5'] },
  { title: 'CNAME then DNAME', lines: ['d 300 IN CNAME ns1', 'd 300 IN DNAME example.net.'], errors: ['ZONE_CNAME_AND_DNAME@5'] },
  { title: 'two different DNAMEs', lines: ['d 300 IN DNAME example.net.', 'd 300 IN DNAME example.org.'], errors: ['ZONE_MULTIPLE_DNAME@5'] },
  { title: 'the same DNAME twice merges', lines: ['d 300 IN DNAME example.net.', 'd 300 IN DNAME EXAMPLE.net.'] },
  { title: 'DNAME beside other data', lines: ['d 300 IN DNAME example.net.', 'd 300 IN A 192.0.2.5', 'd 300 IN TXT "x"'] },
  {
    title: 'DNAME at the apex with name servers elsewhere',
    header: false,
    lines: ['@ 300 IN SOA ns1.example.net. hostmaster 1 3600 900 604800 300', '@ 300 IN NS ns1.example.net.', '@ 300 IN DNAME example.net.'],
  },
  { title: 'DNAME at the apex hides the apex name server', lines: ['@ 300 IN DNAME example.net.'], errors: ['ZONE_NS_BELOW_DNAME@2'], warnings: ['ZONE_OCCLUDED_BY_DNAME@3'] },
  { title: 'data below a DNAME loads (occluded)', lines: ['d 300 IN DNAME example.net.', 'x.d 300 IN A 192.0.2.5'], warnings: ['ZONE_OCCLUDED_BY_DNAME@5'] },
  { title: 'data below a DNAME read before it', lines: ['x.d 300 IN A 192.0.2.5', 'd 300 IN DNAME example.net.'], warnings: ['ZONE_OCCLUDED_BY_DNAME@4'] },
  { title: 'DNAME at a delegation point', lines: ['d 300 IN DNAME example.net.', 'd 300 IN NS ns1'] },
  { title: 'a wildcard DNAME', lines: ['* 300 IN DNAME example.net.'] },

  { title: 'out-of-zone data is ignored', lines: ['www.example.net. 300 IN A 192.0.2.5', 'com. 300 IN NS ns1.example.com.'], warnings: ['ZONE_OUT_OF_ZONE@4', 'ZONE_OUT_OF_ZONE@5'] },
  { title: 'an RRset of BIND\'s largest size', lines: [`big 300 IN TYPE65280 ${zeros(65510)}`] },
  { title: 'one octet more than BIND stores in an RRset', lines: [`big 300 IN TYPE65280 ${zeros(65511)}`], errors: ['ZONE_RRSET_TOO_LARGE@4'] },
  { title: 'two records at BIND\'s largest RRset size', lines: [`big 300 IN TYPE65280 ${zeros(65506)}`, `big 300 IN TYPE65280 ${zeros(2)}`] },
  { title: 'two records one octet over BIND\'s largest RRset', lines: [`big 300 IN TYPE65280 ${zeros(65507)}`, `big 300 IN TYPE65280 ${zeros(2)}`], errors: ['ZONE_RRSET_TOO_LARGE@5'] },
  { title: 'a record of a meta type', lines: ['x 300 IN TYPE200 \\# 0'], errors: ['ZONE_META_TYPE@4'] },
  { title: 'a record of type 0', lines: ['x 300 IN TYPE0 \\# 0'], errors: ['ZONE_META_TYPE@4'] },
  { title: 'a record of another class', lines: ['www 300 CH TXT "x"'], errors: ['ZONE_CLASS_MISMATCH@4'] },
  { title: 'a record of a numeric class', lines: ['www 300 CLASS7 TYPE65280 \\# 0'], errors: ['ZONE_CLASS_MISMATCH@4'] },

  { title: 'TTLs differing inside an RRset', lines: ['www 300 IN A 192.0.2.5', 'www 600 IN A 192.0.2.6'], warnings: ['ZONE_TTL_MISMATCH@5'] },
  {
    title: 'TTLs differing between parts of an RRset apart in the file',
    lines: ['www 300 IN A 192.0.2.5', 'x 300 IN A 192.0.2.7', 'www 600 IN A 192.0.2.6'],
    warnings: ['ZONE_TTL_MISMATCH@6'],
    bindSilent: { codes: ['ZONE_TTL_MISMATCH'], why: 'BIND checks TTLs only among adjacent lines of one owner and silently gives the RRset the TTL read last' },
  },
  { title: 'a duplicate with another TTL', lines: ['www 300 IN A 192.0.2.5', 'www 600 IN A 192.0.2.5'], warnings: ['ZONE_TTL_MISMATCH@5'] },
  {
    title: 'signatures over different types may have different TTLs',
    lines: [`h 300 IN RRSIG A ${SIG} 12345 example.com. AAAA`, `h 600 IN RRSIG MX ${SIG} 12345 example.com. AAAA`],
  },
  {
    title: 'signatures over one type with different TTLs',
    lines: [`h 300 IN RRSIG A ${SIG} 12345 example.com. AAAA`, `h 600 IN RRSIG MX ${SIG} 12345 example.com. AAAA`, `h 900 IN RRSIG A ${SIG} 12346 example.com. AAAA`],
    warnings: ['ZONE_TTL_MISMATCH@6'],
  },

  { title: 'NS targets differing only in case are duplicates', lines: ['a 300 IN NS NS1.example.com.', 'a 300 IN NS ns1.example.com.'] },
  { title: 'NSEC next names differing in case are two records', lines: ['g 300 IN NSEC G.example.com. A', 'g 300 IN NSEC g.example.com. A'], warnings: ['ZONE_SEMANTICALLY_IDENTICAL@5'] },
  { title: 'TXT strings differing in case are two records', lines: ['j 300 IN TXT "A"', 'j 300 IN TXT "a"'] },

  { title: 'MX to a CNAME', lines: ['@ 300 IN MX 10 mail', 'mail 300 IN CNAME ns1'], warnings: ['ZONE_MX_IS_CNAME@4'] },
  { title: 'MX to a name without addresses', lines: ['@ 300 IN MX 10 mail'], warnings: ['ZONE_MX_NO_ADDRESS@4'] },
  { title: 'MX below a DNAME', lines: ['@ 300 IN MX 10 mail.d', 'd 300 IN DNAME example.net.'], warnings: ['ZONE_MX_BELOW_DNAME@4'] },
  { title: 'MX to an empty non-terminal', lines: ['@ 300 IN MX 10 mail', 'x.mail 300 IN A 192.0.2.12'], warnings: ['ZONE_MX_NO_ADDRESS@4'] },
  { title: 'MX answered by a wildcard', lines: ['@ 300 IN MX 10 mail', '* 300 IN A 192.0.2.12'] },
  { title: 'MX to a wildcard CNAME', lines: ['@ 300 IN MX 10 mail', '* 300 IN CNAME ns1'], warnings: ['ZONE_MX_IS_CNAME@4'] },
  { title: 'SRV with no service', lines: ['_sip._tcp 300 IN SRV 0 0 0 .'] },
  { title: 'MX out of the zone is not looked up', lines: ['@ 300 IN MX 10 mail.example.net.'] },
  { title: 'null MX', lines: ['@ 300 IN MX 0 .'] },
  { title: 'SRV to a CNAME', lines: ['_sip._tcp 300 IN SRV 0 0 5060 sip', 'sip 300 IN CNAME ns1'], warnings: ['ZONE_SRV_IS_CNAME@4'] },
  { title: 'SRV to a name without addresses', lines: ['_sip._tcp 300 IN SRV 0 0 5060 sip'], warnings: ['ZONE_SRV_NO_ADDRESS@4'] },
  { title: 'MX at a delegation is not checked', lines: ['sub 300 IN NS ns1', 'sub 300 IN MX 10 nowhere'] },

  { title: 'apex NS is a CNAME', lines: ['@ 300 IN NS ns2', 'ns2 300 IN CNAME ns1'], errors: ['ZONE_NS_IS_CNAME@4'] },
  { title: 'apex NS has no address', lines: ['@ 300 IN NS ns2'], errors: ['ZONE_NS_NO_ADDRESS@4'] },
  { title: 'apex NS has only TXT', lines: ['@ 300 IN NS ns2', 'ns2 300 IN TXT "x"'], errors: ['ZONE_NS_NO_ADDRESS@4'] },
  { title: 'apex NS at an empty non-terminal', lines: ['@ 300 IN NS ns2', 'x.ns2 300 IN A 192.0.2.3'], errors: ['ZONE_NS_NO_ADDRESS@4'] },
  { title: 'apex NS with only AAAA', lines: ['@ 300 IN NS ns2', 'ns2 300 IN AAAA 2001:db8::2'] },
  { title: 'apex NS answered by a wildcard', lines: ['@ 300 IN NS ns2', '* 300 IN A 192.0.2.2'] },
  { title: 'apex NS below a DNAME', lines: ['@ 300 IN NS ns2.d', 'd 300 IN DNAME example.net.', 'ns2.d 300 IN A 192.0.2.2'], errors: ['ZONE_NS_BELOW_DNAME@4'], warnings: ['ZONE_OCCLUDED_BY_DNAME@6'] },
  { title: 'apex NS naming the apex itself', lines: ['@ 300 IN NS @', '@ 300 IN A 192.0.2.10'] },
  { title: 'apex NS naming the apex without address', lines: ['@ 300 IN NS @'], errors: ['ZONE_NS_NO_ADDRESS@4'] },
  { title: 'apex NS inside a delegation is not checked', lines: ['@ 300 IN NS ns2.sub', 'sub 300 IN NS ns1'] },

  { title: 'delegation without required glue', lines: ['sub 300 IN NS ns.sub'], warnings: ['ZONE_MISSING_GLUE@4'] },
  { title: 'delegation with A glue', lines: ['sub 300 IN NS ns.sub', 'ns.sub 300 IN A 192.0.2.7'] },
  { title: 'delegation with AAAA glue', lines: ['sub 300 IN NS ns.sub', 'ns.sub 300 IN AAAA 2001:db8::7'] },
  { title: 'delegation with glue at the cut itself', lines: ['sub 300 IN NS sub', 'sub 300 IN A 192.0.2.9'] },
  { title: 'a wildcard gives no glue below a cut', lines: ['sub 300 IN NS ns.sub', '*.sub 300 IN A 192.0.2.9'], warnings: ['ZONE_MISSING_GLUE@4'] },
  { title: 'a CNAME gives no glue below a cut', lines: ['sub 300 IN NS ns.sub', 'ns.sub 300 IN CNAME ns1'], warnings: ['ZONE_MISSING_GLUE@4', 'ZONE_OCCLUDED_BY_DELEGATION@5'] },
  { title: 'missing sibling glue', lines: ['sub 300 IN NS ns.sub2', 'sub2 300 IN NS ns.sub2'], warnings: ['ZONE_MISSING_SIBLING_GLUE@4', 'ZONE_MISSING_GLUE@5'] },
  { title: 'sibling glue present', lines: ['sub 300 IN NS ns.sub2', 'sub2 300 IN NS ns.sub2', 'ns.sub2 300 IN A 192.0.2.8'] },
  { title: 'delegation to an in-zone name without address', lines: ['sub 300 IN NS ns.other'], warnings: ['ZONE_NS_NO_ADDRESS@4'] },
  { title: 'delegation to the apex without address', lines: ['sub 300 IN NS example.com.'], warnings: ['ZONE_NS_NO_ADDRESS@4'] },
  { title: 'glue below a nested delegation', lines: ['sub 300 IN NS ns.deep.sub', 'deep.sub 300 IN NS ns.deep.sub', 'ns.deep.sub 300 IN A 192.0.2.11'], warnings: ['ZONE_OCCLUDED_BY_DELEGATION@5'] },
  { title: 'delegation to a CNAME', lines: ['sub 300 IN NS ns2', 'ns2 300 IN CNAME ns1'], warnings: ['ZONE_NS_IS_CNAME@4'] },
  { title: 'delegation to a name below a DNAME', lines: ['sub 300 IN NS ns.d', 'd 300 IN DNAME example.net.', 'ns.d 300 IN A 192.0.2.9'], warnings: ['ZONE_NS_BELOW_DNAME@4', 'ZONE_OCCLUDED_BY_DNAME@6'] },
  { title: 'delegation to a wildcard-answered name', lines: ['sub 300 IN NS ns.w', '*.w 300 IN A 192.0.2.9'] },
  { title: 'non-glue data below a delegation loads (occluded)', lines: ['sub 300 IN NS ns1', 'txt.sub 300 IN TXT "x"'], warnings: ['ZONE_OCCLUDED_BY_DELEGATION@5'] },
  { title: 'DS at a delegation', lines: ['sub 300 IN NS ns1', `sub 300 IN DS 12345 8 2 ${DIGEST}`] },
  { title: 'DS at the apex', lines: [`@ 300 IN DS 12345 8 2 ${DIGEST}`], errors: ['ZONE_DS_AT_APEX@4'] },
  { title: 'NS at a wildcard', lines: ['* 300 IN NS ns1'], errors: ['ZONE_WILDCARD_NS@4'] },
  { title: 'NS at a wildcard below the apex', lines: ['*.sub 300 IN NS ns1'], errors: ['ZONE_WILDCARD_NS@4'] },

  { title: 'NSEC3 at a name that is no hash', lines: ['www 300 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A'], errors: ['ZONE_NSEC3_BAD_OWNER@4'] },
  { title: 'NSEC3 owner with stray low bits', lines: ['vv 300 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A'], errors: ['ZONE_NSEC3_BAD_OWNER@4'] },
  { title: 'NSEC3 owner of impossible length', lines: ['0p9mhaveq 300 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A'], errors: ['ZONE_NSEC3_BAD_OWNER@4'] },
  {
    title: 'NSEC3 owners that are hashes',
    lines: ['00 300 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A', '0P9MHAVEQVM6T7VBL5LOP2U3T2RP3TOM 300 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A'],
  },
  { title: 'NSEC3 lives apart from a CNAME at the same name', lines: ['0p9mhave 300 IN NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A', '0p9mhave 300 IN CNAME ns1'] },

  { title: 'a non-terminal wildcard', lines: ['a.*.b 300 IN TXT "x"', 'a.*.b 300 IN AAAA 2001:db8::1'], warnings: ['ZONE_NON_TERMINAL_WILDCARD@4'] },
  { title: 'SPF without an SPF TXT', lines: ['x 300 IN SPF "v=spf1 -all"', 'y 300 IN SPF "v=spf1 -all"', 'y 300 IN TXT "v=spf1x"'], warnings: ['ZONE_SPF_WITHOUT_TXT@4', 'ZONE_SPF_WITHOUT_TXT@5'] },
  { title: 'SPF with its TXT', lines: ['x 300 IN SPF "v=spf1 -all"', 'x 300 IN TXT "v=spf1" " -all"'] },
];

/** The text of a case's zone file. */
export function caseText(c: ZoneCase): string {
  return [...(c.header === false ? [] : HEADER), ...c.lines].join('\n') + '\n';
}

/** One record line (`owner ttl class type rdata...`) as a ResourceRecord. */
export function recordFromLine(line: string, origin: Name): ResourceRecord {
  const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
  if (m === null) throw new Error(`bad test record line: ${line}`);
  const [, owner, ttl, cls, typeText, rdataText] = m as unknown as [string, string, string, string, string, string];
  const type = lookupType(typeText);
  return {
    name: owner === '@' ? origin : Name.fromText(owner, origin),
    type,
    class: lookupClass(cls),
    ttl: Number(ttl),
    rdata: rdataFromText(type, tokenize(rdataText), origin),
  };
}

/** Every record of a case, with its position in `file`. */
export function caseRecords(c: ZoneCase, origin: Name, file = 'case.zone'): { rr: ResourceRecord; at: SourcePosition }[] {
  const lines = [...(c.header === false ? [] : HEADER), ...c.lines];
  return lines.map((line, i) => ({ rr: recordFromLine(line, origin), at: { file, line: i + 1, col: 1 } }));
}

/** Builds a case's zone with a fresh ZoneBuilder. */
export function buildCase(c: ZoneCase): ZoneBuildResult {
  const origin = Name.fromText(ORIGIN);
  const b = new ZoneBuilder(origin);
  for (const { rr, at } of caseRecords(c, origin)) b.add(rr, at);
  return b.build();
}
