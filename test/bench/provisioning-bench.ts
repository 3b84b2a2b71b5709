/**
 * The provisioning benchmark (issue 14 §5, watching and provisioning): Tyne
 * ns1 serving N six-record zones from a zone directory and generating the
 * catalog `catalog.hosting.example`, Tyne ns2 listing that catalog alone
 * (the shipped design, zones/ns1.yaml and zones/ns2.yaml), N = 10,000
 * (`--quick`: 1,000), on 127.0.0.1. Each step is bounded in time and count:
 *
 * 1. edit: one zone file among N rewritten whole with a higher serial
 *    (written beside it, renamed over it); the time until ns1 serves the new
 *    serial and until ns2 does; 10 edits of different zones;
 * 2. drop: a new zone file written into ns1's folder; the time until ns2
 *    serves it (10 s at most, else counted as failed); 20 drops, one at a
 *    time, each 1.1 s after the previous one was served (catalog versions
 *    come at most once a second);
 * 3. burst: 1,000 new files (`--quick`: 200) written at once; the time until
 *    ns2 serves every one (at most 60 s), the catalog versions ns1 made for
 *    them, and 10 s later the RSS of ns2 and ns1;
 * 4. BIND 9.18 (`catalog-zones`) and Knot 3.2 (`catalog-role: interpret`)
 *    as consumers of a Tyne ns1's catalog, each on its own (ns2 stopped):
 *    their first copy of the N members, then (once the consumer's log has
 *    been quiet for 5 s) 10 drops each, as in 2. A failed drop counts as
 *    never served in the medians. When a
 *    consumer does not serve all N members within CONSUMER_SYNC_MS, the
 *    part is run again at 1,000 members and the output says so.
 *
 * Tyne is spawned with its shebang's node flags (TYNE_NODE_FLAGS), its
 * data-dirs in the scratch folder. Goals are printed beside the figures.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { startKnot, type KnotProcess } from '../support/knotd-process.js';
import { startNamed, type NamedProcess } from '../support/named-process.js';
import { freePort } from '../support/ports.js';
import { haveTool } from '../support/tools.js';
import { tyneYaml } from '../support/tyne-config.js';
import { startTyne, type TyneProcess } from '../support/tyne-process.js';
import { sleep } from '../support/wait.js';
import { decodeMessage } from '../../src/wire/index.js';
import { fmtInt, oneLine, processTree, rssKiB, toolVersion, waitUntilZonesAnswer } from './bench-servers.js';
import { rewriteZone, SMALL_ZONE_SERIAL, smallZoneFile, smallZoneText, writeZones, zoneNames } from './small-zone-files.js';

const CAT = 'catalog.hosting.example';
const EDITS = 10;
const DROPS = 20;
const CONSUMER_DROPS = 10;
/** After a consumer's first copy, the drops wait until its log has been quiet this long (at most CONSUMER_SETTLE_MS). */
const CONSUMER_QUIET_MS = 5_000;
const CONSUMER_SETTLE_MS = 90_000;
/** Catalog versions come at most once a second: each drop is written this long after the previous one was served. */
const DROP_GAP_MS = 1_100;
/** Longest wait for one edit or one drop to be served. */
const STEP_TIMEOUT_MS = 10_000;
const BURST_TIMEOUT_MS = 60_000;
/** The wait after the burst, before the catalog versions are counted and memory is read. */
const BURST_SETTLE_MS = 10_000;
/** Longest wait for ns1's start (every zone loaded, the catalog built), and for ns2's first copy of every member. */
const START_TIMEOUT_MS = 180_000;
/** Longest wait for BIND's or Knot's first copy of every member; past it, the part is run at FALLBACK_MEMBERS. */
const CONSUMER_SYNC_MS = 240_000;
const FALLBACK_MEMBERS = 1_000;
/** Polling of one zone's SOA while an edit or a drop is waited for. */
const POLL_EVERY_MS = 10;
/** The pause between two edits. */
const EDIT_GAP_MS = 300;

