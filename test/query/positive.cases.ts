/**
 * Positive answers (RFC 1034 §4.3.2 step 3a): the RRset, AA set, and an
 * empty authority section (Tyne, like Knot, does not add the apex NS; BIND
 * 9.18 does unless `minimal-responses`). Additional section processing
 * (RFC 1034 §3.7, RFC 1035 §3.3.9/§3.3.11, RFC 2782, RFC 3403 §4.1): A then
 * AAAA of NS/MX/SRV targets held with authority in the zone; nothing for a
 * target below a zone cut (BIND only does the glue search for referrals)
 * or outside the zone.
 */
import type { CaseFile } from './support.js';

const ZONE = `
$ORIGIN example.com.
$TTL 3600
@           IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300
@           NS    ns1
@           NS    ns2
@           NS    ns.other.net.
@           MX    10 mail
@           MX    20 mail.other.net.
@           A     192.0.2.1
ns1         A     192.0.2.53
ns1         AAAA  2001:db8::53
ns2         A     192.0.2.54
mail        A     192.0.2.25
mail        AAAA  2001:db8::25
www         A     192.0.2.80
www         A     192.0.2.81
www         AAAA  2001:db8::80
MixedCase   300   TXT "case kept"
_sip._udp   SRV   10 60 5060 sip1
_sip._udp   SRV   20 60 5060 sip2
sip1        A     192.0.2.61
sip2        AAAA  2001:db8::62
_ldap._tcp  SRV   0 0 389 ldap.sub
mx-deleg    MX    10 host.sub
mx-out      MX    10 mail.other.net.
mx-twice    MX    10 mail
mx-twice    MX    20 MAIL
naptr       NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp
sub         NS    ns.sub
ns.sub      A     192.0.2.100
ldap.sub    A     192.0.2.101
host.sub    A     192.0.2.102
`;

export const positive: CaseFile = {
  title: 'positive answers',
  zones: [['example.com.', ZONE]],
  cases: [
    {
      name: 'A RRset at a name, AA set, authority empty',
      qname: 'www.example.com.',
      qtype: 'A',
      expect: {
        rcode: 'NOERROR',
        aa: true,
        kind: 'answer',
        answer: ['www.example.com. 3600 IN A 192.0.2.80', 'www.example.com. 3600 IN A 192.0.2.81'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'AAAA at the same name: only the AAAA RRset',
      qname: 'www.example.com.',
      qtype: 'AAAA',
      expect: { rcode: 'NOERROR', aa: true, answer: ['www.example.com. 3600 IN AAAA 2001:db8::80'], authority: [], additional: [] },
    },
    {
      name: 'A at the apex',
      qname: 'example.com.',
      qtype: 'A',
      expect: { rcode: 'NOERROR', aa: true, answer: ['example.com. 3600 IN A 192.0.2.1'], authority: [], additional: [] },
    },
    {
      name: 'SOA at the apex: in the answer, not repeated in authority',
      qname: 'example.com.',
      qtype: 'SOA',
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300'],
        authority: [],
        additional: [],
      },
    },
    {
      name: 'NS at the apex: addresses of in-zone name servers, none for the out-of-zone one',
      qname: 'example.com.',
      qtype: 'NS',
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['example.com. 3600 IN NS ns1.example.com.', 'example.com. 3600 IN NS ns2.example.com.', 'example.com. 3600 IN NS ns.other.net.'],
        authority: [],
        additional: ['ns1.example.com. 3600 IN A 192.0.2.53', 'ns2.example.com. 3600 IN A 192.0.2.54', 'ns1.example.com. 3600 IN AAAA 2001:db8::53'],
      },
    },
    {
      name: 'MX: the in-zone exchange A before AAAA; the out-of-zone exchange gets nothing',
      qname: 'example.com.',
      qtype: 'MX',
      orderedAdditional: true,
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['example.com. 3600 IN MX 10 mail.example.com.', 'example.com. 3600 IN MX 20 mail.other.net.'],
        authority: [],
        additional: ['mail.example.com. 3600 IN A 192.0.2.25', 'mail.example.com. 3600 IN AAAA 2001:db8::25'],
      },
    },
    {
      name: 'MX naming one exchange twice (different case): its addresses once',
      qname: 'mx-twice.example.com.',
      qtype: 'MX',
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['mx-twice.example.com. 3600 IN MX 10 mail.example.com.', 'mx-twice.example.com. 3600 IN MX 20 MAIL.example.com.'],
        authority: [],
        additional: ['mail.example.com. 3600 IN A 192.0.2.25', 'mail.example.com. 3600 IN AAAA 2001:db8::25'],
      },
    },
    {
      name: 'MX whose only exchange is outside the zone: no additional',
      qname: 'mx-out.example.com.',
      qtype: 'MX',
      expect: { rcode: 'NOERROR', aa: true, answer: ['mx-out.example.com. 3600 IN MX 10 mail.other.net.'], authority: [], additional: [] },
    },
    {
      name: 'MX whose exchange is below a delegation: the glue is not used',
      qname: 'mx-deleg.example.com.',
      qtype: 'MX',
      expect: { rcode: 'NOERROR', aa: true, answer: ['mx-deleg.example.com. 3600 IN MX 10 host.sub.example.com.'], authority: [], additional: [] },
    },
    {
      name: 'SRV: addresses of each target (A of one, AAAA of the other)',
      qname: '_sip._udp.example.com.',
      qtype: 'SRV',
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['_sip._udp.example.com. 3600 IN SRV 10 60 5060 sip1.example.com.', '_sip._udp.example.com. 3600 IN SRV 20 60 5060 sip2.example.com.'],
        authority: [],
        additional: ['sip1.example.com. 3600 IN A 192.0.2.61', 'sip2.example.com. 3600 IN AAAA 2001:db8::62'],
      },
    },
    {
      name: 'SRV whose target is below a delegation: no additional',
      qname: '_ldap._tcp.example.com.',
      qtype: 'SRV',
      expect: { rcode: 'NOERROR', aa: true, answer: ['_ldap._tcp.example.com. 3600 IN SRV 0 0 389 ldap.sub.example.com.'], authority: [], additional: [] },
    },
    {
      name: 'NAPTR with flag S: the SRV RRset at the replacement and its targets\u2019 addresses',
      qname: 'naptr.example.com.',
      qtype: 'NAPTR',
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['naptr.example.com. 3600 IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.com.'],
        authority: [],
        additional: [
          '_sip._udp.example.com. 3600 IN SRV 10 60 5060 sip1.example.com.',
          '_sip._udp.example.com. 3600 IN SRV 20 60 5060 sip2.example.com.',
          'sip1.example.com. 3600 IN A 192.0.2.61',
          'sip2.example.com. 3600 IN AAAA 2001:db8::62',
        ],
      },
    },
    {
      name: 'owner shown in the zone file\u2019s case when asked in another case',
      qname: 'MIXEDCASE.EXAMPLE.COM.',
      qtype: 'TXT',
      expect: { rcode: 'NOERROR', aa: true, answer: ['MixedCase.example.com. 300 IN TXT "case kept"'], authority: [], additional: [] },
    },
    {
      name: 'owner shown lower case (as in the zone) when asked in upper case',
      qname: 'WWW.Example.COM.',
      qtype: 'AAAA',
      expect: { rcode: 'NOERROR', aa: true, answer: ['www.example.com. 3600 IN AAAA 2001:db8::80'], authority: [], additional: [] },
    },
  ],
};
