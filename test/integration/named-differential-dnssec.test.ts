/**
 * BIND as the oracle for DNSSEC answers (RFC 4035 §3.1, RFC 5155 §7.2):
 * at test time, copies of test/zones/serve/example.com.zone and its hosted
 * child eu.example.com are signed with BIND's own tools (an ECDSAP256SHA256
 * KSK and ZSK per zone, `dnssec-signzone -S`, the child's DS from its dsset
 * file put into the parent), in three variants: NSEC, NSEC3 (salt, no extra
 * iterations) and NSEC3 with opt-out (no salt); the copy of example.com
 * gains an insecure delegation with glue. example.net stays unsigned.
 * Each variant is served by named and by `tyne serve` side by side, and
 * both get the same queries: every owner name (and names below wildcards,
 * delegations and DNAMEs, nonexistent names, a few NSEC3 owner names) ×
 * the types of named-differential.test.ts plus DNSKEY, RRSIG, NSEC, NSEC3,
 * NSEC3PARAM, with DO=1 at EDNS 1232 as written and at 4096 in random letter
 * case; a sample with DO=0 and without EDNS, a sample at 512 octets, one
 * with AD or CD set, and a sample over TCP.
 *
 * The answers are compared as in named-differential.test.ts, with the same
 * rules (b)–(d) (rule (b) takes the RRSIGs of what it removes with it),
 * and one more, filtered and counted:
 *  (e) BIND sets TC on a UDP answer (and sends no records) when the apex
 *      NS RRset and its RRSIG, which it adds to the authority section of
 *      positive answers and rule (b) strips, do not fit: with DO=1 these
 *      RRSIGs make many answers outgrow 1232 octets (the whole RRSIG query
 *      at the apex, a chain of 9 signed CNAMEs, 8 x 100-octet TXT). Tyne
 *      does not add them, so its answer fits and is complete. Allowed only
 *      when BIND's answer over TCP exceeds its UDP limit, Tyne's UDP answer
 *      does not, and BIND's TCP answer after rule (b) is Tyne's answer
 *      (which is then what gets compared).
 * No further deviation from BIND is allowed.
 *
 * TYNE_DIFF_PEER=named runs a second named in Tyne's place (harness
 * self-check). TYNE_DIFF_DUMP=FILE writes every difference to FILE.<variant>.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RRType, compareCanonical, type Name } from '../../src/wire/index.js';
import type { QuerySpec } from '../support/dns-client.js';
import {
  Comparer, RULE_F, assertSame, randomCase, runDifferential, startServers, summaryLine, zoneOwners,
  type Case, type DiffZone, type Server,
} from '../support/differential.js';
import { BELOW_DELEGATIONS, BELOW_WILDCARDS, DIFF_TYPES, NONEXISTENT, UNDER_DNAMES } from '../support/differential-queries.js';
import { Rng } from '../support/rng.js';
import type { NamedProcess } from '../support/named-process.js';
import { repoRoot } from '../support/paths.js';
import { haveTool } from '../support/tools.js';

const SRC_DIR = resolve(repoRoot, 'test', 'zones', 'serve');
const SIGNED = ['eu.example.com', 'example.com']; // the child first: its dsset goes into the parent
const UNSIGNED: DiffZone = { name: 'example.net', file: join(SRC_DIR, 'example.net.zone') };
const IDENTITY = 'ns1.test';
const VERSION = 'tyne-test';
const NAMED_OPTIONS = `version "${VERSION}"; hostname "${IDENTITY}"; server-id "${IDENTITY}";`;
const TYNE_SERVER = `udp-payload: 1232, identity: ${IDENTITY}, version: "${VERSION}"`;

interface Variant {
  name: string;
  /** dnssec-signzone options choosing the denial chain. */
  args: string[];
}

const VARIANTS: Variant[] = [
  { name: 'nsec', args: [] },
  { name: 'nsec3', args: ['-3', 'A1B2C3D4', '-H', '0'] },
  { name: 'nsec3-optout', args: ['-3', '-', '-H', '0', '-A'] },
];

const T = RRType;
const TYPES = [...DIFF_TYPES, T.DNSKEY, T.RRSIG, T.NSEC, T.NSEC3, T.NSEC3PARAM];

