/**
 * CNAME (RFC 1034 §4.3.2 step 3a; RFC 2181 §10.1.1; RFC 6604): the CNAME is
 * added and the lookup restarts with the canonical name. As BIND 9.18 (and
 * Knot) do for authoritative answers, the chain is followed only inside the
 * zone of the question: a target in another zone, even one we host, ends
 * it (NOERROR, AA; the resolver asks again). The rcode is that of the last
 * name (RFC 6604 §3). BIND 9.18's max-restarts (11): the question and 11
 * restarts, so at most 12 CNAMEs; a longer chain or a loop (each CNAME
 * once) is SERVFAIL with the CNAMEs found (checked against named 9.18.49).
 */
import type { CaseFile } from './support.js';

/** c1 -> c2 -> ... -> c14 (13 links), c14 has an A; c20 -> ... -> c31 (11 links), c31 has an A. */
function chains(): string {
  const lines: string[] = [];
  for (let i = 1; i <= 13; i++) lines.push(`c${i} CNAME c${i + 1}`);
  lines.push('c14 A 192.0.2.14');
  for (let i = 20; i <= 30; i++) lines.push(`c${i} CNAME c${i + 1}`);
  lines.push('c31 A 192.0.2.31');
  return lines.join('\n');
}

const COM = `
$ORIGIN example.com.
$TTL 3600
@          IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@          NS    ns1
ns1        A     192.0.2.53
www        A     192.0.2.80
mail       A     192.0.2.25
mail       AAAA  2001:db8::25
alias      CNAME www
alias2     CNAME alias
upper      CNAME WWW
tonet      CNAME www.example.net.
toout      CNAME www.elsewhere.org.
tonx       CNAME nothere
tonx2      CNAME tonx
tonetnx    CNAME nothere.example.net.
tonodata   CNAME www
mxalias    CNAME mailhost
mailhost   MX    10 mail
loop1      CNAME loop2
loop2      CNAME loop1
self       CNAME self
${chains()}
`;

const NET = `
$ORIGIN example.net.
$TTL 1800
@          IN SOA ns1 hostmaster 5 7200 3600 1209600 600
@          NS    ns1
ns1        A     198.51.100.53
www        A     198.51.100.80
back       CNAME alias.example.com.
`;

const COM_SOA = 'example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300';

function cn(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`c${i}.example.com. 3600 IN CNAME c${i + 1}.example.com.`);
  return out;
}

