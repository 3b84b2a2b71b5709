/**
 * The small-zones benchmark (issue 14 §5, "measure first"): what it costs
 * to serve many six-record customer zones. For 1, 1,000 and 10,000 zones
 * (`--quick`: 1, 100, 1,000), `c<i>.example.` one file each, the servers
 * run one at a time on 127.0.0.1:
 *
 * - Tyne ns1, the zones read from a zone directory (`serial-policy:
 *   file`, journals and state in a scratch data-dir, log level warn);
 * - Tyne ns2, the same zones as `type: secondary` entries transferred from
 *   that ns1 (both run for this part only): first with no saved copies
 *   (every zone transferred), then stopped and started again to serve its
 *   saved copies, counting the transfers it makes at that restart (issue
 *   14: it must not transfer every zone again at start-up);
 * - Tyne ns1 again with `server.threads: 2` (issue 16 §3: two serving
 *   threads over the zones' images), alone;
 * - NSD (`server-count: 1`) and Knot (one UDP worker) with the same files.
 *
 * For each: the time from spawn until the first zone, the last zone and
 * every zone answer SOA with authority over UDP (bounded at 120 s), and
 * 10 s after that (a secondary's first serial checks at start-up are
 * spread over 5 s, as NSD's and BIND's are: the reading comes after them)
 * the resident memory of the process tree (VmRSS summed;
 * Pss too, which counts pages shared by NSD's forked children once; and
 * VmHWM, the peak), per zone and against NSD and Knot measured in the
 * same run.
 *
 * Then, at the largest count only, the provisioning part
 * (provisioning-bench.ts: edits, drops and a burst in the catalog design,
 * and BIND and Knot as catalog consumers).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { tyneYaml } from '../support/tyne-config.js';
import { startTyne, TYNE_NODE_FLAGS, type TyneProcess } from '../support/tyne-process.js';
import { sleep } from '../support/wait.js';
import { runProvisioningBench } from './provisioning-bench.js';
import { writeZones } from './small-zone-files.js';
import {
  findKnotd,
  findNsd,
  fmtInt,
  hwmKiB,
  knotZonesConf,
  launch,
  nsdZonesConf,
  oneLine,
  processTree,
  pssKiB,
  rssKiB,
  statusKiB,
  stop,
  toolVersion,
  waitUntilZonesAnswer,
  type Running,
  type ZonesAnswering,
} from './bench-servers.js';

/** How long a server may take until every zone answers. */
const START_TIMEOUT_MS = 120_000;
/**
 * The wait after every zone answered, before memory is read (start-up garbage collected, timers settled): the
 * same for every server. A secondary's first serial checks come within 5 s of its copies loading (Tyne's
 * START_JITTER_MS, NSD's and BIND's spread alike), so the reading comes after them.
 */
const SETTLE_MS = 10_000;
/** The issue's start-up goal: 10,000 zones served within 10 s. */
const GOAL_ZONES = 10_000;
const GOAL_MS = 10_000;

const NS1 = 'Tyne ns1 (zone directory)';
const NS2_FIRST = 'Tyne ns2 (first transfer)';
const NS2_SAVED = 'Tyne ns2 (saved copies)';
/** ns1 again with server.threads: 2 (issue 16 §3): two serving threads over the same zones' images. */
const NS1_THREADS = 'Tyne ns1 (2 threads)';
const NSD = 'NSD';
const KNOT = 'Knot';

/** One server's figures at one zone count. */
interface Measure {
  label: string;
  /** How many zones it was asked for (ns2's restart: those with saved copies). */
  zones: number;
  times: ZonesAnswering;
  rssKiB: number;
  pssKiB: number;
  hwmKiB: number;
  procs: number;
  /** A note printed under the table (ns2's restart: the transfers it made). */
  note?: string;
}

/** A loud line when not every zone answered in time (the table then shows '-' for 'all s'). */
function warnIfIncomplete(label: string, times: ZonesAnswering, n: number): void {
  if (times.allMs === null) console.log(`!!!! ${label}: only ${fmtInt(times.answered)} of ${fmtInt(n)} zones answered within ${START_TIMEOUT_MS / 1000} s; gave up !!!!`);
}

