/**
 * Wildcards (RFC 4592). The zone is the example of RFC 4592 §2.2.1 plus a
 * few names: synthesis from `*.<closest encloser>` (§3.3.1), the owner of
 * a synthesized record is the query name (§3.3.1 "the owner is QNAME"),
 * NODATA at a wildcard, wildcard CNAME, and the names that block synthesis:
 * an existing name (§2.2.1 list), an empty non-terminal (§2.2.2), a
 * delegation, and a node with no wildcard child.
 */
import type { CaseFile } from './support.js';

const ZONE = `
$ORIGIN example.
$TTL 3600
@                 IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300
@                 NS    ns.example.com.
@                 NS    ns.example.net.
*                 TXT   "this is a wildcard"
*                 MX    10 host1.example.
sub.*             TXT   "this is not a wildcard"
host1             A     192.0.2.1
_ssh._tcp.host1   SRV   0 0 22 host1.example.
_ssh._tcp.host2   SRV   0 0 22 host1.example.
subdel            NS    ns.example.com.
subdel            NS    ns.example.net.
Mixed             TXT   "mixed"
*.Mixed           TXT   "wild mixed"
*.alias           CNAME host1
a.*.entwild       TXT   "below an empty wildcard"
`;

const SOA = 'example. 300 IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300';

export const wildcard: CaseFile = {
  title: 'wildcards (RFC 4592)',
  zones: [['example.', ZONE]],
  cases: [
    {
      name: 'RFC 4592 §2.2.1: host3.example MX is synthesized, with the exchange\u2019s address',
      qname: 'host3.example.',
      qtype: 'MX',
      expect: {
        rcode: 'NOERROR',
        aa: true,
        kind: 'answer',
        answer: ['host3.example. 3600 IN MX 10 host1.example.'],
        authority: [],
        additional: ['host1.example. 3600 IN A 192.0.2.1'],
      },
    },
    {
      name: 'RFC 4592 §2.2.1: host3.example A is NODATA (no A at *.example)',
      qname: 'host3.example.',
      qtype: 'A',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [SOA], additional: [] },
    },
    {
      name: 'RFC 4592 §2.2.1: foo.bar.example TXT is synthesized (bar.example does not exist)',
      qname: 'foo.bar.example.',
      qtype: 'TXT',
      expect: { rcode: 'NOERROR', aa: true, answer: ['foo.bar.example. 3600 IN TXT "this is a wildcard"'], authority: [], additional: [] },
    },
    {
      name: 'RFC 4592 §2.2.1: host1.example MX is not synthesized (host1 exists): NODATA',
      qname: 'host1.example.',
      qtype: 'MX',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [SOA], additional: [] },
    },
    {
      name: 'RFC 4592 §2.2.1: sub.*.example MX is not synthesized (sub.*.example exists): NODATA',
      qname: 'sub.*.example.',
      qtype: 'MX',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [SOA], additional: [] },
    },
    {
      name: 'sub.*.example TXT: its own data, "*" is an ordinary label there',
      qname: 'sub.*.example.',
      qtype: 'TXT',
      expect: { rcode: 'NOERROR', aa: true, answer: ['sub.*.example. 3600 IN TXT "this is not a wildcard"'], authority: [], additional: [] },
    },
    {
      name: 'RFC 4592 §2.2.1: _telnet._tcp.host1.example is not synthesized (_tcp.host1 exists, empty): NXDOMAIN',
      qname: '_telnet._tcp.host1.example.',
      qtype: 'SRV',
      expect: { rcode: 'NXDOMAIN', aa: true, kind: 'nxdomain', answer: [], authority: [SOA], additional: [] },
    },
    {
      name: 'RFC 4592 §2.2.1: host.subdel.example is below a cut: referral, not synthesis',
      qname: 'host.subdel.example.',
      qtype: 'A',
      expect: {
        rcode: 'NOERROR',
        aa: false,
        kind: 'referral',
        answer: [],
        authority: ['subdel.example. 3600 IN NS ns.example.com.', 'subdel.example. 3600 IN NS ns.example.net.'],
        additional: [],
      },
    },
    {
      name: 'RFC 4592 §2.2.1: ghost.*.example is not synthesized (*.example exists, has no wildcard child): NXDOMAIN',
      qname: 'ghost.*.example.',
      qtype: 'MX',
      expect: { rcode: 'NXDOMAIN', aa: true, answer: [], authority: [SOA], additional: [] },
    },
    {
      name: 'the wildcard asked for literally: its own records',
      qname: '*.example.',
      qtype: 'TXT',
      expect: { rcode: 'NOERROR', aa: true, answer: ['*.example. 3600 IN TXT "this is a wildcard"'], authority: [], additional: [] },
    },
    {
      name: 'below the empty non-terminal _tcp.host2: no synthesis from *.example, NXDOMAIN',
      qname: '_udp._tcp.host2.example.',
      qtype: 'TXT',
      expect: { rcode: 'NXDOMAIN', aa: true, answer: [], authority: [SOA], additional: [] },
    },
    {
      name: 'an empty non-terminal is not synthesized over: host2.example TXT is NODATA',
      qname: 'host2.example.',
      qtype: 'TXT',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [SOA], additional: [] },
    },
    {
      name: 'no wildcard child at an existing node: a name below host1 is NXDOMAIN',
      qname: 'nowild.host1.example.',
      qtype: 'TXT',
      expect: { rcode: 'NXDOMAIN', aa: true, answer: [], authority: [SOA], additional: [] },
    },
    {
      // BIND 9.18.49 answers `foO.bar.mixed.example.` here: it lays the case bits of the `*.Mixed` node over the
      // synthesized name (byte 3 upper case). Not a rule to copy; Tyne keeps the query's case (RFC 4343).
      name: 'synthesized owner: the query\u2019s labels in their case, the closest encloser in the zone\u2019s case',
      qname: 'Foo.BAR.mixed.EXAMPLE.',
      qtype: 'TXT',
      expect: { rcode: 'NOERROR', aa: true, answer: ['Foo.BAR.Mixed.example. 3600 IN TXT "wild mixed"'], authority: [], additional: [] },
    },
    {
      name: 'wildcard CNAME: synthesized CNAME owned by the query name, then the target',
      qname: 'x.alias.example.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['x.alias.example. 3600 IN CNAME host1.example.', 'host1.example. 3600 IN A 192.0.2.1'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'wildcard CNAME, qtype CNAME: the synthesized CNAME only',
      qname: 'y.z.alias.example.',
      qtype: 'CNAME',
      expect: { rcode: 'NOERROR', aa: true, answer: ['y.z.alias.example. 3600 IN CNAME host1.example.'], authority: [], additional: [] },
    },
    {
      name: 'a wildcard that is an empty non-terminal: NODATA for names it covers',
      qname: 'x.entwild.example.',
      qtype: 'TXT',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [SOA], additional: [] },
    },
  ],
};
