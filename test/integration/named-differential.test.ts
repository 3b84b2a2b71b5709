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
 *      targets, the NAPTR -> SRV chain) call for them.
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
 * TYNE_DIFF_PEER=named runs a second named in Tyne's place: a check of
 * the harness itself (everything must be identical or filtered).
 * TYNE_DIFF_DUMP=FILE writes every difference to FILE.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Name, RRType, decodeMessage, messageToText, wireNameLength, type Message, type ResourceRecord,
} from '../../src/wire/index.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { buildQuery, queryTcp, queryUdp, type QuerySpec } from '../support/dns-client.js';
import { startNamed, type NamedProcess } from '../support/named-process.js';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';

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
const TYPES = [T.A, T.AAAA, T.NS, T.SOA, T.MX, T.TXT, T.CNAME, T.SRV, T.NAPTR, T.DS, T.DNAME, T.PTR, T.CAA, T.HINFO];

/** Names that are not owners in the zones but exercise a rule. */
const EXTRA_NAMES = [
  // nonexistent
  'nothere.example.com', 'a.b.nothere.example.com', 'nothere.eu.example.com', 'nothere.example.net', 'nothere.ns1.example.com',
  // below wildcards, and names the wildcards must not cover
  'foo.Wild.example.com', 'a.b.wild.example.com', 'FOO.WILD.example.com', 'x.wc.example.com', 'abc.def.wc.example.com',
  'y.blk.example.com', 'y.x.blk.example.com', 'c.ent.example.com', 'b.ent.example.com', 'x.b.ent.example.com',
  'x.a.b.ent.example.com', 'c.ent2.example.com', 'b.c.ent2.example.com', 'x.c.ent2.example.com', 'q.any.eu.example.com',
  // below delegations
  'www.deleg.example.com', 'a.b.deleg.example.com', 'x.outdeleg.example.com', 'x.sibling.example.com', 'ns1.deleg.example.com',
  'www.x.eu.example.com',
  // under the DNAMEs (and the occluded name)
  'www.dn.example.com', 'target.dn.example.com', 'x.target.dn.example.com', 'old.dn.example.com', 'a.b.c.dn.example.com',
  'www.dnin.example.com', 'deep.sub.dnin.example.com', 'nothere.dnin.example.com', 'Deep.Sub.dnin.example.com',
  // a DNAME substitution too long for a name (YXDOMAIN, RFC 6672 §2.2)
  `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(20)}.grow.example.com`,
  `x.grow.example.com`,
];

/** Names outside every zone: REFUSED. */
const OUTSIDE = ['example.org', 'www.example.org', 'com', '.', 'example', 'xexample.com', 'net'];

interface Case {
  label: string;
  spec: Omit<QuerySpec, 'id'>;
  tcp?: boolean;
}

/** mulberry32: a small seeded PRNG, so the 0x20 casing is the same every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCase(name: string, rnd: () => number): string {
  let out = '';
  for (const ch of name) out += /[a-z]/i.test(ch) ? (rnd() < 0.5 ? ch.toLowerCase() : ch.toUpperCase()) : ch;
  return out;
}

function typeName(t: number): string {
  return Object.entries(RRType).find(([, v]) => v === t)?.[0] ?? `TYPE${t}`;
}

function describeSpec(s: Omit<QuerySpec, 'id'>, tcp = false): string {
  const e = s.edns ? `edns(v${s.edns.version ?? 0},${s.edns.udpPayload}${s.edns.do ? ',do' : ''})` : 'noedns';
  return `${s.name} ${s.cls === 3 ? 'CH' : 'IN'} ${typeName(s.type)} ${e} ${tcp ? 'tcp' : 'udp'}`;
}

/** Owner names of the zones, as first written (wildcard owners included). */
function zoneOwners(): Name[] {
  const seen = new Map<string, Name>();
  for (const z of ZONES) {
    const res = parseZoneFile(z.file, { origin: Name.fromText(`${z.name}.`) }, (rr) => {
      if (!seen.has(rr.name.key)) seen.set(rr.name.key, rr.name);
    });
    if (res.errors.length > 0) throw new Error(`${z.file}: ${res.errors.map((e) => e.message).join('; ')}`);
  }
  return [...seen.values()];
}