/** Names that are not owners in the zones but exercise a rule (those of named-differential.test.ts, and more). */
const EXTRA_NAMES = [
  // nonexistent (and in the unsigned zone)
  ...NONEXISTENT,
  'zzz.example.com', 'aaa.example.com', '0.example.com', 'x.www.eu.example.com',
  // below wildcards, and names the wildcards must not cover
  ...BELOW_WILDCARDS,
  'a.b.any.eu.example.com',
  // below delegations (secure: deleg, eu; insecure: outdeleg, sibling)
  ...BELOW_DELEGATIONS,
  'a.b.outdeleg.example.com', 'www.insec.example.com', 'a.b.insec.example.com',
  // under the DNAMEs (and the occluded name), and a DNAME substitution too long for a name
  ...UNDER_DNAMES,
];

/**
 * Added to the copy of example.com: an insecure delegation (no DS) with
 * in-zone glue, beside the secure deleg. With opt-out its name is not in
 * the NSEC3 chain (RFC 5155 §7.2.7).
 */
const INSECURE_DELEGATION = `
; added by named-differential-dnssec.test.ts
insec.example.com.		NS	ns1.insec.example.com.
insec.example.com.		NS	ns2.insec.example.com.
ns1.insec.example.com.	A	192.0.2.211
ns1.insec.example.com.	AAAA	2001:db8::211
ns2.insec.example.com.	A	192.0.2.212
`;

/** YYYYMMDDHHMMSS (UTC), dnssec-signzone's absolute time form. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}${r.error ?? ''}`);
  return r.stdout;
}

/** Makes a KSK and a ZSK for each signed zone in `keyDir`. */
function makeKeys(keyDir: string): void {
  for (const zone of SIGNED) {
    run('dnssec-keygen', ['-q', '-K', keyDir, '-a', 'ECDSAP256SHA256', '-f', 'KSK', zone], keyDir);
    run('dnssec-keygen', ['-q', '-K', keyDir, '-a', 'ECDSAP256SHA256', zone], keyDir);
  }
}

/**
 * Signs copies of the zones in `dir` for `v`; returns the zones to serve.
 * Signatures are valid from a day ago to 30 days ahead.
 */
function signVariant(v: Variant, keyDir: string, dir: string): DiffZone[] {
  mkdirSync(dir);
  const now = Date.now();
  const window = ['-s', stamp(now - 86_400_000), '-e', stamp(now + 30 * 86_400_000)];
  const zones: DiffZone[] = [];
  for (const zone of SIGNED) {
    const src = join(dir, `${zone}.zone`);
    const out = join(dir, `${zone}.signed`);
    let text = readFileSync(join(SRC_DIR, `${zone}.zone`), 'utf8');
    if (zone === 'example.com') {
      // The hosted child's real DS (from the dsset file written when it was signed) in place of the
      // made-up one. Not -g: that would also drop the DS of deleg, which has no dsset here.
      const dsset = readFileSync(join(dir, 'dsset-eu.example.com.'), 'utf8');
      const lines = text.split('\n');
      const at = lines.findIndex((l) => /^eu\s+DS\s/.test(l));
      if (at < 0) throw new Error('example.com.zone: no DS line for eu');
      lines.splice(at, 1, ...dsset.trim().split('\n'));
      text = lines.join('\n') + INSECURE_DELEGATION;
    }
    writeFileSync(src, text);
    run('dnssec-signzone', ['-q', '-S', '-K', keyDir, '-d', dir, ...window, ...v.args, '-o', zone, '-f', out, src], dir);
    zones.push({ name: zone, file: out });
  }
  return [...zones, UNSIGNED];
}

