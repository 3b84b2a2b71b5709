/**
 * QTYPE ANY (RFC 8482 §4.1: one RRset is enough, as over UDP; every RRset
 * when minimalAny is off, as over TCP) and names in no zone we host
 * (REFUSED, AA clear, all sections empty: RFC 1034 §4.3.2 step 2 has no
 * zone to answer from, and an authoritative-only server refuses).
 * Differences from BIND 9.18 (named 9.18.49): its `minimal-any` returns "the
 * first RRset found in the database" (Tyne: the lowest type, or the
 * CNAME). Like BIND, an ANY answer carries no additional records.
 */
import type { CaseFile } from './support.js';

const ZONE = `
$ORIGIN example.com.
$TTL 3600
@          IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@          NS    ns1
ns1        A     192.0.2.53
ns1        AAAA  2001:db8::53
multi      TXT   "t"
multi      MX    10 ns1
multi      AAAA  2001:db8::1
multi      A     192.0.2.1
alias      CNAME multi
x.ent      A     192.0.2.9
`;

const SOA_RR = 'example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300';
const SOA_NEG = 'example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300';
const REFUSED = { rcode: 'REFUSED', aa: false, kind: 'refused', answer: [], authority: [], additional: [] } as const;

export const anyRefused: CaseFile = {
  title: 'ANY and REFUSED',
  zones: [['example.com.', ZONE]],
  cases: [
    {
      name: 'ANY, minimal: one RRset, the lowest type (A)',
      qname: 'multi.example.com.',
      qtype: 'ANY',
      minimalAny: true,
      expect: { rcode: 'NOERROR', aa: true, kind: 'answer', answer: ['multi.example.com. 3600 IN A 192.0.2.1'], authority: [], additional: [] },
    },
    {
      name: 'ANY, full: every RRset, no additional (as BIND)',
      qname: 'multi.example.com.',
      qtype: 'ANY',
      minimalAny: false,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: [
          'multi.example.com. 3600 IN A 192.0.2.1',
          'multi.example.com. 3600 IN AAAA 2001:db8::1',
          'multi.example.com. 3600 IN MX 10 ns1.example.com.',
          'multi.example.com. 3600 IN TXT "t"',
        ],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'ANY at the apex, minimal: the NS RRset (type 2), no additional',
      qname: 'example.com.',
      qtype: 'ANY',
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['example.com. 3600 IN NS ns1.example.com.'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'ANY at the apex, full: NS and SOA',
      qname: 'example.com.',
      qtype: 'ANY',
      minimalAny: false,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['example.com. 3600 IN NS ns1.example.com.', SOA_RR],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'ANY at a CNAME, minimal: the CNAME, not followed',
      qname: 'alias.example.com.',
      qtype: 'ANY',
      expect: { rcode: 'NOERROR', aa: true, answer: ['alias.example.com. 3600 IN CNAME multi.example.com.'], authority: [], additional: [] },
    },
    {
      name: 'ANY at a CNAME, full: the CNAME, not followed',
      qname: 'alias.example.com.',
      qtype: 'ANY',
      minimalAny: false,
      expect: { rcode: 'NOERROR', aa: true, answer: ['alias.example.com. 3600 IN CNAME multi.example.com.'], authority: [], additional: [] },
    },
    {
      name: 'ANY at a nonexistent name: NXDOMAIN',
      qname: 'nope.example.com.',
      qtype: 'ANY',
      expect: { rcode: 'NXDOMAIN', aa: true, kind: 'nxdomain', answer: [], authority: [SOA_NEG], additional: [] },
    },
    {
      name: 'ANY at an empty non-terminal: NODATA',
      qname: 'ent.example.com.',
      qtype: 'ANY',
      minimalAny: false,
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [SOA_NEG], additional: [] },
    },
    { name: 'a name in no hosted zone: REFUSED', qname: 'www.example.org.', qtype: 'A', expect: { ...REFUSED, answer: [], authority: [], additional: [] } },
    { name: 'the parent of a hosted zone: REFUSED', qname: 'com.', qtype: 'SOA', expect: { ...REFUSED, answer: [], authority: [], additional: [] } },
    { name: 'the root: REFUSED', qname: '.', qtype: 'NS', expect: { ...REFUSED, answer: [], authority: [], additional: [] } },
    {
      name: 'a name ending in the zone\u2019s text but not at a label boundary: REFUSED',
      qname: 'notexample.com.',
      qtype: 'A',
      expect: { ...REFUSED, answer: [], authority: [], additional: [] },
    },
    { name: 'ANY in no hosted zone: REFUSED', qname: 'example.org.', qtype: 'ANY', expect: { ...REFUSED, answer: [], authority: [], additional: [] } },
  ],
};