/** The goals of issue 14 §5, in ms. */
const GOAL = { editNs1: 1_000, editNs2More: 1_000, dropNs2Median: 1_000, dropConsumerMedian: 3_000, burstAll: 30_000 };

/** The SOA serial `port` answers for `zone` with authority over UDP, or null (no answer, not authoritative, an error). */
async function soaSerial(port: number, zone: string, id: number): Promise<number | null> {
  try {
    const m = decodeMessage(await queryUdp(port, buildQuery({ id, name: zone, type: 6 }), 300));
    const soa = m.answers.find((rr) => rr.type === 6);
    if (m.rcode !== 0 || !m.aa || soa === undefined || soa.rdata.length < 20) return null;
    // The serial is the first of the five 32-bit fields that end SOA rdata (RFC 1035 §3.3.13).
    return new DataView(soa.rdata.buffer, soa.rdata.byteOffset, soa.rdata.byteLength).getUint32(soa.rdata.length - 20);
  } catch {
    return null;
  }
}

let nextId = 1;
/** Polls `port` every POLL_EVERY_MS until it serves `zone` with a serial of at least `serial`; ms after `t0`, or null after `timeoutMs`. */
async function servedAfter(port: number, zone: string, serial: number, t0: number, timeoutMs = STEP_TIMEOUT_MS): Promise<number | null> {
  // Bounded by the clock, and by a count for a clock that misbehaves.
  for (let i = 0; i < timeoutMs; i++) {
    const s = await soaSerial(port, zone, (nextId = (nextId + 1) & 0xffff));
    const now = performance.now();
    if (s !== null && s >= serial) return now - t0;
    if (now - t0 > timeoutMs) return null;
    await sleep(POLL_EVERY_MS);
  }
  return null;
}

/** The sorted values' median, p90 and max (null for none). */
function stats(xs: readonly number[]): { median: number; p90: number; max: number } | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2, p90: at(0.9), max: s.at(-1)! };
}

const ms = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : x === Infinity ? 'never' : `${Math.round(x)} ms`);

/** The drop times with each failed drop counted as never served (Infinity): a median over the served ones alone would hide failures. */
const withFailures = (served: readonly number[], failed: number): number[] => [...served, ...Array<number>(failed).fill(Infinity)];
const secs = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : `${(x / 1000).toFixed(2)} s`);
const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
const verdict = (x: number | null | undefined, goal: number): string => (x === null || x === undefined ? 'not measured' : x <= goal ? 'met' : 'NOT met');

/** The rows of the output table: [what, figures, goal, verdict]. */
type Row = [string, string, string, string];

/** One Tyne daemon of the rig with its port. */
interface Daemon {
  proc: TyneProcess;
  port: number;
}