function buildCases(names: string[], seed: number): Case[] {
  const rnd = new Rng(seed);
  const cases: Case[] = [];
  const doEdns = (udpPayload: number): NonNullable<QuerySpec['edns']> => ({ udpPayload, do: true });
  for (const name of names) {
    for (const type of TYPES) cases.push({ label: 'do', spec: { name, type, edns: doEdns(1232) } });
  }
  // 0x20 casing of every name, DO=1 with a 4096-octet payload.
  for (const name of names) {
    const mixed = randomCase(name, rnd);
    for (const type of TYPES) cases.push({ label: 'do-mixed', spec: { name: mixed, type, edns: doEdns(4096) } });
  }
  // DO=0 (and no EDNS) on every fourth name: no DNSSEC records unless asked for by type.
  names.forEach((name, i) => {
    if (i % 4 !== 0) return;
    for (const type of TYPES) {
      cases.push({ label: 'no-do', spec: { name, type, edns: { udpPayload: 1232 } } });
      if (i % 8 === 0) cases.push({ label: 'no-edns', spec: { name, type } });
    }
  });
  // Small payloads: what gets dropped, and when TC is set.
  const sample = [
    'example.com', 'WWW.example.com', 'big.example.com', 'med.example.com', 'naptr.example.com', 'www.deleg.example.com',
    'nothere.example.com', 'foo.Wild.example.com', 'x.dn.example.com', '_sip._tcp.example.com', 'c1.example.com',
    'eu.example.com', 'x.outdeleg.example.com', 'b.c.ent2.example.com', 'x.wc.example.com', 'www.insec.example.com',
    'x.sibling.example.com', 'insec.example.com', 'deleg.example.com', 'a.b.nothere.example.com',
  ];
  for (const name of sample) {
    for (const type of [T.A, T.TXT, T.NS, T.MX, T.SRV, T.NAPTR, T.SOA, T.DNSKEY, T.DS, T.NSEC]) {
      cases.push({ label: 'do-512', spec: { name, type, edns: doEdns(512) } });
    }
  }
  // The AD and CD bits in queries (RFC 6840 §5.7, §5.9) on the same sample.
  for (const name of sample) {
    for (const type of [T.A, T.SOA, T.DS]) {
      cases.push({ label: 'ad', spec: { name, type, ad: true, edns: doEdns(1232) } });
      cases.push({ label: 'ad-no-do', spec: { name, type, ad: true, edns: { udpPayload: 1232 } } });
      cases.push({ label: 'cd', spec: { name, type, cd: true, edns: doEdns(1232) } });
    }
  }
  // A sample over TCP: every 12th case so far, plus the large answers.
  const tcp: Case[] = [];
  for (let i = 0; i < cases.length; i += 12) tcp.push({ ...cases[i]!, tcp: true });
  for (const name of ['big.example.com', 'med.example.com', 'multi.example.com', 'example.com']) {
    for (const type of [T.TXT, T.DNSKEY, T.NSEC]) {
      tcp.push({ label: 'tcp-big', spec: { name, type, edns: doEdns(512) }, tcp: true });
      tcp.push({ label: 'tcp-big', spec: { name, type, edns: doEdns(1232) }, tcp: true });
    }
  }
  return [...cases, ...tcp];
}

interface Running {
  variant: Variant;
  zones: DiffZone[];
  named: NamedProcess;
  peer: Server;
}

const tools = haveTool('named') && haveTool('dnssec-keygen') && haveTool('dnssec-signzone');

describe('tyne serve answers signed zones as BIND named does', { skip: !tools, concurrency: true }, () => {
  let tmp = '';
  const running = new Map<string, Running>();
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'tyne-diff-dnssec-'));
    const keyDir = join(tmp, 'keys');
    mkdirSync(keyDir);
    makeKeys(keyDir);
    const started = await Promise.allSettled(VARIANTS.map(async (variant) => {
      const zones = signVariant(variant, keyDir, join(tmp, variant.name));
      const { named, peer } = await startServers(tmp, zones, {
        namedOptions: NAMED_OPTIONS, tyneServer: TYNE_SERVER, configName: `tyne-${variant.name}`,
      });
      running.set(variant.name, { variant, zones, named, peer });
    }));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  });
  after(async () => {
    for (const r of running.values()) {
      await r.peer.stop();
      await r.named.stop();
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  for (const variant of VARIANTS) {
    it(`gives the same answers to every query (${variant.name})`, { timeout: 120_000 }, async () => {
      const r = running.get(variant.name)!;
      // NSEC3 owner names are not names of the zone (RFC 5155 §7.2.8): a few of them are asked for as such.
      // dnssec-signzone writes nodes in an order that varies from run to run: sorted, the cases do not.
      const nsec3Owners = zoneOwners(r.zones, (rr) => rr.type === T.NSEC3).sort(compareCanonical);
      const hashed = new Set(nsec3Owners.map((n) => n.key));
      const owners = zoneOwners(r.zones, (rr) => !hashed.has(rr.name.key)).sort(compareCanonical);
      const names: Name[] = [...owners, ...nsec3Owners.slice(0, 3)];
      const comparer = new Comparer({ zones: r.zones, owners: names, ruleE: true, rules: [RULE_F] });
      const cases = buildCases([...names.map((n) => n.toText()), ...EXTRA_NAMES], 0x2020);
      const res = await runDifferential(cases, r.named.port, r.peer, comparer, [RULE_F.name]);
      console.log(summaryLine(`named-differential-dnssec[${variant.name}]`, res));
      assertSame(res, `.${variant.name}`);
    });
  }
});