/** Waits SETTLE_MS, then reads the memory of `pid`'s process tree. */
async function memoryAfterSettle(pid: number): Promise<Pick<Measure, 'rssKiB' | 'pssKiB' | 'hwmKiB' | 'procs'>> {
  await sleep(SETTLE_MS);
  const pids = processTree(pid);
  return { rssKiB: rssKiB(pids), pssKiB: pssKiB(pids), hwmKiB: hwmKiB(pids), procs: pids.length };
}

/** Runs a server from `launch` until every zone answered and its memory is read; stops it whatever happens. */
async function measureLaunched(label: string, names: string[], start: () => Running): Promise<Measure> {
  const t0 = performance.now();
  const server = start();
  try {
    const times = await waitUntilZonesAnswer(portOf(server), names, t0, () => server.exited(), START_TIMEOUT_MS);
    if (server.exited()) throw new Error(`it exited: ${server.output() || '(no output)'}`);
    warnIfIncomplete(label, times, names.length);
    return { label, zones: names.length, times, ...(await memoryAfterSettle(server.child.pid!)) };
  } catch (e) {
    throw new Error(`${(e as Error).message}; output: ${server.output() || '(none)'}`);
  } finally {
    await stop(server);
  }
}

/** The port a launched server was given (kept beside it, since `launch` knows only a command line). */
const ports = new WeakMap<Running, number>();
function portOf(r: Running): number {
  return ports.get(r)!;
}
function launchOn(port: number, cmd: string, args: string[]): Running {
  const r = launch(cmd, args);
  ports.set(r, port);
  return r;
}

const tyneArgs = (conf: string): string[] => [...TYNE_NODE_FLAGS, resolve(repoRoot, 'bin', 'tyne'), 'serve', '--config', conf];

/** The log lines of ns2's restart, grouped by message (the zone and peer taken out), most frequent first. */
function tally(lines: Record<string, unknown>[]): string {
  const counts = new Map<string, number>();
  for (const l of lines) {
    let msg = typeof l.msg === 'string' ? l.msg.replace(/^transfer of \S+ from \S+: (\w+).*$/, 'transfer of <zone>: $1') : JSON.stringify(l).slice(0, 80);
    if (msg === 'transfer failed') msg += ` (${String(l.code ?? (l.err as { message?: unknown } | undefined)?.message ?? '?')})`;
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([m, c]) => `${fmtInt(c)} x '${m}'`).join(', ') || '(nothing logged)';
}

/** ns1's configuration: the zone directory (`serial-policy: file`, transfers to 127.0.0.1), at level warn; `server` lines added. */
function ns1Yaml(port: number, dataDir: string, zonesDir: string, server: string[] = []): string {
  return tyneYaml({
    listen: [`127.0.0.1:${port}`],
    logLevel: 'warn',
    server: [`data-dir: ${JSON.stringify(dataDir)}`, ...server],
    zoneDirectories: [{ path: zonesDir, allowTransfer: ['127.0.0.1/32'], extra: ['serial-policy: file'] }],
  });
}

/**
 * ns1 from the zone directory, then ns2 transferring from it (first start)
 * and restarted (saved copies). ns1 is measured before ns2 starts; ns2's
 * two starts run while ns1 serves. Everything is stopped before returning.
 */
