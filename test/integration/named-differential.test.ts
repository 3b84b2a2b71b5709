/**
 * BIND as the oracle for answers: named (9.18) and `tyne serve` load the
 * same zones (test/zones/serve/), get the same queries over UDP (and a
 * sample over TCP), and must give the same answers: rcode, header flags,
 * the question octets, every section's records (sorted; owner octets
 * compared exactly, letter case included; TTL; rdata octets) and the OPT
 * record (presence, version, DO, extended rcode, UDP payload; options are
 * not compared).
 *
 * Allowed deviations, each filtered and counted:
 *  (a) ANY is not queried.
 *  (b) On NOERROR answers with records, BIND adds the zone's apex NS RRset
 *      to the authority section and those NS targets' addresses to the
 *      additional section; Tyne (like Knot) does not. The apex NS RRset is
 *      removed from BIND's authority, and the A/AAAA of its targets from
 *      BIND's additional unless the answer's own records (MX, SRV, NS
 *      targets, the NAPTR -> SRV chain) call for them. With DO=1 in a
 *      signed zone BIND also adds the RRSIG over that NS RRset and the
 *      RRSIGs over those addresses; they go with them.
 *  (c) Wildcard owner case. BIND stores, per RRset, which octets of the
 *      owner were upper case, and applies that bitmap by position to the
 *      name it synthesizes: `*.Wild` asked as `FoO.wILD` answers
 *      `foO.wild`. Where the owners differ only in case and the name does
 *      not exist in the zone (it was synthesized), Tyne's owner must be
 *      the looked-up name's labels (as asked) followed by the wildcard's
 *      parent as the zone spells it.
 *  (d) Truncated answers (TC set in both): BIND fills the section with
 *      as many records as fit, even part of an RRset and chosen at random
 *      (rrset-order); Tyne stops at an RRset boundary (RFC 2181 §9). The
 *      sections are not compared; Tyne's must hold whole RRsets only.
 *
 * Tyne serves UDP here through the batched socket (server.udp-io: batched,
 * issue 16 §2); a second Tyne with udp-io: dgram gets every UDP query too,
 * and the two must answer with the same octets (truncated answers and the
 * EDNS payload variants included).
 *
 * TYNE_DIFF_PEER=named runs a second named in Tyne's place: a check of
 * the harness itself (everything must be identical or filtered).
 * TYNE_DIFF_DUMP=FILE writes every difference to FILE.
 *
 * The machinery (sending, comparing, the rules) is test/support/differential.ts;
 * named-differential-dnssec.test.ts uses it on signed copies of these zones.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, type Name } from '../../src/wire/index.js';
import type { QuerySpec } from '../support/dns-client.js';
import {
  Comparer, assertSame, compareUdpOctets, randomCase, runDifferential, selfCheck, startServers, startTynePeer, summaryLine, zoneOwners,
  type Case, type Server,
} from '../support/differential.js';
import { batchModuleOrSkip } from '../support/batch-module.js';
import { BELOW_DELEGATIONS, BELOW_WILDCARDS, DIFF_TYPES, NONEXISTENT, UNDER_DNAMES } from '../support/differential-queries.js';
import { Rng } from '../support/rng.js';
import type { NamedProcess } from '../support/named-process.js';
import { repoRoot } from '../support/paths.js';
import { haveTool } from '../support/tools.js';

const ZONE_DIR = resolve(repoRoot, 'test', 'zones', 'serve');
const ZONES = [
  { name: 'example.com', file: join(ZONE_DIR, 'example.com.zone') },
  { name: 'eu.example.com', file: join(ZONE_DIR, 'eu.example.com.zone') },
  { name: 'example.net', file: join(ZONE_DIR, 'example.net.zone') },
];
const IDENTITY = 'ns1.test';
const VERSION = 'tyne-test';
/** BIND's built-in CHAOS zones (each its own apex). */
const CH_APEXES = ['version.bind', 'hostname.bind', 'id.server', 'authors.bind'];

const T = RRType;
const TYPES = DIFF_TYPES;

/** Names that are not owners in the zones but exercise a rule. */
const EXTRA_NAMES = [...NONEXISTENT, ...BELOW_WILDCARDS, ...BELOW_DELEGATIONS, ...UNDER_DNAMES];

/** Names outside every zone: REFUSED. */
const OUTSIDE = ['example.org', 'www.example.org', 'com', '.', 'example', 'xexample.com', 'net'];