/** Starts ns1 over `folder`, generating the catalog and notifying `notify`; resolves once the catalog is built, with the ms from spawn. */
async function startNs1(dir: string, folder: string, notify: number[]): Promise<{ ns1: Daemon; ms: number }> {
  const port = await freePort();
  const conf = join(dir, `ns1-${port}.yaml`);
  const targets = notify.map((p) => `127.0.0.1:${p}`);
  writeFileSync(
    conf,
    tyneYaml({
      listen: [`127.0.0.1:${port}`],
      // info: the 'catalog zone updated' lines are what the burst's count of versions is made of.
      logLevel: 'info',
      // The shipped ns1's watch settings (zones/ns1.yaml).
      server: ['watch-settle: 100ms', 'watch-hold: 5s', `data-dir: ${JSON.stringify(join(dir, 'ns1-data'))}`],
      catalogs: [{ name: CAT, notify: targets }],
      zoneDirectories: [{ path: folder, notify: targets, allowTransfer: ['127.0.0.1/32'], extra: [`catalog: ${CAT}`, 'serial-policy: file'] }],
    }),
  );
  const t0 = performance.now();
  const proc = await startTyne(conf, { timeoutMs: START_TIMEOUT_MS });
  try {
    await proc.waitForLog((l) => l.msg === 'catalog zone built', START_TIMEOUT_MS);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return { ns1: { proc, port }, ms: performance.now() - t0 };
}

/** The rig of parts 1 to 3: ns1 and ns2 running, the folder and its zones. */
interface Rig {
  dir: string;
  folder: string;
  ns1: Daemon;
  ns2: Daemon;
}

export async function runProvisioningBench(quick: boolean): Promise<void> {
  const n = quick ? 1_000 : 10_000;
  const burst = quick ? 200 : 1_000;
  const haveBind = haveTool('named');
  const haveKnot = haveTool('knotd');
  console.log(
    `Provisioning (issue 14 §5): Tyne ns1 serving ${fmtInt(n)} six-record zones from a zone directory (serial-policy file, watch-settle 100ms) ` +
      `and generating ${CAT}; Tyne ns2 lists that catalog alone (members: file members/%s.zone)${quick ? ' (--quick: rough numbers only)' : ''}`,
  );
  console.log(
    `node ${process.version}; ${haveBind ? `BIND ${toolVersion('named') ?? '?'}` : 'BIND missing'}; ` +
      `${haveKnot ? `Knot ${toolVersion('knotd') ?? '?'}` : 'Knot missing'}; ${cpus().length} CPUs shared by every server and the pollers`,
  );
  console.log(
    `edit = a zone file rewritten whole with serial+1 (a dotfile beside it, renamed over it); drop = a new zone file written into the folder; ` +
      `served = SOA with AA and that serial over UDP, polled every ${POLL_EVERY_MS} ms from the start of the write`,
  );
  console.log(
    `drops: one at a time, each ${DROP_GAP_MS / 1000} s after the previous one was served, since ns1's catalog versions come at most once a second ` +
      `(a drop sooner would wait for the rest of that second); each given up after ${STEP_TIMEOUT_MS / 1000} s (failed)`,
  );
  const load = loadavg()[0]!;
  if (load > 0.5) console.log(`!!!! the 1-minute load average is ${load.toFixed(2)} before the run: times will be noisy !!!!`);
  if (!haveBind) console.log('!!!! SKIP BIND as a consumer: named is not installed !!!!');
  if (!haveKnot) console.log('!!!! SKIP Knot as a consumer: knotd is not installed !!!!');

  const scratch = mkdtempSync(join(tmpdir(), 'tyne-provisioning-bench-'));
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    let rig: Rig | null = null;
    try {
      rig = await startRig(scratch, n, notes);
      await measureEdits(rig, n, rows, notes);
      await measureDrops(rig, rows, notes);
      await measureBurst(rig, burst, rows, notes);
    } catch (e) {
      console.log(`!!!! FAILED Tyne ns1/ns2 part: ${oneLine((e as Error).message)} !!!!`);
    } finally {
      await rig?.ns2.proc.stop();
      await rig?.ns1.proc.stop();
    }
    for (const kind of ['BIND', 'Knot'] as const) {
      if (!(kind === 'BIND' ? haveBind : haveKnot)) continue;
      try {
        let done = await measureConsumer(scratch, kind, n, rows, notes);
        if (!done && n > FALLBACK_MEMBERS) {
          notes.push(`${kind}: too heavy at ${fmtInt(n)} members (not all served within ${CONSUMER_SYNC_MS / 1000} s); run again at ${fmtInt(FALLBACK_MEMBERS)}`);
          done = await measureConsumer(scratch, kind, FALLBACK_MEMBERS, rows, notes);
        }
        if (!done) notes.push(`${kind}: not all members served in time; no drop measured`);
      } catch (e) {
        console.log(`!!!! FAILED ${kind} as a consumer: ${oneLine((e as Error).message)} !!!!`);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  printTable(rows);
  for (const l of notes) console.log(`  ${l}`);
}

/** ns1 over a folder of `n` zones, then ns2 on the catalog alone, waiting (bounded) until ns2 serves every member. */
async function startRig(scratch: string, n: number, notes: string[]): Promise<Rig> {
  const dir = join(scratch, 'pair');
  const folder = join(dir, 'customers');
  writeZones(folder, n);
  const ns2Port = await freePort();
  const { ns1, ms: ns1Ms } = await startNs1(dir, folder, [ns2Port]);
  const rss1 = rssKiB(processTree(ns1.proc.child.pid!));
  const conf = join(dir, 'ns2.yaml');
  writeFileSync(
    conf,
    tyneYaml({
      listen: [`127.0.0.1:${ns2Port}`],
      logLevel: 'info',
      server: [`data-dir: ${JSON.stringify(join(dir, 'ns2-data'))}`],
      secondaries: [{ name: CAT, primaries: [`127.0.0.1:${ns1.port}`], file: `${CAT}.zone`, extra: ['members:', '  file: members/%s.zone'] }],
    }),
  );
  const t0 = performance.now();
  let proc: TyneProcess;
  try {
    proc = await startTyne(conf, { timeoutMs: START_TIMEOUT_MS });
  } catch (e) {
    await ns1.proc.stop();
    throw e;
  }
  const ns2 = { proc, port: ns2Port };
  const names = zoneNames(n);
  const times = await waitUntilZonesAnswer(ns2Port, names, t0, () => proc.child.exitCode !== null, START_TIMEOUT_MS);
  notes.push(
    `start: ns1 served ${fmtInt(n)} zones and built the catalog ${secs(ns1Ms)} after spawn (RSS then ${mib(rss1)}); ` +
      `ns2, started then with no copies, served all ${fmtInt(times.answered)}/${fmtInt(n)} members after ${secs(times.allMs)}`,
  );
  if (times.allMs === null) console.log(`!!!! ns2 served only ${fmtInt(times.answered)} of ${fmtInt(n)} members within ${START_TIMEOUT_MS / 1000} s; going on !!!!`);
  // Let the first copies' saving and the heap compaction after them settle before the edits.
  await sleep(3_000);
  return { dir, folder, ns1, ns2 };
}

/** Part 1: EDITS zones spread over the N rewritten with serial+1, one after the other. */
async function measureEdits(rig: Rig, n: number, rows: Row[], notes: string[]): Promise<void> {
  const ns1Times: number[] = [];
  const ns2Times: number[] = [];
  const more: number[] = [];
  const each: string[] = [];
  let failed = 0;
  const serial = SMALL_ZONE_SERIAL + 1;
  for (let k = 0; k < EDITS; k++) {
    const i = Math.floor(((k + 0.5) * n) / EDITS);
    const zone = `c${i}.example.`;
    const t0 = performance.now();
    rewriteZone(rig.folder, i, serial);
    const [a, b] = await Promise.all([servedAfter(rig.ns1.port, zone, serial, t0), servedAfter(rig.ns2.port, zone, serial, t0)]);
    each.push(`${ms(a)}/${ms(b)}`);
    if (a === null || b === null) failed++;
    if (a !== null) ns1Times.push(a);
    if (b !== null) ns2Times.push(b);
    if (a !== null && b !== null) more.push(b - a);
    await sleep(EDIT_GAP_MS);
  }
  const s1 = stats(ns1Times);
  const s2 = stats(ns2Times);
  const sm = stats(more);
  const f = failed > 0 ? `, ${failed} not served within ${STEP_TIMEOUT_MS / 1000} s` : '';
  rows.push([`1. edit, ns1 serves it (${EDITS} zones of ${fmtInt(n)})`, `median ${ms(s1?.median)}, max ${ms(s1?.max)}${f}`, '≤ 1 s (max)', verdict(s1?.max, GOAL.editNs1)]);
  rows.push([`   edit, ns2 serves it`, `median ${ms(s2?.median)}, max ${ms(s2?.max)}`, '', '']);
  notes.push(`edits, each (ns1/ns2): ${each.join(', ')}`);
  rows.push([`   edit, ns2 after ns1`, `median ${ms(sm?.median)}, max ${ms(sm?.max)}`, '≤ 1 s more (max)', verdict(sm?.max, GOAL.editNs2More)]);
}

/** Part 2: DROPS new files, one at a time, each waited for on ns2 (and ns1). */
async function measureDrops(rig: Rig, rows: Row[], notes: string[]): Promise<void> {
  const ns1Times: number[] = [];
  const ns2Times: number[] = [];
  const each: string[] = [];
  let failed = 0;
  for (let k = 0; k < DROPS; k++) {
    const zone = `d${k}.example.`;
    const t0 = performance.now();
    writeFileSync(smallZoneFile(rig.folder, k, 'd'), smallZoneText(k, { prefix: 'd' }));
    const [a, b] = await Promise.all([servedAfter(rig.ns1.port, zone, SMALL_ZONE_SERIAL, t0), servedAfter(rig.ns2.port, zone, SMALL_ZONE_SERIAL, t0)]);
    each.push(`${ms(a)}/${ms(b)}`);
    if (a !== null) ns1Times.push(a);
    if (b === null) failed++;
    else ns2Times.push(b);
    await sleep(DROP_GAP_MS);
  }
  const s1 = stats(withFailures(ns1Times, DROPS - ns1Times.length));
  const s2 = stats(withFailures(ns2Times, failed));
  rows.push([`2. drop, ns1 serves it (${DROPS} drops)`, `median ${ms(s1?.median)}, p90 ${ms(s1?.p90)}, max ${ms(s1?.max)}`, '', '']);
  rows.push([
    `   drop, Tyne ns2 serves it`,
    `median ${ms(s2?.median)}, p90 ${ms(s2?.p90)}, max ${ms(s2?.max)}; ${failed} of ${DROPS} failed (counted as never served)`,
    '≤ 1 s median',
    verdict(s2?.median, GOAL.dropNs2Median),
  ]);
  notes.push(`Tyne drops, each (ns1/ns2): ${each.join(', ')}`);
}

/** Part 3: `count` new files written at once; until ns2 serves all; ns1's catalog versions; RSS 10 s later. */
async function measureBurst(rig: Rig, count: number, rows: Row[], notes: string[]): Promise<void> {
  const mark = rig.ns1.proc.mark();
  const wall0 = Date.now();
  const t0 = performance.now();
  for (let k = 0; k < count; k++) writeFileSync(smallZoneFile(rig.folder, k, 'b'), smallZoneText(k, { prefix: 'b' }));
  const writeMs = performance.now() - t0;
  const names = zoneNames(count, 'b');
  const times = await waitUntilZonesAnswer(rig.ns2.port, names, t0, () => rig.ns2.proc.child.exitCode !== null, BURST_TIMEOUT_MS);
  await sleep(BURST_SETTLE_MS);
  const versions = rig.ns1.proc.since(mark, (l) => l.msg === 'catalog zone updated');
  const when = versions.map((l) => `+${((Number(l.time) - wall0) / 1000).toFixed(2)} s (${fmtInt(Number(l.members))} members, +${fmtInt(Number(l.added ?? 0))})`);
  rows.push([
    `3. burst: ${fmtInt(count)} files at once, ns2 serves all`,
    `${secs(times.allMs)} (${fmtInt(times.answered)}/${fmtInt(count)} served; first of the list ${secs(times.firstMs)}, last ${secs(times.lastMs)}; written in ${ms(writeMs)})`,
    '≤ 30 s',
    count < 1_000 ? `${verdict(times.allMs, GOAL.burstAll)} (at ${fmtInt(count)} only)` : verdict(times.allMs, GOAL.burstAll),
  ]);
  rows.push([`   burst: ns1's catalog versions`, `${versions.length} ('catalog zone updated' lines up to ${BURST_SETTLE_MS / 1000} s after)`, '', '']);
  const rss2 = rssKiB(processTree(rig.ns2.proc.child.pid!));
  const rss1 = rssKiB(processTree(rig.ns1.proc.child.pid!));
  const total = `ns1's catalog lists ${fmtInt(countZones(rig))} members`;
  rows.push([`   RSS ${BURST_SETTLE_MS / 1000} s after the burst`, `ns2 ${mib(rss2)}, ns1 ${mib(rss1)} (${total})`, '', '']);
  notes.push(`burst: catalog versions at ${when.join(', ') || '(none)'}`);
  const warned = [rig.ns1, rig.ns2].map((d, i) => ({ who: `ns${i + 1}`, lines: d.proc.since(0, (l) => Number(l.level) >= 40) }));
  for (const { who, lines } of warned) {
    if (lines.length === 0) continue;
    const byMsg = new Map<string, { count: number; first: Record<string, unknown> }>();
    for (const l of lines) {
      const key = String(l.msg).replace(/127\.0\.0\.1:\d+/g, '<peer>').replace(/\b[\w-]+\.example\./g, '<zone>');
      const e = byMsg.get(key) ?? { count: 0, first: l };
      e.count++;
      byMsg.set(key, e);
    }
    const kinds = [...byMsg].map(([m, e]) => `${fmtInt(e.count)} x '${m}' (first: ${JSON.stringify(e.first).slice(0, 300)})`);
    notes.push(`${who} logged ${fmtInt(lines.length)} warning/error line(s) over the whole run: ${kinds.join('; ')}`);
  }
}

/** How many members ns1's last catalog version lists (N, the drops and the burst). */
function countZones(rig: Rig): number {
  return Number(rig.ns1.proc.since(0, (l) => l.msg === 'catalog zone updated' || l.msg === 'catalog zone built').at(-1)?.members ?? 0);
}

/** A consumer started on `port`, reading ns1's catalog at `ns1Port`. */
interface ConsumerProc {
  pid: number;
  exited(): boolean;
  log(): string;
  stop(): Promise<void>;
}

async function startConsumer(kind: 'BIND' | 'Knot', dir: string, port: number, ns1Port: number): Promise<ConsumerProc> {
  if (kind === 'BIND') {
    const zones = join(dir, 'catz-zones');
    mkdirSync(zones, { recursive: true });
    // The kit's catalog consumer settings (test/integration/catalog-interop.test.ts).
    const named: NamedProcess = await startNamed([], {
      port,
      dir,
      timeoutMs: 60_000,
      extraOptions: `  catalog-zones { zone "${CAT}" default-primaries { 127.0.0.1 port ${ns1Port}; } zone-directory "${zones}" in-memory no min-update-interval 1; };`,
      zoneStatements: `zone "${CAT}" { type secondary; primaries { 127.0.0.1 port ${ns1Port}; }; file "catz.db"; };`,
    });
    let gone = false;
    named.child.once('exit', () => (gone = true));
    return { pid: named.child.pid!, exited: () => gone, log: () => named.log(), stop: () => named.stop() };
  }
  const knot: KnotProcess = await startKnot([{ name: CAT, primaries: [{ port: ns1Port }], catalogRole: 'interpret', catalogTemplate: 'tyne-member' }], {
    port,
    dir,
    timeoutMs: 60_000,
    catalogTemplates: [{ id: 'tyne-member', primaries: [{ port: ns1Port }], file: 'members/%s.zone' }],
  });
  return { pid: knot.child.pid!, exited: () => knot.exited(), log: () => knot.log(), stop: () => knot.stop() };
}

/** Waits until `c` has logged nothing for CONSUMER_QUIET_MS; the time that took, or null past CONSUMER_SETTLE_MS. */
async function untilLogQuiet(c: ConsumerProc): Promise<number | null> {
  const t0 = performance.now();
  let size = c.log().length;
  let since = t0;
  while (performance.now() - t0 < CONSUMER_SETTLE_MS && !c.exited()) {
    await sleep(250);
    const now = performance.now();
    const n = c.log().length;
    if (n !== size) {
      size = n;
      since = now;
    } else if (now - since >= CONSUMER_QUIET_MS) {
      return now - t0;
    }
  }
  return null;
}

/**
 * Part 4 for one consumer at `members` zones: a Tyne ns1 of its own over a
 * fresh folder (notifying the consumer alone), the consumer started once
 * the catalog is built, its first copy of every member waited for (bounded);
 * then CONSUMER_DROPS drops. False when the first copy did not complete.
 */
async function measureConsumer(scratch: string, kind: 'BIND' | 'Knot', members: number, rows: Row[], notes: string[]): Promise<boolean> {
  const dir = join(scratch, `${kind.toLowerCase()}-${members}`);
  const folder = join(dir, 'customers');
  writeZones(folder, members);
  const port = await freePort();
  const { ns1 } = await startNs1(dir, folder, [port]);
  let consumer: ConsumerProc | null = null;
  try {
    const t0 = performance.now();
    consumer = await startConsumer(kind, join(dir, kind.toLowerCase()), port, ns1.port);
    const c = consumer;
    const times = await waitUntilZonesAnswer(port, zoneNames(members), t0, () => c.exited(), CONSUMER_SYNC_MS);
    const rss = rssKiB(processTree(c.pid));
    const took = times.allMs === null ? `not complete within ${CONSUMER_SYNC_MS / 1000} s` : `after ${secs(times.allMs)}`;
    notes.push(`${kind} at ${fmtInt(members)} members: first copy of ${fmtInt(times.answered)}/${fmtInt(members)} members ${took}, RSS then ${mib(rss)}`);
    if (times.allMs === null) return false;
    // The drops start on a settled consumer, as an operator's would be: once it has logged nothing for
    // CONSUMER_QUIET_MS (BIND goes on with its members' serial checks for a while after the last copy).
    const quietMs = await untilLogQuiet(c);
    notes.push(`${kind}: its log was quiet for ${CONSUMER_QUIET_MS / 1000} s ${quietMs === null ? `NOT within ${CONSUMER_SETTLE_MS / 1000} s (the drops start anyway)` : `after ${secs(quietMs)} more`}`);
    const got: number[] = [];
    const each: string[] = [];
    let failed = 0;
    for (let k = 0; k < CONSUMER_DROPS; k++) {
      const zone = `d${k}.example.`;
      const mark = c.log().length;
      const t = performance.now();
      writeFileSync(smallZoneFile(folder, k, 'd'), smallZoneText(k, { prefix: 'd' }));
      const took = await servedAfter(port, zone, SMALL_ZONE_SERIAL, t);
      each.push(ms(took));
      if (took === null) failed++;
      else got.push(took);
      if (took === null || took > GOAL.dropConsumerMedian) {
        // What the consumer said meanwhile about the zone and the catalog, for the report.
        const said = c.log().slice(mark).split('\n').filter((l) => l.includes(zone.slice(0, -1)) || l.includes(CAT)).slice(0, 8);
        notes.push(`${kind}: drop of ${zone} ${took === null ? 'not served' : `served after ${ms(took)}`}; it logged: ${said.join(' | ').slice(0, 1500) || '(nothing on it)'}`);
      }
      await sleep(DROP_GAP_MS);
    }
    notes.push(`${kind} drops, each: ${each.join(', ')}`);
    const s = stats(withFailures(got, failed));
    rows.push([
      `4. drop, ${kind} serves it (${CONSUMER_DROPS} drops, ${fmtInt(members)} members)`,
      `median ${ms(s?.median)}, max ${ms(s?.max)}; ${failed} of ${CONSUMER_DROPS} failed (counted as never served)`,
      '≤ 3 s median',
      verdict(s?.median, GOAL.dropConsumerMedian),
    ]);
    if (failed > 0) notes.push(`${kind}: log tail after the drops: ${oneLine(c.log().slice(-1500))}`);
    return true;
  } finally {
    await consumer?.stop();
    await ns1.proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(rows: Row[]): void {
  const head: Row = ['step', 'figures', 'goal', 'verdict'];
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  console.log('');
  for (const r of all) console.log(`  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}`);
}