async function measureTyne(scratch: string, zonesDir: string, names: string[], out: Map<string, Measure>): Promise<void> {
  const n = names.length;
  const ns1Port = await freePort();
  const ns1Conf = join(scratch, 'ns1.yaml');
  writeFileSync(ns1Conf, ns1Yaml(ns1Port, join(scratch, 'ns1-data'), zonesDir));
  const t0 = performance.now();
  const ns1 = launchOn(ns1Port, process.execPath, tyneArgs(ns1Conf));
  let ns2: TyneProcess | undefined;
  try {
    const times = await waitUntilZonesAnswer(ns1Port, names, t0, () => ns1.exited(), START_TIMEOUT_MS);
    warnIfIncomplete(NS1, times, n);
    const mem = await memoryAfterSettle(ns1.child.pid!);
    const anon = statusKiB(processTree(ns1.child.pid!), 'RssAnon');
    out.set(NS1, { label: NS1, zones: n, times, ...mem, note: `${NS1}: RssAnon ${(anon / 1024).toFixed(1)} MiB of the RSS` });
  } catch (e) {
    await stop(ns1);
    console.log(`!!!! FAILED ${NS1}: ${oneLine(`${(e as Error).message}; output: ${ns1.output() || '(none)'}`)} !!!!`);
    console.log(`!!!! SKIP ${NS2_FIRST} and ${NS2_SAVED}: they need ns1 !!!!`);
    return;
  }
  try {
    const ns2Port = await freePort();
    const ns2Conf = join(scratch, 'ns2.yaml');
    mkdirSync(join(scratch, 'ns2-copies'), { recursive: true });
    writeFileSync(
      ns2Conf,
      tyneYaml({
        listen: [`127.0.0.1:${ns2Port}`],
        // info: the transfer lines (`transfer of <zone> from <peer>: AXFR ...`) are what the restart's count is made of.
        logLevel: 'info',
        server: [`data-dir: ${JSON.stringify(join(scratch, 'ns2-data'))}`],
        secondaries: names.map((name) => ({ name: name.replace(/\.$/, ''), primaries: [`127.0.0.1:${ns1Port}`], file: join(scratch, 'ns2-copies', `${name}zone`) })),
      }),
    );
    // The restart is asked only for the zones the first start served: those have saved copies.
    let asked = names;
    for (const label of [NS2_FIRST, NS2_SAVED]) {
      const t = performance.now();
      const spawned: { proc?: TyneProcess } = {};
      // startTyne resolves at the `serving` line; the zones are timed from outside, as for every server.
      const serving = startTyne(ns2Conf, { timeoutMs: START_TIMEOUT_MS, onSpawn: (p) => (spawned.proc = p) });
      let servingMs: number | null = null;
      serving.then(
        () => (servingMs = performance.now() - t),
        () => undefined,
      );
      ns2 = spawned.proc!;
      try {
        if (asked.length === 0) throw new Error('no zone has a saved copy');
        if (asked.length < n) console.log(`!!!! ${label}: only the ${fmtInt(asked.length)} of ${fmtInt(n)} zones the first start served have saved copies; only they are asked, and the memory is for them !!!!`);
        const times = await waitUntilZonesAnswer(ns2Port, asked, t, () => ns2!.child.exitCode !== null || ns2!.child.signalCode !== null, START_TIMEOUT_MS);
        warnIfIncomplete(label, times, asked.length);
        const mem = await memoryAfterSettle(ns2.child.pid!);
        const anon = statusKiB(processTree(ns2.child.pid!), 'RssAnon');
        const lines = ns2.since(0);
        const zoneOf = (l: Record<string, unknown>): string => String(l.zone ?? '').toLowerCase();
        const done = lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('transfer of '));
        const failed = lines.filter((l) => l.msg === 'transfer failed');
        const saved = new Set(lines.filter((l) => l.msg === 'serving saved copy').map(zoneOf));
        const again = done.filter((l) => saved.has(zoneOf(l))).length;
        const servingText = servingMs === null ? 'not yet logged' : `${(servingMs / 1000).toFixed(2)} s`;
        const what = label === NS2_SAVED ? `${fmtInt(saved.size)} saved copies served, ${fmtInt(again)} of them transferred again, ` : '';
        const note =
          `${label}: 'serving' logged after ${servingText}; up to the memory reading ${what}${fmtInt(done.length)} transfers made, ` +
          `${fmtInt(failed.length)} failed; RssAnon ${(anon / 1024).toFixed(1)} MiB; log: ${tally(lines)}`;
        out.set(label, { label, zones: asked.length, times, ...mem, note });
        if (label === NS2_FIRST) asked = times.answeredZones;
      } catch (e) {
        console.log(`!!!! FAILED ${label}: ${oneLine(`${(e as Error).message}; log: ${JSON.stringify(ns2.logs.slice(-3))} ${ns2.stderr()}`)} !!!!`);
        if (label === NS2_FIRST) asked = [];
      } finally {
        await ns2.stop();
        ns2 = undefined;
      }
      if (label === NS2_FIRST) {
        const pids = processTree(ns1.child.pid!);
        const m = out.get(NS1);
        if (m !== undefined) {
          m.note = `${m.note ?? NS1}; after serving ns2's transfers: RSS ${(rssKiB(pids) / 1024).toFixed(1)} MiB, peak ${(hwmKiB(pids) / 1024).toFixed(1)} MiB`;
        }
      }
    }
  } finally {
    await ns2?.stop();
    await stop(ns1);
  }
}