function buildCases(owners: Name[]): Case[] {
  const rnd = new Rng(0x2020);
  const names = [...owners.map((n) => n.toText()), ...EXTRA_NAMES];
  const cases: Case[] = [];
  for (const name of names) {
    for (const type of TYPES) cases.push({ label: 'plain', spec: { name, type } });
  }
  // 0x20 casing of every name, with EDNS (1232, like most resolvers).
  for (const name of names) {
    const mixed = randomCase(name, rnd);
    for (const type of TYPES) cases.push({ label: 'mixed-case', spec: { name: mixed, type, edns: { udpPayload: 1232 } } });
  }
  // EDNS variants on a sample of names that cover each kind of answer.
  const sample = [
    'example.com', 'WWW.example.com', 'big.example.com', 'med.example.com', 'multi.example.com', 'naptr.example.com',
    'www.deleg.example.com', 'nothere.example.com', 'host.example.com', 'foo.Wild.example.com', 'x.dn.example.com',
    '_sip._tcp.example.com', 'c1.example.com', 'eu.example.com',
  ];
  const ednsVariants: NonNullable<QuerySpec['edns']>[] = [
    { udpPayload: 512 }, { udpPayload: 1232 }, { udpPayload: 4096 }, { udpPayload: 1232, do: true },
    { udpPayload: 1232, version: 1 }, { udpPayload: 100 },
  ];
  for (const name of sample) {
    for (const type of [T.A, T.TXT, T.NS, T.MX, T.SRV, T.NAPTR, T.SOA]) {
      for (const edns of ednsVariants) cases.push({ label: 'edns', spec: { name, type, edns } });
    }
  }
  // Outside every zone.
  for (const name of OUTSIDE) {
    for (const type of [T.A, T.SOA, T.NS]) {
      cases.push({ label: 'refused', spec: { name, type } });
      cases.push({ label: 'refused', spec: { name, type, edns: { udpPayload: 1232 } } });
    }
  }
  // CHAOS.
  for (const name of ['version.bind', 'VERSION.BIND', 'hostname.bind', 'id.server']) {
    cases.push({ label: 'chaos', spec: { name, type: T.TXT, cls: 3 } });
    cases.push({ label: 'chaos', spec: { name, type: T.TXT, cls: 3, edns: { udpPayload: 1232 } } });
  }
  // A sample over TCP: every 12th case so far, plus the large answers.
  const tcp: Case[] = [];
  for (let i = 0; i < cases.length; i += 12) tcp.push({ ...cases[i]!, tcp: true });
  for (const name of ['big.example.com', 'med.example.com', 'multi.example.com']) {
    tcp.push({ label: 'tcp-big', spec: { name, type: T.TXT }, tcp: true });
    tcp.push({ label: 'tcp-big', spec: { name, type: T.TXT, edns: { udpPayload: 512 } }, tcp: true });
  }
  return [...cases, ...tcp];
}

const NAMED_OPTIONS = `version "${VERSION}"; hostname "${IDENTITY}"; server-id "${IDENTITY}";`;
const TYNE_SERVER = `udp-payload: 1232, identity: ${IDENTITY}, version: "${VERSION}"`;
/** The batched UDP path when the module is built (always under CI), else node:dgram with a loud skip line. */
const BATCHED = haveTool('named') && batchModuleOrSkip('named differential through the batched UDP path') !== null;

describe('tyne serve answers as BIND named does', { skip: !haveTool('named') }, () => {
  let named: NamedProcess | undefined;
  let peer: Server | undefined;
  let dgramPeer: Server | undefined;
  let tmp = '';
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tyne-diff-'));
    ({ named, peer } = await startServers(tmp, ZONES, { namedOptions: NAMED_OPTIONS, tyneServer: `${TYNE_SERVER}, udp-io: ${BATCHED ? 'batched' : 'dgram'}` }));
  });
  after(async () => {
    await peer?.stop();
    await dgramPeer?.stop();
    await named?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('gives the same answers to every query', { timeout: 120_000 }, async () => {
    const owners = zoneOwners(ZONES);
    const comparer = new Comparer({ zones: ZONES, extraApexes: CH_APEXES, owners });
    const r = await runDifferential(buildCases(owners), named!.port, peer!, comparer);
    console.log(summaryLine('named-differential', r));
    assertSame(r);
  });

  it('answers through the batched UDP path with the same octets as through node:dgram', { timeout: 120_000, skip: selfCheck || !BATCHED }, async () => {
    dgramPeer = await startTynePeer(tmp, ZONES, `${TYNE_SERVER}, udp-io: dgram`, 'tyne-dgram');
    const cases = buildCases(zoneOwners(ZONES));
    const r = await compareUdpOctets(cases, peer!.port, dgramPeer.port);
    console.log(`batched vs dgram: ${r.compared} UDP queries, ${r.truncated} answers truncated (TC), ${r.differ.length} different`);
    assert.ok(r.compared > 1000);
    assert.ok(r.truncated > 0, 'no truncated answer was compared');
    assert.deepEqual(r.differ.slice(0, 20), []);
  });
});
