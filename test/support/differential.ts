/**
 * The machinery of the differential tests against BIND's named
 * (test/integration/named-differential*.test.ts): building query cases,
 * starting named and `tyne serve` on the same zones, sending every case to
 * both, and comparing the answers with the allowed deviations filtered and
 * counted. What is compared and the rules (b)–(d) are described in
 * named-differential.test.ts; a test may add its own counted filter rules
 * (`FilterRule`).
 *
 * TYNE_DIFF_PEER=named runs a second named in Tyne's place: a check of
 * the harness itself (everything must be identical or filtered).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Name, RRType, decodeMessage, messageToText, wireNameLength, type Message, type ResourceRecord,
} from '../../src/wire/index.js';
import { parseZoneFile } from '../../src/zonefile/index.js';
import { buildQuery, queryTcp, queryUdp, type QuerySpec } from './dns-client.js';
import { startNamed, type NamedProcess } from './named-process.js';
import { freePort } from './ports.js';
import type { Rng } from './rng.js';
import { startTyne } from './tyne-process.js';

const T = RRType;

export interface DiffZone {
  name: string;
  /** Zone file path (absolute). */
  file: string;
}

export interface Case {
  label: string;
  spec: Omit<QuerySpec, 'id'>;
  tcp?: boolean;
}

/** True when TYNE_DIFF_PEER=named asks for the harness self-check. */
export const selfCheck = process.env.TYNE_DIFF_PEER === 'named';

// ---------------------------------------------------------------- cases

/** `name` with its letters in random case (0x20 casing), the same every run for one seed. */
export function randomCase(name: string, rng: Rng): string {
  let out = '';
  for (const ch of name) out += /[a-z]/i.test(ch) ? (rng.float() < 0.5 ? ch.toLowerCase() : ch.toUpperCase()) : ch;
  return out;
}

export function typeName(t: number): string {
  return Object.entries(RRType).find(([, v]) => v === t)?.[0] ?? `TYPE${t}`;
}

export function describeSpec(s: Omit<QuerySpec, 'id'>, tcp = false): string {
  const e = s.edns ? `edns(v${s.edns.version ?? 0},${s.edns.udpPayload}${s.edns.do ? ',do' : ''})` : 'noedns';
  return `${s.name} ${s.cls === 3 ? 'CH' : 'IN'} ${typeName(s.type)} ${e} ${tcp ? 'tcp' : 'udp'}`;
}