/** ns1's configuration with `threads: 2` (and its own data folder), timed and measured as ns1 is. */
async function measureTyneThreads(scratch: string, zonesDir: string, names: string[], out: Map<string, Measure>): Promise<void> {
  const port = await freePort();
  const conf = join(scratch, 'ns1-threads.yaml');
  writeFileSync(conf, ns1Yaml(port, join(scratch, 'ns1-threads-data'), zonesDir, ['threads: 2']));
  try {
    out.set(NS1_THREADS, await measureLaunched(NS1_THREADS, names, () => launchOn(port, process.execPath, tyneArgs(conf))));
  } catch (e) {
    console.log(`!!!! FAILED ${NS1_THREADS}: ${oneLine((e as Error).message)} !!!!`);
  }
}

export async function runSmallZonesBench(quick: boolean): Promise<void> {
  const counts = quick ? [1, 100, 1_000] : [1, 1_000, 10_000];
  const nsdPath = findNsd();
  const knotdPath = findKnotd();
  const nsdVersion = nsdPath === null ? null : toolVersion('nsd', nsdPath);
  const knotVersion = knotdPath === null ? null : toolVersion('knotd', knotdPath);

  console.log(
    `Small zones (issue 14 §5): ${counts.map(fmtInt).join(', ')} six-record zones c<i>.example. (one file each) served on 127.0.0.1, ` +
      `one server at a time${quick ? ' (--quick: rough numbers only)' : ''}`,
  );
  console.log(
    `node ${process.version}; ${nsdVersion === null ? 'NSD missing' : `NSD ${nsdVersion} (server-count 1)`}; ` +
      `${knotVersion === null ? 'Knot missing' : `Knot ${knotVersion} (1 UDP, 1 TCP, 1 background worker)`}; ${cpus().length} CPUs`,
  );
  console.log(
    `start-up = from spawn until every zone answers SOA with AA over UDP (c0 / last = the first and last zone of the list); ` +
      `memory ${SETTLE_MS / 1000} s after that, summed over the process tree: VmRSS, Pss (shared pages counted once), VmHWM (peak)`,
  );
  console.log(`KiB/zone = RSS / zones; marginal = (RSS - RSS with 1 zone) / (zones - 1), the same server in this run`);
  const load = loadavg()[0]!;
  if (load > 0.5) console.log(`!!!! the 1-minute load average is ${load.toFixed(2)} before the run: start-up times will be noisy !!!!`);
  if (nsdPath === null) console.log('\n!!!! SKIP NSD: nsd is not installed; no ratios against NSD !!!!\n');
  if (knotdPath === null) console.log('\n!!!! SKIP Knot: knotd is not installed; no ratios against Knot !!!!\n');

  const scratch = mkdtempSync(join(tmpdir(), 'tyne-small-zones-bench-'));
  const results = new Map<number, Map<string, Measure>>();
  try {
    for (const n of counts) {
      const runDir = join(scratch, `n${n}`);
      const zones = writeZones(join(runDir, 'zones'), n);
      const names = zones.map((z) => z.name);
      const out = new Map<string, Measure>();
      results.set(n, out);
      console.log('');
      console.log(`${fmtInt(n)} zone(s):`);

      await measureTyne(runDir, join(runDir, 'zones'), names, out);
      await measureTyneThreads(runDir, join(runDir, 'zones'), names, out);

      if (nsdPath !== null) {
        try {
          const port = await freePort();
          const dir = join(runDir, 'nsd');
          mkdirSync(dir);
          writeFileSync(join(dir, 'nsd.conf'), nsdZonesConf(dir, port, zones));
          // -d: in the foreground.
          out.set(NSD, await measureLaunched(NSD, names, () => launchOn(port, nsdPath, ['-d', '-c', join(dir, 'nsd.conf')])));
        } catch (e) {
          console.log(`!!!! FAILED ${NSD}: ${oneLine((e as Error).message)} !!!!`);
        }
      }
      if (knotdPath !== null) {
        try {
          const port = await freePort();
          const dir = join(runDir, 'knot');
          mkdirSync(dir);
          writeFileSync(join(dir, 'knot.conf'), knotZonesConf(dir, port, zones));
          // knotd runs in the foreground unless told -d.
          out.set(KNOT, await measureLaunched(KNOT, names, () => launchOn(port, knotdPath, ['-c', join(dir, 'knot.conf')])));
        } catch (e) {
          console.log(`!!!! FAILED ${KNOT}: ${oneLine((e as Error).message)} !!!!`);
        }
      }
      printTable(out, results.get(1));
      // Zone files of this count are no longer needed; the next count writes its own.
      rmSync(runDir, { recursive: true, force: true });
    }
    printGoal(counts, results);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  // Issue 14 §5's watching and provisioning figures, at the largest count only.
  console.log('');
  await runProvisioningBench(quick);
}

function printTable(out: Map<string, Measure>, one: Map<string, Measure> | undefined): void {
  const s = (ms: number | null): string => (ms === null ? '-' : (ms / 1000).toFixed(2));
  const mib = (k: number): string => (k / 1024).toFixed(1);
  const rows: string[][] = [['server', 'answered', 'c0 s', 'last s', 'all s', 'RSS MiB', 'KiB/zone', 'marginal', 'Pss MiB', 'peak MiB', 'procs']];
  for (const label of [NS1, NS1_THREADS, NS2_FIRST, NS2_SAVED, NSD, KNOT]) {
    const m = out.get(label);
    if (m === undefined) continue;
    const base = one?.get(label);
    const z = m.zones;
    const marginal = z > 1 && base !== undefined ? ((m.rssKiB - base.rssKiB) / (z - 1)).toFixed(2) : '-';
    rows.push([label, `${fmtInt(m.times.answered)}/${fmtInt(z)}`, s(m.times.firstMs), s(m.times.lastMs), s(m.times.allMs), mib(m.rssKiB), (m.rssKiB / z).toFixed(z >= 100 ? 2 : 0), marginal, mib(m.pssKiB), mib(m.hwmKiB), String(m.procs)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`);
  const ratio = (a: string, b: string, what: 'rssKiB' | 'pssKiB'): string => {
    const x = out.get(a)?.[what];
    const y = out.get(b)?.[what];
    return x !== undefined && y !== undefined && y > 0 ? `${(x / y).toFixed(2)}x` : '-';
  };
  const pairs: [string, string, string][] = [
    ['Tyne ns1 / NSD', NS1, NSD],
    ['Tyne ns1 / Knot', NS1, KNOT],
    ['Tyne ns2 / NSD', NS2_SAVED, NSD],
    ['Tyne ns2 / Knot', NS2_SAVED, KNOT],
    ['Tyne ns1 2 threads / 1', NS1_THREADS, NS1],
  ];
  console.log(`  RSS ratios: ${pairs.map(([t, a, b]) => `${t} ${ratio(a, b, 'rssKiB')}`).join(', ')} (ns2: from saved copies; Pss: ${pairs.map(([t, a, b]) => `${t} ${ratio(a, b, 'pssKiB')}`).join(', ')})`);
  for (const label of [NS1, NS2_FIRST, NS2_SAVED]) {
    const note = out.get(label)?.note;
    if (note !== undefined) console.log(`  ${note}`);
  }
}

function printGoal(counts: number[], results: Map<number, Map<string, Measure>>): void {
  const n = counts.at(-1)!;
  const out = results.get(n)!;
  const verdict = (label: string): string => {
    const m = out.get(label);
    const ms = m?.times.allMs;
    if (m === undefined || ms === undefined || ms === null) return 'not measured';
    const part = m.zones < n ? ` for the ${fmtInt(m.zones)} zones with saved copies only` : '';
    return `${(ms / 1000).toFixed(2)} s${part} (${ms <= GOAL_MS ? 'met' : 'NOT met'}${part === '' ? '' : ' for those'})`;
  };
  const caveat = n < GOAL_ZONES ? ` (at ${fmtInt(n)} zones only: the goal is for ${fmtInt(GOAL_ZONES)}; run without --quick)` : '';
  console.log('');
  console.log(`goal: ${fmtInt(GOAL_ZONES)} zones served within ${GOAL_MS / 1000} s of starting${caveat}: ns1 from files ${verdict(NS1)}, ns2 from saved copies ${verdict(NS2_SAVED)}`);
}
