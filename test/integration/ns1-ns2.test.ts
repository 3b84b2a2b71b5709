/**
 * The shipped primary/secondary pair (zones/ns1.yaml, zones/ns2.yaml) run
 * as two `tyne serve` processes, on free ports instead of 5300/5301:
 * every zone of ns1 (listed, and the customers' folder) is copied to ns2
 * through ns1's catalog, with no line per zone in ns2.yaml; an edit on ns1 + SIGHUP reaches ns2
 * by NOTIFY + IXFR well within a second; ns2 keeps answering with ns1
 * down, and after a restart answers at once from its saved copies, which
 * are valid zone files equal to what is served.
 *
 * Then a second pair with a zone whose SOA timers are as short as the
 * refresh clamps allow (DEFAULT_CLAMPS: refresh 300 s, retry 500 s, so
 * expire >= 800 s). A running secondary cannot reach EXPIRE within a test
 * (and there is no setting to lower the clamps), so the expire clock is
 * advanced through the saved state instead: the secondary is restarted
 * with `lastRefresh` set so that the copy expires 4 s later (and once
 * with no state file and an old file time), and must then answer
 * SERVFAIL for that zone, keep answering the others, and answer again
 * once the primary is back and a refresh succeeds.
 */
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type Config } from '../../src/config/index.js';
import { loadZoneFile } from '../../src/zone/load-zone.js';
import { loadSaved } from '../../src/xfr/zone-store.js';
import { Name, RRType, Rcode, decodeMessage, emptyMessage, encodeMessageToBytes, typeToText, type Message, type ResourceRecord } from '../../src/wire/index.js';
import { buildQuery, queryTcp, queryUdp } from '../support/dns-client.js';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { sleep, until } from '../support/wait.js';
import { readTransfer } from '../support/tcp-transfer.js';

type Log = Record<string, unknown>;

const zonesDir = join(repoRoot, 'zones');

// --- DNS helpers ----------------------------------------------------------------

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
/** One record as a comparable string (owner case-folded, rdata octets as sent). */
const rrKey = (rr: ResourceRecord): string => `${rr.name.toText().toLowerCase()} ${rr.ttl} ${rr.class} ${typeToText(rr.type)} ${hex(rr.rdata)}`;
const keys = (rrs: readonly ResourceRecord[]): string[] => rrs.map(rrKey).sort();

/** AXFR over TCP with a raw client: every record up to and including the closing SOA. */
async function axfr(port: number, zone: string, timeoutMs = 5000): Promise<ResourceRecord[]> {
  const origin = Name.fromText(zone.endsWith('.') ? zone : `${zone}.`);
  const q = emptyMessage(0x4242);
  q.questions.push({ name: origin, type: RRType.AXFR, class: 1 });
  const t = await readTransfer(port, encodeMessageToBytes(q), { timeoutMs });
  const records = t.messages.flatMap((m) => m.answers);
  if (t.end === 'rcode') throw new Error(`AXFR ${zone}: rcode ${t.messages[t.messages.length - 1]!.rcode}`);
  if (t.end === 'closed') throw new Error(`AXFR ${zone}: connection closed after ${records.length} records`);
  return records;
}

/** The zone's records from an AXFR: the closing SOA dropped. */
const zoneRecords = (xfr: ResourceRecord[]): ResourceRecord[] => xfr.slice(0, -1);

async function soaSerial(port: number, zone: string): Promise<number> {
  const m = decodeMessage(await queryUdp(port, buildQuery({ id: 7, name: zone, type: RRType.SOA }), 2000));
  assert.equal(m.rcode, Rcode.NOERROR, `SOA ${zone} on :${port}`);
  const soa = m.answers.find((r) => r.type === RRType.SOA);
  assert.ok(soa, `SOA ${zone} on :${port}: no SOA in the answer`);
  return Buffer.from(soa.rdata).readUInt32BE(soa.rdata.length - 20);
}

/** A response reduced to what must be equal between ns1 and ns2 (sections as sorted records). */
function shape(m: Message): string {
  return JSON.stringify({ rcode: m.rcode, aa: m.aa, tc: m.tc, an: keys(m.answers), ns: keys(m.authorities), ar: keys(m.additionals) });
}