/** Owner names of the zones, as first written (wildcard owners included), in file order. */
export function zoneOwners(zones: readonly DiffZone[], keep: (rr: ResourceRecord) => boolean = () => true): Name[] {
  const seen = new Map<string, Name>();
  for (const z of zones) {
    const res = parseZoneFile(z.file, { origin: Name.fromText(`${z.name}.`) }, (rr) => {
      if (keep(rr) && !seen.has(rr.name.key)) seen.set(rr.name.key, rr.name);
    });
    if (res.errors.length > 0) throw new Error(`${z.file}: ${res.errors.map((e) => e.message).join('; ')}`);
  }
  return [...seen.values()];
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
export function rdataName(rdata: Uint8Array, off: number): Name {
  return Name.fromWire(rdata.subarray(off, off + wireNameLength(rdata, off)));
}

/** The type an RRSIG covers (RFC 4034 §3.1). */
export function coveredType(rdata: Uint8Array): number {
  return (rdata[0]! << 8) | rdata[1]!;
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

/** The type a record counts as for RRset grouping: RRSIGs by the type they cover. */
function setType(r: ResourceRecord): string {
  return r.type === T.RRSIG ? `RRSIG/${coveredType(r.rdata)}` : String(r.type);
}

/** RRsets in `list` must be whole, judged against the complete answer `full` (rule d). */
function wholeRRsets(list: ResourceRecord[], full: ResourceRecord[]): boolean {
  const count = (l: ResourceRecord[], r: ResourceRecord) =>
    l.filter((x) => setType(x) === setType(r) && x.name.equals(r.name)).length;
  return list.every((r) => count(list, r) === count(full, r));
}

/**
 * An extra allowed deviation, counted under `name`. `apply` may edit
 * `bind` (the decoded BIND answer) to remove what the rule allows, and
 * returns true when it removed (or excused) something.
 */
export interface FilterRule {
  name: string;
  /** `sizes`: the two raw answers' lengths in octets. */
  apply(bind: Message, tyne: Message, c: Case, sizes: { bind: number; tyne: number }): boolean;
}

/**
 * Rule (f): BIND's compression is sometimes looser than Tyne's (BIND 9.18
 * leaves some NS rdata names uncompressed in referrals), so near the UDP
 * limit BIND has room for fewer of the optional additional RRsets (sibling
 * glue, RFC 9471 §2.2). Applies when both answers are complete (no TC),
 * BIND's additional section is a proper subset of Tyne's, and even at the
 * smallest possible size (owner as a pointer) the records BIND left out
 * would not have fitted in BIND's answer; the records BIND did send must
 * still match.
 */
export const RULE_F: FilterRule = {
  name: 'rule (f) optional additional left out for size',
  apply(bind, tyne, c, sizes) {
    if (bind.tc || tyne.tc || c.tcp) return false;
    const key = (r: ResourceRecord): string => `${r.name.key}/${r.type}/${Buffer.from(r.rdata).toString('hex')}`;
    const theirs = new Set(bind.additionals.map(key));
    const extra = tyne.additionals.filter((r) => !theirs.has(key(r)));
    if (extra.length === 0 || extra.length + bind.additionals.length !== tyne.additionals.length) return false;
    const smallest = extra.reduce((n, r) => n + 2 + 10 + r.rdata.length, 0);
    if (sizes.bind + smallest <= bindUdpLimit(c)) return false;
    bind.additionals.push(...extra);
    return true;
  },
};

export interface Verdict {
  same: boolean;
  ruleB: boolean;
  ruleC: number;
  ruleD: boolean;
  /** Names of the extra filter rules that applied. */
  extra: string[];
  problems: string[];
}

export interface ComparerOptions {
  /** The served zones: their apexes scope rule (b). */
  zones: readonly DiffZone[];
  /** Further apexes (BIND's built-in CHAOS zones, say). */
  extraApexes?: readonly string[];
  /** Owner names in the zones (for rule (c): a name not among them was synthesized). */
  owners: readonly Name[];
  rules?: readonly FilterRule[];
  /**
   * Rule (e): BIND truncated a UDP answer only because the records rule
   * (b) strips did not fit. Needs BIND's answer over TCP (runDifferential
   * fetches it).
   */
  ruleE?: boolean;
}

/** The name rule (g) is counted under. */
export const RULE_G = 'rule (g) RFC 9471 glue TC';

/**
 * Rule (g) applies to a BIND referral (no AA, NS in authority, no answer)
 * that left out in-domain glue (addresses below the cut) which Tyne's
 * complete answer has, BIND's other records all being in Tyne's. Adds the
 * left-out records to `bind`.
 */
function ruleG(bind: Message, full: Message): boolean {
  if (bind.aa || bind.answers.length > 0 || full.tc) return false;
  const cut = bind.authorities.find((r) => r.type === RRType.NS)?.name;
  if (cut === undefined) return false;
  const key = (r: ResourceRecord): string => `${r.name.key}/${r.type}/${Buffer.from(r.rdata).toString('hex')}`;
  const theirs = new Set(bind.additionals.map(key));
  const ours = new Set(full.additionals.map(key));
  if (!bind.additionals.every((r) => ours.has(key(r)))) return false;
  const missing = full.additionals.filter((r) => !theirs.has(key(r)));
  if (!missing.some((r) => r.name.isSubdomainOf(cut))) return false;
  bind.additionals.push(...missing);
  return true;
}

/** The name rule (e) is counted under. */
export const RULE_E = 'rule (e) TC for rule (b) records';

/** BIND's UDP size limit for a query: the requester's payload (at least 512), at most max-udp-size (1232). */
function bindUdpLimit(c: Case): number {
  return c.spec.edns ? Math.min(1232, Math.max(512, c.spec.edns.udpPayload)) : 512;
}

export class Comparer {
  private readonly apexes: Name[];
  private readonly ownerKeys: Set<string>;
  private readonly wildcardOwners: Name[];
  private readonly rules: readonly FilterRule[];
  readonly ruleE: boolean;

  constructor(opts: ComparerOptions) {
    this.apexes = [...opts.zones.map((z) => Name.fromText(`${z.name}.`)), ...(opts.extraApexes ?? []).map((z) => Name.fromText(`${z}.`))];
    this.ownerKeys = new Set(opts.owners.map((n) => n.key));
    this.wildcardOwners = opts.owners.filter((n) => n.isWildcard);
    this.rules = opts.rules ?? [];
    this.ruleE = opts.ruleE ?? false;
  }

  /** The apex of the most specific zone (served or BIND built-in) holding `name`. */
  private zoneApex(name: Name): Name | null {
    let best: Name | null = null;
    for (const apex of this.apexes) {
      if (name.isSubdomainOf(apex) && (best === null || apex.labelCount > best.labelCount)) best = apex;
    }
    return best;
  }

  /**
   * Rule (b): strips BIND's apex NS (and, with DNSSEC, its RRSIG) from
   * authority and its targets' addresses (and their RRSIGs) from
   * additional. True if anything went.
   */
  applyRuleB(m: Message): boolean {
    if (m.rcode !== 0 || m.answers.length === 0 || m.questions.length !== 1) return false;
    const apex = this.zoneApex(m.questions[0]!.name);
    if (apex === null) return false;
    const isApexNs = (r: ResourceRecord) =>
      r.name.equals(apex) && (r.type === T.NS || (r.type === T.RRSIG && coveredType(r.rdata) === T.NS));
    const ns = m.authorities.filter((r) => r.type === T.NS && r.name.equals(apex));
    if (ns.length === 0) return false;
    m.authorities = m.authorities.filter((r) => !isApexNs(r));
    const targets = new Set(ns.map((r) => rdataName(r.rdata, 0).key));
    const needed = neededTargets(m);
    const isAddress = (t: number) => t === T.A || t === T.AAAA;
    m.additionals = m.additionals.filter(
      (r) => !((isAddress(r.type) || (r.type === T.RRSIG && isAddress(coveredType(r.rdata)))) &&
        targets.has(r.name.key) && !needed.has(r.name.key)),
    );
    return true;
  }

  /**
   * Rule (c): `bindName` and `tyneName` differ only in case, the name was
   * synthesized from a wildcard, and Tyne's spelling is the looked-up
   * labels (as asked: the query name or a CNAME target in the answer)
   * followed by the wildcard's parent as the zone spells it.
   */
  private wildcardCaseOk(bindName: Name, tyneName: Name, tyne: Message): boolean {
    if (!bindName.equals(tyneName) || this.ownerKeys.has(bindName.key)) return false;
    const wc = this.wildcardOwners.find((w) => {
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

  /**
   * `tyneFull`: Tyne's answer over TCP when its UDP answer was truncated;
   * `bindFull`: BIND's answer over TCP when only BIND's UDP answer was.
   */
  compare(bindRaw: Uint8Array, tyneRaw: Uint8Array, tyneFull: Message | null, c: Case, bindFull: Uint8Array | null = null): Verdict {
    const v: Verdict = { same: true, ruleB: false, ruleC: 0, ruleD: false, extra: [], problems: [] };
    let bind = decodeMessage(bindRaw);
    let tyne = decodeMessage(tyneRaw);
    if (!bind.tc && tyne.tc && !c.tcp && tyneFull !== null && !selfCheck && ruleG(bind, tyneFull)) {
      // Rule (g): RFC 9471 §3 says a referral whose in-domain glue does not all fit MUST set TC;
      // BIND 9.18 sends what fits without TC. Tyne's complete (TCP) answer is compared in place of
      // its TC one, with the glue BIND left out added back to BIND's.
      v.extra.push(RULE_G);
      tyne = tyneFull;
    }
    if (this.ruleE && bind.tc && !tyne.tc && !c.tcp && bindFull !== null) {
      // Rule (e): BIND's complete answer does not fit its UDP limit, but does once rule (b) has
      // taken the apex NS (and RRSIGs) out, as Tyne's (which fits) shows. BIND truncates
      // (with DO=1 an authority RRset that does not fit sets TC, RFC 4035 §3.1.1); Tyne, not
      // adding those records, need not. BIND's TCP answer is compared in place of its UDP one.
      const limit = bindUdpLimit(c);
      const full = decodeMessage(bindFull);
      if (!full.tc && bindFull.length > limit && tyneRaw.length <= limit && this.applyRuleB(full)) {
        v.extra.push(RULE_E);
        bind = full;
      }
    }
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
      if (tyneFull !== null && !selfCheck) {
        for (const [name, list, full] of [
          ['answer', tyne.answers, tyneFull.answers], ['authority', tyne.authorities, tyneFull.authorities],
        ] as const) {
          if (!wholeRRsets(list, full)) p.push(`truncated ${name} section holds part of an RRset`);
        }
      }
    } else {
      v.ruleB = this.applyRuleB(bind);
      // Self-check: the peer is named too, and adds the same.
      if (selfCheck) this.applyRuleB(tyne);
      for (const rule of this.rules) {
        if (rule.apply(bind, tyne, c, { bind: bindRaw.length, tyne: tyneRaw.length })) v.extra.push(rule.name);
      }
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
          if (cmpBytes(x.name.wire, y.name.wire) !== 0 && this.wildcardCaseOk(x.name, y.name, tyne) &&
            recordsEqual({ ...x, name: y.name }, y)) {
            v.ruleC++;
            continue;
          }
          p.push(`${name}: record ${i} differs`);
        }
      }
    }
    v.same = p.length === 0 && !v.ruleB && v.ruleC === 0 && !v.ruleD && v.extra.length === 0;
    return v;
  }
}

// ---------------------------------------------------------------- running

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
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

export interface Server {
  port: number;
  stop(): Promise<unknown>;
  describe: string;
}

export interface ServerOptions {
  /** Statements for named's `options { }`. */
  namedOptions: string;
  /** Tyne's `server:` block, as a YAML flow mapping without braces (`udp-payload: 1232, ...`). */
  tyneServer: string;
  /** File name stem for Tyne's config in `tmp` (default tyne). */
  configName?: string;
}

/** Starts named and the peer (Tyne, or a second named for the self-check) on `zones`; both or neither. */
export async function startServers(
  tmp: string, zones: readonly DiffZone[], opts: ServerOptions,
): Promise<{ named: NamedProcess; peer: Server }> {
  const named = await startNamed(zones, { extraOptions: opts.namedOptions });
  try {
    if (selfCheck) {
      const n = await startNamed(zones, { extraOptions: opts.namedOptions });
      return { named, peer: { port: n.port, stop: () => n.stop(), describe: 'named (harness self-check)' } };
    }
    return { named, peer: await startTynePeer(tmp, zones, opts.tyneServer, opts.configName ?? 'tyne') };
  } catch (e) {
    await named.stop();
    throw e;
  }
}

/** `tyne serve` on `zones` with the `server:` lines `tyneServer`, its configuration `<configName>.yaml` in `tmp`. */
export async function startTynePeer(tmp: string, zones: readonly DiffZone[], tyneServer: string, configName: string): Promise<Server> {
  const port = await freePort();
  const yaml = [
    `listen: ["127.0.0.1:${port}"]`,
    'log: { level: info }', // startTyne waits for the info-level "serving" line
    // Journals and served-serial state in the temp folder, not beside the zone files in the checkout.
    `server: { ${[tyneServer, `data-dir: ${JSON.stringify(join(tmp, `${configName}-state`))}`].filter((x) => x.trim() !== '').join(', ')} }`,
    'zones:',
    ...zones.map((z) => `  - { name: ${z.name}, file: ${JSON.stringify(z.file)} }`),
  ].join('\n');
  const conf = join(tmp, `${configName}.yaml`);
  writeFileSync(conf, `${yaml}\n`);
  const t = await startTyne(conf);
  return { port, stop: () => t.stop(), describe: configName === 'tyne' ? 'tyne' : `tyne (${configName})` };
}

/**
 * Sends every UDP case to two servers (one at a time, the same query octets)
 * and returns the cases whose answers are not the same octets, and how many
 * of the answers were truncated (TC). For the two UDP paths of Tyne (issue
 * 16 §2: batched and node:dgram must answer byte for byte alike).
 */
export async function compareUdpOctets(cases: readonly Case[], portA: number, portB: number): Promise<{ compared: number; truncated: number; differ: string[] }> {
  const udpCases = cases.filter((c) => !c.tcp);
  const differ: string[] = [];
  let truncated = 0;
  await mapLimit(udpCases, 24, async (c, i) => {
    const q = buildQuery({ ...c.spec, id: (i * 7919 + 1) & 0xffff });
    const [a, b] = await Promise.all([udp(portA, q), udp(portB, q)]);
    if ((a[2]! & 0x02) !== 0) truncated++;
    if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) {
      differ.push(`${describeSpec(c.spec, false)} [${c.label}]:\n  A ${Buffer.from(a).toString('hex')}\n  B ${Buffer.from(b).toString('hex')}`);
    }
  });
  return { compared: udpCases.length, truncated, differ };
}

export interface DiffResult {
  /** The cases in the order answered: UDP first, then TCP. */
  all: Case[];
  udp: number;
  tcp: number;
  same: number;
  ruleB: number;
  ruleC: number;
  ruleD: number;
  /** Per extra filter rule name: how many answers it applied to. */
  extra: Map<string, number>;
  failures: string[];
  /** Problem kind -> count. */
  kinds: Map<string, number>;
}

/** Sends every case to both servers and compares the answers. */
export async function runDifferential(
  cases: readonly Case[], bindPort: number, peer: Server, comparer: Comparer, extraRuleNames: readonly string[] = [],
): Promise<DiffResult> {
  if (comparer.ruleE) extraRuleNames = [...extraRuleNames, RULE_E];
  extraRuleNames = [...extraRuleNames, RULE_G];
  const udpCases = cases.filter((c) => !c.tcp);
  const tcpCases = cases.filter((c) => c.tcp);
  const all = [...udpCases, ...tcpCases];
  const bindAnswers = new Array<Uint8Array>(all.length);
  const tyneAnswers = new Array<Uint8Array>(all.length);

  await mapLimit(udpCases, 24, async (c, i) => {
    const q = buildQuery({ ...c.spec, id: (i * 7919 + 1) & 0xffff });
    [bindAnswers[i], tyneAnswers[i]] = await Promise.all([udp(bindPort, q), udp(peer.port, q)]);
  });
  // TCP: pipelined batches of up to 100 on one connection per server.
  for (let start = 0; start < tcpCases.length; start += 100) {
    const batch = tcpCases.slice(start, start + 100);
    const qs = batch.map((c, j) => buildQuery({ ...c.spec, id: 40000 + j }));
    const [b, t] = await Promise.all([queryTcp(bindPort, qs, 10_000), queryTcp(peer.port, qs, 10_000)]);
    for (let j = 0; j < batch.length; j++) {
      bindAnswers[udpCases.length + start + j] = b[j]!;
      tyneAnswers[udpCases.length + start + j] = t[j]!;
    }
  }

  // Complete answers (over TCP) of Tyne's truncated UDP answers, to check those hold whole RRsets.
  const truncated = [...all.keys()].filter((i) => !all[i]!.tcp && decodeMessage(tyneAnswers[i]!).tc);
  const full = new Map<number, Message>();
  for (let start = 0; start < truncated.length && start < 2000; start += 100) {
    const batch = truncated.slice(start, start + 100);
    const qs = batch.map((i, j) => buildQuery({ ...all[i]!.spec, id: 50000 + j }));
    const got = await queryTcp(peer.port, qs, 10_000);
    batch.forEach((i, j) => full.set(i, decodeMessage(got[j]!)));
  }
  // For rule (e): BIND's complete answers (over TCP) where only BIND's UDP answer was truncated.
  const bindFull = new Map<number, Uint8Array>();
  if (comparer.ruleE) {
    const onlyBind = [...all.keys()].filter((i) => !all[i]!.tcp && decodeMessage(bindAnswers[i]!).tc && !decodeMessage(tyneAnswers[i]!).tc);
    for (let start = 0; start < onlyBind.length && start < 300; start += 100) {
      const batch = onlyBind.slice(start, start + 100);
      const qs = batch.map((i, j) => buildQuery({ ...all[i]!.spec, id: 50000 + j }));
      const got = await queryTcp(bindPort, qs, 10_000);
      batch.forEach((i, j) => bindFull.set(i, got[j]!));
    }
  }

  const r: DiffResult = {
    all, udp: udpCases.length, tcp: tcpCases.length, same: 0, ruleB: 0, ruleC: 0, ruleD: 0,
    extra: new Map(extraRuleNames.map((n) => [n, 0])), failures: [], kinds: new Map(),
  };
  for (let i = 0; i < all.length; i++) {
    const c = all[i]!;
    const v = comparer.compare(bindAnswers[i]!, tyneAnswers[i]!, full.get(i) ?? null, c, bindFull.get(i) ?? null);
    if (v.same) r.same++;
    if (v.ruleB) r.ruleB++;
    if (v.ruleC > 0) r.ruleC++;
    if (v.ruleD) r.ruleD++;
    for (const n of v.extra) r.extra.set(n, (r.extra.get(n) ?? 0) + 1);
    if (v.problems.length > 0) {
      const kind = v.problems.join('; ');
      r.kinds.set(kind, (r.kinds.get(kind) ?? 0) + 1);
      r.failures.push(
        `### ${describeSpec(c.spec, c.tcp)} [${c.label}]: ${v.problems.join('; ')}\n` +
        `--- BIND:\n${messageToText(decodeMessage(bindAnswers[i]!))}\n--- ${peer.describe}:\n${messageToText(decodeMessage(tyneAnswers[i]!))}\n`,
      );
    }
  }
  return r;
}

/** The one-line summary: `title: N queries (...), ... , K different`. */
export function summaryLine(title: string, r: DiffResult): string {
  const extra = [...r.extra].map(([n, k]) => `${k} by ${n}, `).join('');
  return `${title}: ${r.all.length} queries (${r.udp} UDP, ${r.tcp} TCP), ${r.same} identical, ` +
    `${r.ruleB} filtered by rule (b) apex NS, ${r.ruleC} by rule (c) wildcard case, ${r.ruleD} by rule (d) truncation, ` +
    `${extra}${r.failures.length} different`;
}

/**
 * Fails with the differences grouped by kind and the first 40 in full.
 * TYNE_DIFF_DUMP=FILE writes every difference there (`dumpSuffix` is
 * appended to the file name when given, for tests with several runs).
 */
export function assertSame(r: DiffResult, dumpSuffix = ''): void {
  if (process.env.TYNE_DIFF_DUMP) writeFileSync(process.env.TYNE_DIFF_DUMP + dumpSuffix, r.failures.join('\n'));
  if (r.failures.length === 0) return;
  const shown = r.failures.slice(0, 40).join('\n');
  const byKind = [...r.kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n} x ${k}`).join('\n');
  assert.fail(
    `${r.failures.length} of ${r.all.length} answers differ from BIND's; by kind:\n${byKind}\n\n` +
    `first ${Math.min(40, r.failures.length)}:\n\n${shown}`,
  );
}