export const cname: CaseFile = {
  title: 'CNAME',
  zones: [
    ['example.com.', COM],
    ['example.net.', NET],
  ],
  cases: [
    {
      name: 'one CNAME inside the zone, then the target\u2019s A',
      qname: 'alias.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        kind: 'answer',
        answer: ['alias.example.com. 3600 IN CNAME www.example.com.', 'www.example.com. 3600 IN A 192.0.2.80'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'a chain of two CNAMEs in order',
      qname: 'alias2.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['alias2.example.com. 3600 IN CNAME alias.example.com.', 'alias.example.com. 3600 IN CNAME www.example.com.', 'www.example.com. 3600 IN A 192.0.2.80'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'CNAME target in upper case: rdata kept, target owner in the zone\u2019s case',
      qname: 'upper.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['upper.example.com. 3600 IN CNAME WWW.example.com.', 'www.example.com. 3600 IN A 192.0.2.80'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'CNAME into another hosted zone: not followed (as BIND 9.18), NOERROR',
      qname: 'tonet.example.com.',
      qtype: 'A',
      expect: { rcode: 'NOERROR', aa: true, kind: 'answer', answer: ['tonet.example.com. 3600 IN CNAME www.example.net.'], authority: [], additional: [] },
    },
    {
      name: 'CNAME from the other hosted zone into this one: not followed',
      qname: 'back.example.net.',
      qtype: 'A',
      expect: { rcode: 'NOERROR', aa: true, answer: ['back.example.net. 1800 IN CNAME alias.example.com.'], authority: [], additional: [] },
    },
    {
      name: 'CNAME out of our zones: the chain ends, NOERROR',
      qname: 'toout.example.com.',
      qtype: 'A',
      expect: { rcode: 'NOERROR', aa: true, kind: 'answer', answer: ['toout.example.com. 3600 IN CNAME www.elsewhere.org.'], authority: [], additional: [] },
    },
    {
      name: 'CNAME to a nonexistent name: NXDOMAIN with the CNAME (RFC 6604)',
      qname: 'tonx.example.com.',
      qtype: 'A',
      expect: { rcode: 'NXDOMAIN', aa: true, kind: 'nxdomain', answer: ['tonx.example.com. 3600 IN CNAME nothere.example.com.'], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'two CNAMEs to a nonexistent name: NXDOMAIN with both',
      qname: 'tonx2.example.com.',
      qtype: 'TXT',
      orderedAnswer: true,
      expect: {
        rcode: 'NXDOMAIN',
        aa: true,
        answer: ['tonx2.example.com. 3600 IN CNAME tonx.example.com.', 'tonx.example.com. 3600 IN CNAME nothere.example.com.'],
        authority: [COM_SOA],
        additional: [],
      },
    },
    {
      name: 'CNAME to a nonexistent name in the other hosted zone: not followed, so NOERROR',
      qname: 'tonetnx.example.com.',
      qtype: 'A',
      expect: { rcode: 'NOERROR', aa: true, answer: ['tonetnx.example.com. 3600 IN CNAME nothere.example.net.'], authority: [], additional: [] },
    },
    {
      name: 'CNAME to a name without the type: NOERROR, the CNAME and the SOA',
      qname: 'tonodata.example.com.',
      qtype: 'AAAA',
      expect: { rcode: 'NOERROR', aa: true, kind: 'answer', answer: ['tonodata.example.com. 3600 IN CNAME www.example.com.'], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'additional section processing for the RRset at the end of the chain',
      qname: 'mxalias.example.com.',
      qtype: 'MX',
      orderedAnswer: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['mxalias.example.com. 3600 IN CNAME mailhost.example.com.', 'mailhost.example.com. 3600 IN MX 10 mail.example.com.'],
        authority: [],
        additional: ['mail.example.com. 3600 IN A 192.0.2.25', 'mail.example.com. 3600 IN AAAA 2001:db8::25'],
      },
    },
    {
      name: 'qtype CNAME: only the CNAME, not followed',
      qname: 'alias2.example.com.',
      qtype: 'CNAME',
      expect: { rcode: 'NOERROR', aa: true, answer: ['alias2.example.com. 3600 IN CNAME alias.example.com.'], authority: [], additional: [] },
    },
    {
      name: 'qtype CNAME at a name without one: NODATA',
      qname: 'www.example.com.',
      qtype: 'CNAME',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'two-name loop: ends, each CNAME once, SERVFAIL (as BIND 9.18)',
      qname: 'loop1.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: {
        rcode: 'SERVFAIL',
        aa: true,
        answer: ['loop1.example.com. 3600 IN CNAME loop2.example.com.', 'loop2.example.com. 3600 IN CNAME loop1.example.com.'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'CNAME to itself: ends, the CNAME once, SERVFAIL (as BIND 9.18)',
      qname: 'self.example.com.',
      qtype: 'A',
      expect: { rcode: 'SERVFAIL', aa: true, answer: ['self.example.com. 3600 IN CNAME self.example.com.'], authority: [], additional: [] },
    },
    {
      name: 'chain of 11 CNAMEs: the 12th lookup (11th restart) reaches the A',
      qname: 'c20.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: { rcode: 'NOERROR', aa: true, answer: [...cn(20, 31), 'c31.example.com. 3600 IN A 192.0.2.31'], authority: [], additional: [] },
    },
    {
      name: 'chain of 13 CNAMEs: cut after 12 (the question and 11 restarts), SERVFAIL (as BIND 9.18)',
      qname: 'c1.example.com.',
      qtype: 'A',
      orderedAnswer: true,
      expect: { rcode: 'SERVFAIL', aa: true, answer: cn(1, 13), authority: [], additional: [] },
    },
  ],
};
