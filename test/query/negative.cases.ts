/**
 * Negative answers (RFC 2308): NXDOMAIN (§2.1) and NODATA (§2.2) carry the
 * zone's SOA in the authority section with TTL = min(SOA TTL, SOA MINIMUM)
 * (§3, §5; BIND query_addsoa). Two zones so that each side of the min wins
 * once. An empty non-terminal exists (RFC 4592 §2.2.2; RFC 8020): NODATA.
 * DS at a name that is not a delegation is an ordinary NODATA.
 */
import type { CaseFile } from './support.js';

/** SOA TTL 900 < MINIMUM 3600: the SOA's own TTL wins. */
const COM = `
$ORIGIN example.com.
$TTL 3600
@            900 IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 3600
@            NS   ns1
ns1          A    192.0.2.53
www          A    192.0.2.80
x.ent        A    192.0.2.90
deep.a.b.ent2 TXT "deep"
`;

/** SOA TTL 3600 > MINIMUM 300: MINIMUM wins. */
const NET = `
$ORIGIN example.net.
$TTL 3600
@            IN SOA ns1 hostmaster 7 7200 3600 1209600 300
@            NS   ns1
ns1          A    198.51.100.53
`;

const COM_SOA = 'example.com. 900 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 3600';
const NET_SOA = 'example.net. 300 IN SOA ns1.example.net. hostmaster.example.net. 7 7200 3600 1209600 300';

export const negative: CaseFile = {
  title: 'negative answers',
  zones: [
    ['example.com.', COM],
    ['example.net.', NET],
  ],
  cases: [
    {
      name: 'NXDOMAIN: SOA in authority, TTL the SOA TTL (smaller than MINIMUM)',
      qname: 'nope.example.com.',
      qtype: 'A',
      expect: { rcode: 'NXDOMAIN', aa: true, kind: 'nxdomain', answer: [], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'NXDOMAIN: SOA TTL is MINIMUM when that is smaller',
      qname: 'nope.example.net.',
      qtype: 'A',
      expect: { rcode: 'NXDOMAIN', aa: true, kind: 'nxdomain', answer: [], authority: [NET_SOA], additional: [] },
    },
    {
      name: 'NODATA: the name exists without the type',
      qname: 'www.example.com.',
      qtype: 'AAAA',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'NODATA at the apex, MINIMUM wins',
      qname: 'example.net.',
      qtype: 'TXT',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [NET_SOA], additional: [] },
    },
    {
      name: 'NXDOMAIN for a name below an existing leaf',
      qname: 'sub.www.example.com.',
      qtype: 'A',
      expect: { rcode: 'NXDOMAIN', aa: true, answer: [], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'empty non-terminal: NODATA, not NXDOMAIN',
      qname: 'ent.example.com.',
      qtype: 'A',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'empty non-terminal two levels above data, asked in upper case: NODATA',
      qname: 'B.ENT2.example.com.',
      qtype: 'TXT',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'sibling of data below an empty non-terminal: NXDOMAIN',
      qname: 'y.ent.example.com.',
      qtype: 'A',
      expect: { rcode: 'NXDOMAIN', aa: true, answer: [], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'DS at a name that is not a delegation: NODATA',
      qname: 'www.example.com.',
      qtype: 'DS',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'DS at a nonexistent name: NXDOMAIN',
      qname: 'nope.example.com.',
      qtype: 'DS',
      expect: { rcode: 'NXDOMAIN', aa: true, answer: [], authority: [COM_SOA], additional: [] },
    },
  ],
};