function buildCases(owners: Name[]): Case[] {
  const rnd = prng(0x2020);
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

// ---------------------------------------------------------------- comparing

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function sortRecords(list: ResourceRecord[]): ResourceRecord[] {
  return [...list].sort(
    (x, y) => cmpBytes(x.name.toLowerCase().wire, y.name.toLowerCase().wire) || x.type - y.type || cmpBytes(x.rdata, y.rdata) ||
      cmpBytes(x.name.wire, y.name.wire) || x.ttl - y.ttl,
  );
}

function recordsEqual(a: ResourceRecord, b: ResourceRecord): boolean {
  return cmpBytes(a.name.wire, b.name.wire) === 0 && a.type === b.type && a.class === b.class && a.ttl === b.ttl &&
    cmpBytes(a.rdata, b.rdata) === 0;
}

/** The question section's octets (names in queries and answers here are never compressed there). */
function questionBytes(raw: Uint8Array): Uint8Array {
  const qd = (raw[4]! << 8) | raw[5]!;
  let p = 12;
  for (let i = 0; i < qd; i++) p += wireNameLength(raw, p) + 4;
  return raw.subarray(12, p);
}

/** A domain name at `off` in uncompressed rdata. */
function rdataName(rdata: Uint8Array, off: number): Name {
  return Name.fromWire(rdata.subarray(off, off + wireNameLength(rdata, off)));
}

function naptrReplacement(rdata: Uint8Array): Name {
  let p = 4;
  for (let i = 0; i < 3; i++) p += 1 + rdata[p]!;
  return rdataName(rdata, p);
}

/** Names whose addresses the answer section's own records call for. */
function neededTargets(m: Message): Set<string> {
  const need = new Set<string>();
  const srvOwners = new Set<string>();
  for (const rr of m.answers) {
    if (rr.type === T.MX) need.add(rdataName(rr.rdata, 2).key);
    else if (rr.type === T.SRV) need.add(rdataName(rr.rdata, 6).key);
    else if (rr.type === T.NS) need.add(rdataName(rr.rdata, 0).key);
    else if (rr.type === T.NAPTR) {
      const rep = naptrReplacement(rr.rdata).key;
      need.add(rep);
      srvOwners.add(rep);
    }
  }
  for (const rr of m.additionals) {
    if (rr.type === T.SRV && srvOwners.has(rr.name.key)) need.add(rdataName(rr.rdata, 6).key);
  }
  return need;
}

const APEXES = [...ZONES.map((z) => Name.fromText(`${z.name}.`)), ...CH_APEXES.map((z) => Name.fromText(`${z}.`))];

/** The apex of the most specific zone (served or BIND built-in) holding `name`. */
function zoneApex(name: Name): Name | null {
  let best: Name | null = null;
  for (const apex of APEXES) {
    if (name.isSubdomainOf(apex) && (best === null || apex.labelCount > best.labelCount)) best = apex;
  }
  return best;
}

/** Rule (b): strips BIND's apex NS from authority and its targets' addresses from additional. True if anything went. */
function applyRuleB(m: Message): boolean {
  if (m.rcode !== 0 || m.answers.length === 0 || m.questions.length !== 1) return false;
  const apex = zoneApex(m.questions[0]!.name);
  if (apex === null) return false;
  const ns = m.authorities.filter((r) => r.type === T.NS && r.name.equals(apex));
  if (ns.length === 0) return false;
  m.authorities = m.authorities.filter((r) => !(r.type === T.NS && r.name.equals(apex)));
  const targets = new Set(ns.map((r) => rdataName(r.rdata, 0).key));
  const needed = neededTargets(m);
  m.additionals = m.additionals.filter(
    (r) => !((r.type === T.A || r.type === T.AAAA) && targets.has(r.name.key) && !needed.has(r.name.key)),
  );
  return true;
}

/** Owners that exist in the zones (lowercased keys), for rule (c). */
let ownerKeys = new Set<string>();
/** Wildcard owners as spelt in the zones. */
let wildcardOwners: Name[] = [];

/**
 * Rule (c): `bindName` and `tyneName` differ only in case, the name was
 * synthesized from a wildcard, and Tyne's spelling is the looked-up
 * labels (as asked: the query name or a CNAME target in the answer)
 * followed by the wildcard's parent as the zone spells it.
 */
function wildcardCaseOk(bindName: Name, tyneName: Name, tyne: Message): boolean {
  if (!bindName.equals(tyneName) || ownerKeys.has(bindName.key)) return false;
  const wc = wildcardOwners.find((w) => {
    const parent = w.suffix(1);
    return tyneName.isSubdomainOf(parent) && tyneName.labelCount > parent.labelCount;
  });
  if (wc === undefined) return false;
  const parent = wc.suffix(1);
  const suffixAt = tyneName.offsets[tyneName.labelCount - parent.labelCount]!;
  if (cmpBytes(tyneName.wire.subarray(suffixAt), parent.wire) !== 0) return false;
  const prefix = tyneName.wire.subarray(0, suffixAt);
  const asked = [tyne.questions[0]!.name, ...tyne.answers.filter((r) => r.type === T.CNAME).map((r) => rdataName(r.rdata, 0))];
  return asked.some((n) => n.equals(tyneName) && cmpBytes(n.wire.subarray(0, suffixAt), prefix) === 0);
}

/** RRsets in `list` must be whole, judged against the complete answer `full` (rule d). */
function wholeRRsets(list: ResourceRecord[], full: ResourceRecord[]): boolean {
  const count = (l: ResourceRecord[], r: ResourceRecord) => l.filter((x) => x.type === r.type && x.name.equals(r.name)).length;
  return list.every((r) => count(list, r) === count(full, r));
}

interface Verdict {
  same: boolean;
  ruleB: boolean;
  ruleC: number;
  ruleD: boolean;
  problems: string[];
}

function compare(bindRaw: Uint8Array, tyneRaw: Uint8Array, tyneFull: Message | null): Verdict {
  const v: Verdict = { same: true, ruleB: false, ruleC: 0, ruleD: false, problems: [] };
  const bind = decodeMessage(bindRaw);
  const tyne = decodeMessage(tyneRaw);
  const p = v.problems;
  if (bind.rcode !== tyne.rcode) p.push(`rcode ${bind.rcode} vs ${tyne.rcode}`);
  if (bind.opcode !== tyne.opcode) p.push(`opcode ${bind.opcode} vs ${tyne.opcode}`);
  for (const f of ['qr', 'aa', 'tc', 'rd', 'ra', 'ad', 'cd'] as const) {
    if (bind[f] !== tyne[f]) p.push(`flag ${f}: ${bind[f]} vs ${tyne[f]}`);
  }
  if (cmpBytes(questionBytes(bindRaw), questionBytes(tyneRaw)) !== 0) p.push('question octets differ');
  if ((bind.edns === null) !== (tyne.edns === null)) p.push(`OPT present: ${bind.edns !== null} vs ${tyne.edns !== null}`);
  else if (bind.edns && tyne.edns) {
    if (bind.edns.version !== tyne.edns.version) p.push(`EDNS version ${bind.edns.version} vs ${tyne.edns.version}`);
    if (bind.edns.dnssecOk !== tyne.edns.dnssecOk) p.push(`DO ${bind.edns.dnssecOk} vs ${tyne.edns.dnssecOk}`);
    if (bind.edns.udpPayload !== tyne.edns.udpPayload) p.push(`UDP payload ${bind.edns.udpPayload} vs ${tyne.edns.udpPayload}`);
  }
  if (bind.tc && tyne.tc) {
    v.ruleD = true;
    if (tyneFull !== null && !onlyNamed) {
      for (const [name, list, full] of [
        ['answer', tyne.answers, tyneFull.answers], ['authority', tyne.authorities, tyneFull.authorities],
      ] as const) {
        if (!wholeRRsets(list, full)) p.push(`truncated ${name} section holds part of an RRset`);
      }
    }
  } else {
    v.ruleB = applyRuleB(bind);
    // Self-check: the peer is named too, and adds the same.
    if (onlyNamed) applyRuleB(tyne);
    for (const [name, b, t] of [
      ['answer', bind.answers, tyne.answers], ['authority', bind.authorities, tyne.authorities],
      ['additional', bind.additionals, tyne.additionals],
    ] as const) {
      const bs = sortRecords(b);
      const ts = sortRecords(t);
      if (bs.length !== ts.length) {
        p.push(`${name}: ${bs.length} records vs ${ts.length}`);
        continue;
      }
      for (let i = 0; i < bs.length; i++) {
        const x = bs[i]!;
        const y = ts[i]!;
        if (recordsEqual(x, y)) continue;
        if (cmpBytes(x.name.wire, y.name.wire) !== 0 && wildcardCaseOk(x.name, y.name, tyne) &&
          recordsEqual({ ...x, name: y.name }, y)) {
          v.ruleC++;
          continue;
        }
        p.push(`${name}: record ${i} differs`);
      }
    }
  }
  v.same = p.length === 0 && !v.ruleB && v.ruleC === 0 && !v.ruleD;
  return v;
}

// ---------------------------------------------------------------- running

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** One UDP query with one retry on timeout (a lost datagram is not a verdict). */
async function udp(port: number, bytes: Uint8Array): Promise<Uint8Array> {
  try {
    return await queryUdp(port, bytes, 2000);
  } catch {
    return queryUdp(port, bytes, 3000);
  }
}

interface Server {
  port: number;
  stop(): Promise<unknown>;
  describe: string;
}

const onlyNamed = process.env.TYNE_DIFF_PEER === 'named';
const NAMED_OPTIONS = `version "${VERSION}"; hostname "${IDENTITY}"; server-id "${IDENTITY}";`;

async function startPeer(tmp: string): Promise<Server> {
  if (onlyNamed) {
    const n = await startNamed(ZONES, { extraOptions: NAMED_OPTIONS });
    return { port: n.port, stop: () => n.stop(), describe: 'named (harness self-check)' };
  }
  const port = await freePort();
  const yaml = [
    `listen: ["127.0.0.1:${port}"]`,
    'log: { level: info }', // startTyne waits for the info-level "serving" line
    `server: { udp-payload: 1232, identity: ${IDENTITY}, version: "${VERSION}" }`,
    'zones:',
    ...ZONES.map((z) => `  - { name: ${z.name}, file: ${JSON.stringify(z.file)} }`),
  ].join('\n');
  const conf = join(tmp, 'tyne.yaml');
  writeFileSync(conf, `${yaml}\n`);
  const t: TyneProcess = await startTyne(conf);
  return { port, stop: () => t.stop(), describe: 'tyne' };
}

describe('tyne serve answers as BIND named does', { skip: !haveTool('named') }, () => {
  let named: NamedProcess | undefined;
  let peer: Server | undefined;
  let tmp = '';
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tyne-diff-'));
    named = await startNamed(ZONES, { extraOptions: NAMED_OPTIONS });
    peer = await startPeer(tmp);
  });
  after(async () => {
    await peer?.stop();
    await named?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('gives the same answers to every query', { timeout: 120_000 }, async () => {
    const owners = zoneOwners();
    ownerKeys = new Set(owners.map((n) => n.key));
    wildcardOwners = owners.filter((n) => n.isWildcard);
    const cases = buildCases(owners);
    const udpCases = cases.filter((c) => !c.tcp);
    const tcpCases = cases.filter((c) => c.tcp);
    const bindAnswers = new Array<Uint8Array>(cases.length);
    const tyneAnswers = new Array<Uint8Array>(cases.length);

    await mapLimit(udpCases, 24, async (c, i) => {
      const q = buildQuery({ ...c.spec, id: (i * 7919 + 1) & 0xffff });
      [bindAnswers[i], tyneAnswers[i]] = await Promise.all([udp(named!.port, q), udp(peer!.port, q)]);
    });
    // TCP: pipelined batches of up to 100 on one connection per server.
    for (let start = 0; start < tcpCases.length; start += 100) {
      const batch = tcpCases.slice(start, start + 100);
      const qs = batch.map((c, j) => buildQuery({ ...c.spec, id: 40000 + j }));
      const [b, t] = await Promise.all([queryTcp(named!.port, qs, 10_000), queryTcp(peer!.port, qs, 10_000)]);
      for (let j = 0; j < batch.length; j++) {
        bindAnswers[udpCases.length + start + j] = b[j]!;
        tyneAnswers[udpCases.length + start + j] = t[j]!;
      }
    }

    // Complete answers (over TCP) of Tyne's truncated UDP answers, to check those hold whole RRsets.
    const truncated = [...cases.keys()].filter((i) => !cases[i]!.tcp && decodeMessage(tyneAnswers[i]!).tc);
    const full = new Map<number, Message>();
    if (truncated.length > 0) {
      const qs = truncated.slice(0, 100).map((i, j) => buildQuery({ ...cases[i]!.spec, id: 50000 + j }));
      const got = await queryTcp(peer!.port, qs, 10_000);
      truncated.slice(0, 100).forEach((i, j) => full.set(i, decodeMessage(got[j]!)));
    }

    const all = [...udpCases, ...tcpCases];
    let same = 0;
    let ruleB = 0;
    let ruleC = 0;
    let ruleD = 0;
    const failures: string[] = [];
    const kinds = new Map<string, number>();
    for (let i = 0; i < all.length; i++) {
      const c = all[i]!;
      const v = compare(bindAnswers[i]!, tyneAnswers[i]!, full.get(i) ?? null);
      if (v.same) same++;
      if (v.ruleB) ruleB++;
      if (v.ruleC > 0) ruleC++;
      if (v.ruleD) ruleD++;
      if (v.problems.length > 0) {
        const kind = v.problems.join('; ');
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
        failures.push(
          `### ${describeSpec(c.spec, c.tcp)} [${c.label}]: ${v.problems.join('; ')}\n` +
          `--- BIND:\n${messageToText(decodeMessage(bindAnswers[i]!))}\n--- ${peer!.describe}:\n${messageToText(decodeMessage(tyneAnswers[i]!))}\n`,
        );
      }
    }
    console.log(
      `named-differential: ${all.length} queries (${udpCases.length} UDP, ${tcpCases.length} TCP), ${same} identical, ` +
      `${ruleB} filtered by rule (b) apex NS, ${ruleC} by rule (c) wildcard case, ${ruleD} by rule (d) truncation, ` +
      `${failures.length} different`,
    );
    // TYNE_DIFF_DUMP=FILE writes every difference there (the failure message shows the first 40).
    if (process.env.TYNE_DIFF_DUMP) writeFileSync(process.env.TYNE_DIFF_DUMP, failures.join('\n'));
    if (failures.length > 0) {
      const shown = failures.slice(0, 40).join('\n');
      const byKind = [...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n} x ${k}`).join('\n');
      assert.fail(
        `${failures.length} of ${all.length} answers differ from BIND's; by kind:\n${byKind}\n\n` +
        `first ${Math.min(40, failures.length)}:\n\n${shown}`,
      );
    }
  });
});