/** Questions for every owner/type of a zone, one NODATA type per owner, and a name that does not exist. */
function questionsFor(zone: string, records: readonly ResourceRecord[]): { name: string; type: number }[] {
  const seen = new Set<string>();
  const out: { name: string; type: number }[] = [];
  const add = (name: string, type: number): void => {
    const k = `${name.toLowerCase()}/${type}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ name, type });
  };
  for (const rr of records) add(rr.name.toText(), rr.type);
  for (const rr of records) add(rr.name.toText(), RRType.HINFO);
  add(`no-such-name.${zone}.`, RRType.A);
  return out;
}

/** The responses of the server at `port` to `qs`, over one pipelined TCP connection. */
async function answers(port: number, qs: readonly { name: string; type: number }[]): Promise<string[]> {
  const out: string[] = [];
  for (let at = 0; at < qs.length; at += 200) {
    const part = qs.slice(at, at + 200);
    const res = await queryTcp(port, part.map((q, i) => buildQuery({ id: 1000 + at + i, name: q.name, type: q.type })), 5000);
    out.push(...res.map((b) => shape(decodeMessage(b))));
  }
  return out;
}

/** Asserts that the server at `port` gives `expected` (from `answers`) to `qs`, naming the first mismatch. */
async function assertServes(port: number, qs: readonly { name: string; type: number }[], expected: readonly string[], what: string): Promise<void> {
  const got = await answers(port, qs);
  for (let i = 0; i < qs.length; i++) {
    assert.equal(got[i], expected[i], `${what}: ${qs[i]!.name} ${typeToText(qs[i]!.type)}`);
  }
}

/** For AA answers: the answer section holds exactly the zone's RRset (checks ns2's data against the AXFR itself). */
function checkAgainstAxfr(records: readonly ResourceRecord[], qs: readonly { name: string; type: number }[], got: readonly string[], what: string): void {
  const rrsets = new Map<string, string[]>();
  for (const rr of records) {
    const k = `${rr.name.toText().toLowerCase()}/${rr.type}`;
    rrsets.set(k, [...(rrsets.get(k) ?? []), rrKey(rr)]);
  }
  let checked = 0;
  for (let i = 0; i < qs.length; i++) {
    const q = qs[i]!;
    const want = rrsets.get(`${q.name.toLowerCase()}/${q.type}`);
    const s = JSON.parse(got[i]!) as { rcode: number; aa: boolean; an: string[] };
    if (want === undefined || !s.aa) continue; // NODATA probes, referrals and glue
    checked++;
    assert.deepEqual(s.an.filter((k) => k.startsWith(`${q.name.toLowerCase()} `) && k.includes(` ${typeToText(q.type)} `)), [...want].sort(), `${what}: ${q.name} ${typeToText(q.type)}`);
  }
  assert.ok(checked > 0, `${what}: nothing compared`);
}

// --- process helpers ------------------------------------------------------------

/** Polls until `path` exists (a transfer is logged before its copy is saved). */
async function waitForFile(path: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error(`${path} was not written within ${ms} ms`);
    await sleep(10);
  }
}

const transferIn = (zone: string) => (l: Log): boolean =>
  typeof l.msg === 'string' && l.msg.startsWith(`transfer of ${zone}. from `);

// --- the shipped pair -------------------------------------------------------------

/** The zones ns1 lists itself, then those of its customers' folder (zones/customers/). */
const OWN_ZONES = ['hosting.example', '2.0.192.in-addr.arpa'];
const SHIPPED_ZONES = [...OWN_ZONES, 'bakery.example', 'garage.example', 'shop.example'];
const CATALOG = 'catalog.hosting.example';
/** Where ns2 keeps each member's copy (ns2.yaml: data-dir data/ns2, members file members/%s.zone). */
const memberCopy = (dir: string, zone: string): string => join(dir, 'data', 'ns2', 'members', `${zone}.zone`);

/** The parts of a configuration that must survive the copy (ports mapped back, paths relative to the folder). */
function comparable(c: Config, dir: string, ports: Map<number, number>): unknown {
  const port = (p: number): number => ports.get(p) ?? p;
  return {
    listen: c.listen.map((l) => ({ ...l, port: port(l.port) })),
    log: c.log,
    server: { ...c.server, dataDir: c.server.dataDir === null ? null : relative(dir, c.server.dataDir) },
    keys: c.keys,
    zoneDirectories: c.zoneDirectories.map((d) => ({
      ...d,
      path: relative(dir, d.path),
      template: { ...d.template, notify: d.template.notify.map((p) => ({ ...p, port: port(p.port) })) },
    })),
    zones: c.zones.map((z) => ({
      ...z,
      file: relative(dir, z.file),
      notify: z.notify.map((p) => ({ ...p, port: port(p.port) })),
      primaries: z.primaries.map((p) => ({ ...p, port: port(p.port) })),
      members: z.members === null ? null : { ...z.members, file: relative(dir, z.members.file) },
    })),
  };
}

describe('ns1 + ns2 (zones/ns1.yaml, zones/ns2.yaml)', () => {
  let dir = '';
  let port1 = 0;
  let port2 = 0;
  let ns1: TyneProcess | undefined;
  let ns2: TyneProcess | undefined;
  const qs = new Map<string, { name: string; type: number }[]>();
  /** ns1's answers (the reference), per zone. */
  const reference = new Map<string, string[]>();
  /** ns1's AXFR, per zone (closing SOA dropped). */
  const primaryData = new Map<string, ResourceRecord[]>();

  async function snapshotPrimary(zone: string): Promise<void> {
    const recs = zoneRecords(await axfr(port1, zone));
    primaryData.set(zone, recs);
    const q = questionsFor(zone, recs);
    qs.set(zone, q);
    reference.set(zone, await answers(port1, q));
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-ns1-ns2-'));
    port1 = await freePort();
    port2 = await freePort();
    while (port2 === port1) port2 = await freePort();
    for (const f of readdirSync(zonesDir)) if (f.endsWith('.zone')) copyFileSync(join(zonesDir, f), join(dir, f));
    cpSync(join(zonesDir, 'customers'), join(dir, 'customers'), { recursive: true });
    for (const f of ['ns1.yaml', 'ns2.yaml']) {
      const text = readFileSync(join(zonesDir, f), 'utf8');
      writeFileSync(join(dir, f), text.replace(/:5300\b/g, `:${port1}`).replace(/:5301\b/g, `:${port2}`));
    }
    ns1 = await startTyne(join(dir, 'ns1.yaml'));
    ns2 = await startTyne(join(dir, 'ns2.yaml'));
    // ns1 sends NOTIFY at startup (retried), so ns2 does not wait for its start jitter.
    await Promise.all(SHIPPED_ZONES.map((z) => ns2!.waitForLog(transferIn(z), 10_000)));
    for (const z of SHIPPED_ZONES) await waitForFile(`${memberCopy(dir, z)}.state.json`);
  });

  after(async () => {
    try {
      await Promise.allSettled([ns2?.stop(), ns1?.stop()]);
    } finally {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the shipped configurations, only the ports changed', () => {
    const ports = new Map([[port1, 5300], [port2, 5301]]);
    for (const f of ['ns1.yaml', 'ns2.yaml']) {
      const shipped = loadConfig(join(zonesDir, f));
      const copy = loadConfig(join(dir, f));
      assert.deepEqual(comparable(copy, dir, ports), comparable(shipped, zonesDir, ports), f);
    }
    const c1 = loadConfig(join(dir, 'ns1.yaml'));
    const c2 = loadConfig(join(dir, 'ns2.yaml'));
    assert.deepEqual(c1.zones.map((z) => z.name), [CATALOG, ...OWN_ZONES]);
    assert.deepEqual(c1.zoneDirectories.map((d) => relative(dir, d.path)), ['customers']);
    // ns2 lists ns1's catalog alone.
    assert.deepEqual(c2.zones.map((z) => z.name), [CATALOG]);
    assert.ok(c1.zones.every((z) => z.notify.some((p) => p.port === port2)));
    assert.ok(c1.zoneDirectories.every((d) => d.template.notify.some((p) => p.port === port2)));
    assert.ok(c2.zones.every((z) => z.type === 'secondary' && z.members !== null && z.primaries.some((p) => p.port === port1)));
  });

  it('copies every zone of ns1 to ns2: same serial, same data', async () => {
    for (const zone of SHIPPED_ZONES) {
      assert.equal(await soaSerial(port2, zone), await soaSerial(port1, zone), `${zone} serial`);
      await snapshotPrimary(zone);
      const q = qs.get(zone)!;
      const got = await answers(port2, q);
      assert.deepEqual(got, reference.get(zone), `${zone}: ns2 answers as ns1 does`);
      checkAgainstAxfr(primaryData.get(zone)!, q, got, zone);
    }
    // ns1 logged the transfers out, to ns2's address.
    for (const zone of SHIPPED_ZONES) {
      assert.ok(ns1!.logs.some((l) => l.msg === 'transfer out' && l.zone === `${zone}.` && l.peer === '127.0.0.1'), `transfer out of ${zone}`);
    }
  });

  it('an edit on ns1 + SIGHUP reaches ns2 within a second (NOTIFY + IXFR)', async (t) => {
    const file = join(dir, 'hosting.example.zone');
    const old = readFileSync(file, 'utf8');
    const edited = old
      .replace('2026112601 ; serial (YYYYMMDDnn)', '2026112602 ; serial (YYYYMMDDnn)')
      .replace('mail            IN  A     192.0.2.25', 'mail            IN  A     192.0.2.26')
      .concat('edit-check      IN  TXT   "second version"\n');
    assert.notEqual(edited, old);
    assert.match(edited, /2026112602/);
    writeFileSync(file, edited);
    const from1 = ns1!.logs.length;
    const from2 = ns2!.logs.length;
    const probe = buildQuery({ id: 77, name: 'edit-check.hosting.example', type: RRType.TXT });
    const t0 = performance.now();
    ns1!.child.kill('SIGHUP');
    let latency = -1;
    while (performance.now() - t0 < 3000) {
      const m = decodeMessage(await queryUdp(port2, probe, 500));
      if (m.rcode === Rcode.NOERROR && m.answers.length > 0) {
        latency = performance.now() - t0;
        break;
      }
      await sleep(2);
    }
    t.diagnostic(`edit on ns1 -> served by ns2: ${latency.toFixed(1)} ms after SIGHUP`);
    assert.ok(latency >= 0, 'ns2 never served the edit');
    assert.ok(latency < 1000, `ns2 served the edit ${latency.toFixed(0)} ms after the SIGHUP`);
    const line = await ns2!.waitAfter(from2, transferIn('hosting.example'));
    assert.equal(line.kind, 'IXFR', `ns2 took the edit by ${String(line.kind)}`);
    assert.equal(line.to, 2026112602);
    await ns2!.waitAfter(from2, (l) => l.msg === 'notify received' && l.zone === 'hosting.example.');
    assert.equal(await soaSerial(port2, 'hosting.example'), 2026112602);
    const a = decodeMessage(await queryUdp(port2, buildQuery({ id: 78, name: 'mail.hosting.example', type: RRType.A }), 2000));
    assert.deepEqual(a.answers.map((r) => [...r.rdata].join('.')), ['192.0.2.26']);
    // Every name of the edited zone still as ns1 serves it.
    await snapshotPrimary('hosting.example');
    await assertServes(port2, qs.get('hosting.example')!, reference.get('hosting.example')!, 'after the edit');
    // ns1 logs the IXFR out as complete. (Last, so that a failure here does not hide the checks above.)
    await ns1!.waitAfter(from1, (l) => l.msg === 'transfer out' && l.zone === 'hosting.example.' && l.kind === 'IXFR');
  });

  it('with ns1 stopped, ns2 still answers every name', async () => {
    await ns1!.stop();
    await assert.rejects(queryUdp(port1, buildQuery({ id: 5, name: 'hosting.example', type: RRType.SOA }), 300));
    for (const zone of SHIPPED_ZONES) await assertServes(port2, qs.get(zone)!, reference.get(zone)!, `${zone} with ns1 down`);
  });

  it('restarted while ns1 is down, ns2 answers at once from its saved copies', async () => {
    await ns2!.stop();
    ns2 = await startTyne(join(dir, 'ns2.yaml'));
    // Saved copies load in the parse worker after the sockets are bound (issue 12 item 7): each is served once loaded.
    for (const zone of SHIPPED_ZONES) await ns2.waitForLog((l) => l.msg === 'serving saved copy' && l.zone === `${zone}.`, 10_000);
    // No transfer can have happened (ns1 is down).
    for (const zone of SHIPPED_ZONES) await assertServes(port2, qs.get(zone)!, reference.get(zone)!, `${zone} after restart`);
    assert.ok(!ns2.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('transfer of ')), 'no transfer with ns1 down');
  });

  it("ns2's saved files are valid zone files that, with their journal, hold the served data", () => {
    for (const zone of SHIPPED_ZONES) {
      const file = memberCopy(dir, zone);
      const origin = Name.fromText(`${zone}.`);
      const r = loadZoneFile(file, origin);
      assert.deepEqual(r.errors, [], `${file} loads without errors`);
      assert.ok(r.zone !== null);
      // An IXFR is journaled beside the copy and folded into it later (zonefile-sync): the two together are the zone.
      const saved = loadSaved(file, origin);
      assert.deepEqual(saved.errors, [], `${file} and its journal load`);
      assert.equal(saved.copySerial, r.zone.serial);
      assert.deepEqual(keys(saved.zone!.canonicalRecords()), keys(primaryData.get(zone)!), `${file} and its journal hold ns1's data`);
      const state = JSON.parse(readFileSync(`${file}.state.json`, 'utf8')) as { serial: number; primary: string };
      assert.equal(state.serial, saved.zone!.serial);
      assert.equal(state.primary, `127.0.0.1:${port1}`);
    }
  });
});

