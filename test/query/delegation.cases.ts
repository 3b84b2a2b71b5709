/**
 * Zone cuts (RFC 1034 §4.3.2 step 3b, RFC 9471, RFC 4035 §3.1.4.1). A
 * referral has AA clear, the cut's NS in authority, in-domain glue (A and
 * AAAA below the cut) first in additional and counted by
 * requiredAdditional (RFC 9471 §3: it must fit or TC is set), then
 * sibling glue (below another cut of the zone, RFC 9471 §2.2). As BIND 9.18
 * (its glue cache), addresses of name servers that are authoritative data
 * of the parent (ns1.example.com here) are not added to a referral. DS belongs to the parent side: answered there with AA. A hosted
 * child zone answers for its names; DS for its apex comes from the hosted
 * parent; DS at an apex whose parent is not hosted is answered by the zone
 * itself (NODATA).
 */
import type { CaseFile } from './support.js';

const DS_SUB = '12345 13 2 8f32d4d6e1fd8cd7d7b14d2b6e4d0f7ad29c48d2b5e1c0a2b1f84c6b2d8e0f11';
const DS_EU = '54321 13 2 1ad0c1f3a6b04e63c9e5d6a1b80f47b2c5d9e3f71a2b4c6d8e0f1a3b5c7d9e0f';
/** The DS rdata as printed (hex upper case, split after 56 digits, as BIND prints it). */
function dsText(ds: string): string {
  const [tag, alg, dt, hex] = ds.split(' ') as [string, string, string, string];
  const h = hex.toUpperCase();
  return `${tag} ${alg} ${dt} ${h.slice(0, 56)} ${h.slice(56)}`;
}

const COM = `
$ORIGIN example.com.
$TTL 3600
@            IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@            NS    ns1
ns1          A     192.0.2.53
ns1          AAAA  2001:db8::53
www          A     192.0.2.80
Sub          NS    ns1.sub
Sub          NS    ns2.sub
Sub          NS    ns.other
Sub          NS    ns1
Sub          NS    ns.elsewhere.net.
Sub          DS    ${DS_SUB}
ns1.sub      A     192.0.2.1
ns1.sub      AAAA  2001:db8::1
ns2.sub      A     192.0.2.2
other        NS    ns.other
ns.other     A     192.0.2.10
nods         NS    ns.elsewhere.net.
eu           NS    ns.eu
eu           DS    ${DS_EU}
ns.eu        A     192.0.2.20
`;

const EU = `
$ORIGIN eu.example.com.
$TTL 600
@            IN SOA ns hostmaster 9 7200 3600 1209600 120
@            NS    ns
ns           A     192.0.2.20
www          A     192.0.2.21
`;

const COM_SOA = 'example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300';
const EU_SOA = 'eu.example.com. 120 IN SOA ns.eu.example.com. hostmaster.eu.example.com. 9 7200 3600 1209600 120';

const SUB_NS = [
  'Sub.example.com. 3600 IN NS ns1.sub.example.com.',
  'Sub.example.com. 3600 IN NS ns2.sub.example.com.',
  'Sub.example.com. 3600 IN NS ns.other.example.com.',
  'Sub.example.com. 3600 IN NS ns1.example.com.',
  'Sub.example.com. 3600 IN NS ns.elsewhere.net.',
];
/** In-domain glue first (required), then the other addresses the zone holds. */
const SUB_GLUE = [
  'ns1.sub.example.com. 3600 IN A 192.0.2.1',
  'ns1.sub.example.com. 3600 IN AAAA 2001:db8::1',
  'ns2.sub.example.com. 3600 IN A 192.0.2.2',
  'ns.other.example.com. 3600 IN A 192.0.2.10',
];

const referralSub = { rcode: 'NOERROR', aa: false, kind: 'referral', answer: [], authority: SUB_NS, additional: SUB_GLUE, requiredAdditional: 3 } as const;

