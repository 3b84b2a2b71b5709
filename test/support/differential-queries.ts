/**
 * What the differential tests against named (named-differential*.test.ts)
 * ask of test/zones/serve's zones, besides their owners: the query types,
 * and names that are not owners but exercise a rule, grouped by the rule.
 * The DNSSEC test adds its own names to each group; the order is kept, as
 * the cases (their random letter case, the TCP sample) follow it.
 */
import { RRType } from '../../src/wire/index.js';

const T = RRType;

/** The types every name is asked for (the DNSSEC test adds its own). */
export const DIFF_TYPES: readonly number[] = [T.A, T.AAAA, T.NS, T.SOA, T.MX, T.TXT, T.CNAME, T.SRV, T.NAPTR, T.DS, T.DNAME, T.PTR, T.CAA, T.HINFO];

/** Names that do not exist. */
export const NONEXISTENT: readonly string[] = ['nothere.example.com', 'a.b.nothere.example.com', 'nothere.eu.example.com', 'nothere.example.net', 'nothere.ns1.example.com'];

/** Names below wildcards, and names the wildcards must not cover. */
export const BELOW_WILDCARDS: readonly string[] = [
  'foo.Wild.example.com', 'a.b.wild.example.com', 'FOO.WILD.example.com', 'x.wc.example.com', 'abc.def.wc.example.com',
  'y.blk.example.com', 'y.x.blk.example.com', 'c.ent.example.com', 'b.ent.example.com', 'x.b.ent.example.com',
  'x.a.b.ent.example.com', 'c.ent2.example.com', 'b.c.ent2.example.com', 'x.c.ent2.example.com', 'q.any.eu.example.com',
];

/** Names below delegations. */
export const BELOW_DELEGATIONS: readonly string[] = [
  'www.deleg.example.com', 'a.b.deleg.example.com', 'x.outdeleg.example.com', 'x.sibling.example.com', 'ns1.deleg.example.com',
  'www.x.eu.example.com',
];

/** Names under the DNAMEs (and the occluded name), then a DNAME substitution too long for a name (YXDOMAIN, RFC 6672 §2.2). */
export const UNDER_DNAMES: readonly string[] = [
  'www.dn.example.com', 'target.dn.example.com', 'x.target.dn.example.com', 'old.dn.example.com', 'a.b.c.dn.example.com',
  'www.dnin.example.com', 'deep.sub.dnin.example.com', 'nothere.dnin.example.com', 'Deep.Sub.dnin.example.com',
  `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(20)}.grow.example.com`,
  `x.grow.example.com`,
];
