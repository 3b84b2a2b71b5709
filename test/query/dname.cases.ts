/**
 * DNAME (RFC 6672). Below a DNAME owner the answer is the DNAME, a CNAME
 * synthesized for the query name (owner = QNAME as asked, §3.1; TTL = the
 * DNAME's, §3.1) pointing to the substituted name, then the answer for
 * that name (restart, as for a CNAME, inside the zone only as BIND 9.18
 * does: a target in another zone ends the chain). The DNAME owner itself is not
 * redirected (§2.3). A substitution longer than 255 octets is YXDOMAIN
 * (§2.2).
 */
import type { CaseFile } from './support.js';

const L63 = 'l'.repeat(63);
/** 3 × 64 + 13 ("example.com.") = 205 octets. */
const LONG_TARGET = `${L63}.${L63}.${L63}.example.com.`;

const COM = `
$ORIGIN example.com.
$TTL 3600
@          IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@          NS    ns1
ns1        A     192.0.2.53
www        A     192.0.2.80
www.new    A     192.0.2.81
mail.new   MX    10 ns1
old        600   DNAME new.example.com.
old2       700   DNAME old
Old3       600   DNAME New
out        600   DNAME example.net.
far        600   DNAME elsewhere.org.
long       600   DNAME ${LONG_TARGET}
`;

const NET = `
$ORIGIN example.net.
$TTL 1800
@          IN SOA ns1 hostmaster 5 7200 3600 1209600 600
@          NS    ns1
ns1        A     198.51.100.53
www        A     198.51.100.80
`;

/** A zone with a DNAME at its apex (RFC 6672 §2.3: the apex's own data stays). */
const APEX = `
$ORIGIN dn.example.
$TTL 3600
@          IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300
@          NS    ns1.example.com.
@          DNAME example.com.
@          TXT   "apex data"
`;

const COM_SOA = 'example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300';

export const dname: CaseFile = {
  title: 'DNAME (RFC 6672)',
  zones: [
    ['example.com.', COM],
    ['example.net.', NET],
    ['dn.example.', APEX],
  ],
  cases: [
    {
      name: 'below the DNAME: DNAME, synthesized CNAME (DNAME TTL), target\u2019s A',
      qname: 'www.old.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        kind: 'answer',
        answer: [
          'old.example.com. 600 IN DNAME new.example.com.',
          'www.old.example.com. 600 IN CNAME www.new.example.com.',
          'www.new.example.com. 3600 IN A 192.0.2.81',
        ],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'synthesized CNAME owned by the query name in the query\u2019s case; DNAME owner in the zone\u2019s case',
      qname: 'WWW.OLD3.Example.COM.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: [
          'Old3.example.com. 600 IN DNAME New.example.com.',
          'WWW.OLD3.Example.COM. 600 IN CNAME WWW.New.example.com.',
          'www.new.example.com. 3600 IN A 192.0.2.81',
        ],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'additional section processing for the target\u2019s RRset',
      qname: 'mail.old.example.com.',
      qtype: 'MX',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: [
          'old.example.com. 600 IN DNAME new.example.com.',
          'mail.old.example.com. 600 IN CNAME mail.new.example.com.',
          'mail.new.example.com. 3600 IN MX 10 ns1.example.com.',
        ],
        authority: [],
        additional: ['ns1.example.com. 3600 IN A 192.0.2.53'],
      },
    },
    {
      name: 'substituted name does not exist: NXDOMAIN with DNAME and CNAME (RFC 6604)',
      qname: 'nx.old.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NXDOMAIN',
        aa: true,
        kind: 'nxdomain',
        answer: ['old.example.com. 600 IN DNAME new.example.com.', 'nx.old.example.com. 600 IN CNAME nx.new.example.com.'],
        authority: [COM_SOA],
        additional: [],
      },
    },
    {
      name: 'DNAME to a DNAME: two substitutions',
      qname: 'www.old2.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: [
          'old2.example.com. 700 IN DNAME old.example.com.',
          'www.old2.example.com. 700 IN CNAME www.old.example.com.',
          'old.example.com. 600 IN DNAME new.example.com.',
          'www.old.example.com. 600 IN CNAME www.new.example.com.',
          'www.new.example.com. 3600 IN A 192.0.2.81',
        ],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'DNAME into another hosted zone: DNAME and CNAME, not followed (as BIND 9.18)',
      qname: 'www.out.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['out.example.com. 600 IN DNAME example.net.', 'www.out.example.com. 600 IN CNAME www.example.net.'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'DNAME out of our zones: DNAME and CNAME, NOERROR',
      qname: 'a.b.far.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['far.example.com. 600 IN DNAME elsewhere.org.', 'a.b.far.example.com. 600 IN CNAME a.b.elsewhere.org.'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'qtype CNAME below the DNAME: DNAME and the synthesized CNAME, no restart',
      qname: 'www.old.example.com.',
      qtype: 'CNAME',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['old.example.com. 600 IN DNAME new.example.com.', 'www.old.example.com. 600 IN CNAME www.new.example.com.'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'the DNAME owner asked for DNAME: the DNAME alone',
      qname: 'old.example.com.',
      qtype: 'DNAME',
      expect: { rcode: 'NOERROR', aa: true, answer: ['old.example.com. 600 IN DNAME new.example.com.'], authority: [], additional: [] },
    },
    {
      name: 'the DNAME owner asked for A: not redirected, NODATA',
      qname: 'old.example.com.',
      qtype: 'A',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'a short enough substitution into a long target (in this zone, nonexistent): NXDOMAIN',
      qname: 'a.long.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NXDOMAIN',
        aa: true,
        answer: [`long.example.com. 600 IN DNAME ${LONG_TARGET}`, `a.long.example.com. 600 IN CNAME a.${LONG_TARGET}`],
        authority: [COM_SOA],
        additional: [],
      },
    },
    {
      name: 'substitution longer than 255 octets: YXDOMAIN with the DNAME only',
      qname: `${'q'.repeat(63)}.long.example.com.`,
      qtype: 'A',
      expect: {
        rcode: 'YXDOMAIN',
        aa: true,
        kind: 'yxdomain',
        answer: [`long.example.com. 600 IN DNAME ${LONG_TARGET}`],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'DNAME at a zone apex: names below are redirected (target in another zone: not followed)',
      qname: 'www.dn.example.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['dn.example. 3600 IN DNAME example.com.', 'www.dn.example. 3600 IN CNAME www.example.com.'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'DNAME at a zone apex: the apex\u2019s own data is answered',
      qname: 'dn.example.',
      qtype: 'TXT',
      expect: { rcode: 'NOERROR', aa: true, answer: ['dn.example. 3600 IN TXT "apex data"'], authority: [], additional: [] },
    },
  ],
};