export const delegation: CaseFile = {
  title: 'delegations and DS',
  zones: [
    ['example.com.', COM],
    ['eu.example.com.', EU],
  ],
  cases: [
    {
      name: 'name below a cut: referral, in-domain glue first and required, then sibling glue; no authoritative addresses',
      qname: 'www.sub.example.com.',
      qtype: 'A',
      expect: { ...referralSub, authority: [...SUB_NS], additional: [...SUB_GLUE] },
    },
    {
      name: 'the cut itself, qtype A: referral',
      qname: 'sub.example.com.',
      qtype: 'A',
      expect: { ...referralSub, authority: [...SUB_NS], additional: [...SUB_GLUE] },
    },
    {
      name: 'the cut itself, qtype NS: referral (NS in authority, not an answer)',
      qname: 'SUB.EXAMPLE.COM.',
      qtype: 'NS',
      expect: { ...referralSub, authority: [...SUB_NS], additional: [...SUB_GLUE] },
    },
    {
      name: 'a glue name asked for: referral, not the glue as an answer',
      qname: 'ns1.sub.example.com.',
      qtype: 'A',
      expect: { ...referralSub, authority: [...SUB_NS], additional: [...SUB_GLUE] },
    },
    {
      name: 'DS at the cut: answered from the parent with AA',
      qname: 'sub.example.com.',
      qtype: 'DS',
      expect: { rcode: 'NOERROR', aa: true, kind: 'answer', answer: [`Sub.example.com. 3600 IN DS ${dsText(DS_SUB)}`], authority: [], additional: [] },
    },
    {
      name: 'DS below the cut: referral',
      qname: 'www.sub.example.com.',
      qtype: 'DS',
      expect: { ...referralSub, authority: [...SUB_NS], additional: [...SUB_GLUE] },
    },
    {
      name: 'DS at a cut without DS: NODATA from the parent with AA',
      qname: 'nods.example.com.',
      qtype: 'DS',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [COM_SOA], additional: [] },
    },
    {
      name: 'below a cut whose only name server is out of zone: referral, no additional',
      qname: 'a.b.nods.example.com.',
      qtype: 'AAAA',
      expect: {
        rcode: 'NOERROR',
        aa: false,
        kind: 'referral',
        answer: [],
        authority: ['nods.example.com. 3600 IN NS ns.elsewhere.net.'],
        additional: [],
        requiredAdditional: 0,
      },
    },
    {
      name: 'below a cut with one in-domain glue A',
      qname: 'x.other.example.com.',
      qtype: 'TXT',
      expect: {
        rcode: 'NOERROR',
        aa: false,
        kind: 'referral',
        answer: [],
        authority: ['other.example.com. 3600 IN NS ns.other.example.com.'],
        additional: ['ns.other.example.com. 3600 IN A 192.0.2.10'],
        requiredAdditional: 1,
      },
    },
    {
      name: 'hosted child zone: its names are answered by the child',
      qname: 'www.eu.example.com.',
      qtype: 'A',
      expect: { rcode: 'NOERROR', aa: true, kind: 'answer', answer: ['www.eu.example.com. 600 IN A 192.0.2.21'], authority: [], additional: [] },
    },
    {
      name: 'hosted child zone: NS at its apex from the child, with its address',
      qname: 'eu.example.com.',
      qtype: 'NS',
      expect: {
        rcode: 'NOERROR',
        aa: true,
        answer: ['eu.example.com. 600 IN NS ns.eu.example.com.'],
        authority: [],
        additional: ['ns.eu.example.com. 600 IN A 192.0.2.20'],
      },
    },
    {
      name: 'hosted child zone: NXDOMAIN with the child\u2019s SOA',
      qname: 'nothere.eu.example.com.',
      qtype: 'A',
      expect: { rcode: 'NXDOMAIN', aa: true, answer: [], authority: [EU_SOA], additional: [] },
    },
    {
      name: 'hosted child zone: NODATA at its apex with the child\u2019s SOA',
      qname: 'eu.example.com.',
      qtype: 'A',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [EU_SOA], additional: [] },
    },
    {
      name: 'DS for the hosted child\u2019s apex: answered by the hosted parent',
      qname: 'eu.example.com.',
      qtype: 'DS',
      expect: { rcode: 'NOERROR', aa: true, kind: 'answer', answer: [`eu.example.com. 3600 IN DS ${dsText(DS_EU)}`], authority: [], additional: [] },
    },
    {
      name: 'DS below the hosted child\u2019s apex: from the child (NODATA)',
      qname: 'www.eu.example.com.',
      qtype: 'DS',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [EU_SOA], additional: [] },
    },
    {
      name: 'DS at an apex whose parent is not hosted: NODATA from the zone itself',
      qname: 'example.com.',
      qtype: 'DS',
      expect: { rcode: 'NOERROR', aa: true, kind: 'nodata', answer: [], authority: [COM_SOA], additional: [] },
    },
  ],
};