// --- expiry -------------------------------------------------------------------------

/** SOA timers exactly at DEFAULT_CLAMPS' minimums: refresh 300, retry 500, expire 800 (= refresh + retry). */
const TINY_ZONE = `$ORIGIN tiny.test.
$TTL 60
@    SOA ns1.other.test. hostmaster.other.test. 7 300 500 800 60
@    NS  ns1.other.test.
www  A   192.0.2.7
`;
const OTHER_ZONE = `$ORIGIN other.test.
$TTL 3600
@    SOA ns1 hostmaster 1 7200 3600 1209600 300
@    NS  ns1
ns1  A   192.0.2.53
www  A   192.0.2.80
`;
/** The expire time the secondary uses for tiny.test, in ms (800 s: not clamped further). */
const TINY_EXPIRE_MS = 800_000;

describe('secondary zone expiry (SOA timers as short as the clamps allow)', () => {
  let dir = '';
  let pPort = 0;
  let sPort = 0;
  let primary: TyneProcess | undefined;
  let secondary: TyneProcess | undefined;

  const primaryYaml = (): string => `listen: ["127.0.0.1:${pPort}"]
zones:
  - name: tiny.test
    file: tiny.test.zone
    notify: ["127.0.0.1:${sPort}"]
    allow-transfer: ["127.0.0.1"]
  - name: other.test
    file: other.test.zone
    notify: ["127.0.0.1:${sPort}"]
    allow-transfer: ["127.0.0.1"]
`;
  const secondaryYaml = (): string => `listen: ["127.0.0.1:${sPort}"]
zones:
  - name: tiny.test
    type: secondary
    primaries: ["127.0.0.1:${pPort}"]
    file: data/tiny.test.zone
  - name: other.test
    type: secondary
    primaries: ["127.0.0.1:${pPort}"]
    file: data/other.test.zone
`;
  const ask = async (name: string): Promise<Message> =>
    decodeMessage(await queryUdp(sPort, buildQuery({ id: 9, name, type: RRType.A }), 2000));
  const tinyFile = (): string => join(dir, 'data', 'tiny.test.zone');
  const expiredLine = (l: Log): boolean => typeof l.msg === 'string' && l.msg.startsWith('zone tiny.test. expired');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tyne-expiry-'));
    pPort = await freePort();
    sPort = await freePort();
    while (sPort === pPort) sPort = await freePort();
    writeFileSync(join(dir, 'tiny.test.zone'), TINY_ZONE);
    writeFileSync(join(dir, 'other.test.zone'), OTHER_ZONE);
    writeFileSync(join(dir, 'primary.yaml'), primaryYaml());
    writeFileSync(join(dir, 'secondary.yaml'), secondaryYaml());
    primary = await startTyne(join(dir, 'primary.yaml'));
    secondary = await startTyne(join(dir, 'secondary.yaml'));
    await Promise.all(['tiny.test', 'other.test'].map((z) => secondary!.waitForLog(transferIn(z), 10_000)));
    for (const z of ['tiny.test', 'other.test']) await waitForFile(join(dir, 'data', `${z}.zone.state.json`));
  });

  after(async () => {
    try {
      await Promise.allSettled([secondary?.stop(), primary?.stop()]);
    } finally {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    }
  });

  it('expires with the primary down (SERVFAIL, other zones still served) and comes back after a refresh', async () => {
    assert.equal((await ask('www.tiny.test')).rcode, Rcode.NOERROR);
    const state = JSON.parse(readFileSync(`${tinyFile()}.state.json`, 'utf8')) as { lastRefresh: number; expiresAt: number };
    assert.equal(state.expiresAt - state.lastRefresh, TINY_EXPIRE_MS, 'expire as clamped: 800 s');
    await primary!.stop();
    await secondary!.stop();
    // 800 s is the shortest expire the clamps allow: move the last refresh back so 4 s are left.
    const lastRefresh = Date.now() - TINY_EXPIRE_MS + 4000;
    writeFileSync(`${tinyFile()}.state.json`, JSON.stringify({ ...state, lastRefresh, expiresAt: lastRefresh + TINY_EXPIRE_MS }));
    secondary = await startTyne(join(dir, 'secondary.yaml'));
    await secondary.waitForLog((l) => l.msg === 'serving saved copy' && l.zone === 'tiny.test.', 8000);
    assert.equal((await ask('www.tiny.test')).rcode, Rcode.NOERROR, 'served from the saved copy until it expires');
    await secondary.waitForLog(expiredLine, 8000);
    const gone = await ask('www.tiny.test');
    assert.equal(gone.rcode, Rcode.SERVFAIL, 'an expired zone answers SERVFAIL');
    assert.equal(gone.aa, false);
    const soa = decodeMessage(await queryUdp(sPort, buildQuery({ id: 10, name: 'tiny.test', type: RRType.SOA }), 2000));
    assert.equal(soa.rcode, Rcode.SERVFAIL);
    const other = await ask('www.other.test');
    assert.equal(other.rcode, Rcode.NOERROR, 'the other zone is still served');
    assert.equal(other.aa, true);
    assert.deepEqual(other.answers.map((r) => [...r.rdata].join('.')), ['192.0.2.80']);

    // The primary comes back: its startup NOTIFY makes the secondary refresh (same serial: up to date).
    const from = secondary.logs.length;
    primary = await startTyne(join(dir, 'primary.yaml'));
    const changed = await secondary.waitAfter(from, (l) => l.msg === 'secondary zone changed' && l.zone === 'tiny.test.', 8000);
    assert.match(String(changed.reason), /after expiry/);
    const back = await ask('www.tiny.test');
    assert.equal(back.rcode, Rcode.NOERROR);
    assert.equal(back.aa, true);
    assert.deepEqual(back.answers.map((r) => [...r.rdata].join('.')), ['192.0.2.7']);
    // The state is saved just after the zone comes back: poll for it.
    const end = Date.now() + 3000;
    let saved = lastRefresh;
    while (saved === lastRefresh && Date.now() < end) {
      await sleep(10);
      saved = (JSON.parse(readFileSync(`${tinyFile()}.state.json`, 'utf8')) as { lastRefresh: number }).lastRefresh;
    }
    assert.ok(saved > lastRefresh, 'the refresh restarted the expire clock (state file)');
  });

  it('a saved copy older than EXPIRE (no state file: the file time counts) is not served after a restart', async () => {
    await primary!.stop();
    await secondary!.stop();
    unlinkSync(`${tinyFile()}.state.json`);
    const old = (Date.now() - TINY_EXPIRE_MS - 60_000) / 1000;
    utimesSync(tinyFile(), old, old);
    secondary = await startTyne(join(dir, 'secondary.yaml'));
    await secondary.waitForLog(expiredLine, 8000);
    assert.equal((await ask('www.tiny.test')).rcode, Rcode.SERVFAIL, 'expired on load: SERVFAIL at once');
    // Saved copies load after the sockets are bound (in the parse worker), each on its own: wait for the other one.
    await secondary.waitForLog((l) => l.msg === 'serving saved copy' && l.zone === 'other.test.', 8000);
    // What is served is rebuilt at most every 20 ms: a change right after another one is served that much later.
    await until('other.test is served', async () => (await ask('www.other.test')).rcode === Rcode.NOERROR, { timeoutMs: 2000, everyMs: 10 });
    assert.ok(existsSync(tinyFile()) && statSync(tinyFile()).mtimeMs < Date.now() - TINY_EXPIRE_MS, 'the old copy is kept (as the IXFR base)');
    const from = secondary.logs.length;
    primary = await startTyne(join(dir, 'primary.yaml'));
    await secondary.waitAfter(from, (l) => l.msg === 'secondary zone changed' && l.zone === 'tiny.test.', 8000);
    await until('tiny.test is served again', async () => (await ask('www.tiny.test')).rcode === Rcode.NOERROR, { timeoutMs: 2000, everyMs: 10 });
  });
});
