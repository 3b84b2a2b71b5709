/**
 * The transfer benchmark: a full AXFR of the benchmark zone (1,000,000
 * hosts, 1,333,339 records; --quick: 100,000 hosts) out of BIND, NSD and
 * Tyne, one server at a time on 127.0.0.1, each timed with
 * `dig +noall +stats axfr` (median of 3 runs; 1 with --quick), with the
 * size dig reports (records, messages, bytes), the server's CPU seconds
 * per transfer and its peak memory (VmHWM). Then Tyne as a secondary:
 * a Tyne secondary whose first refresh failed (its primary was not up yet)
 * gets a NOTIFY once a Tyne primary is up; timed from the NOTIFY to the
 * secondary's "transfer of ..." log line, after which the secondary must
 * answer for the last host of the zone. Last, one record of the zone is
 * changed in the primary's file and a NOTIFY makes the secondary (holding
 * the whole zone) fetch it by IXFR. Through both transfers a UDP prober
 * asks the secondary for a name every millisecond; its latencies and the
 * longest gap between answers are printed against the same prober's with
 * no transfer going on. `secondaryOnly` (--secondary-only) skips the AXFRs
 * out of BIND, NSD and Tyne.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { UdpProber, probeText, type ProbeStats } from '../support/udp-prober.js';
import { sleep } from '../support/wait.js';
import { Name, decodeMessage, emptyMessage, encodeMessageToBytes, rcodeToText, rdataToText } from '../../src/wire/index.js';
import {
  CLK_TCK,
  cpuTicks,
  findNsd,
  fmtInt,
  hwmKiB,
  launch,
  neededToolVersion,
  nsdConf,
  oneLine,
  processTree,
  rssKiB,
  stop,
  toolVersion,
  waitUntilAnswering,
  type Running,
} from './bench-servers.js';
import { BENCH_ORIGIN, HOSTS, writeBenchZone } from './zone-generator.js';

const QUICK_HOSTS = 100_000;
const ZONE = BENCH_ORIGIN.replace(/\.$/, '');
/** Longest wait for one AXFR by dig, and for the secondary's transfer. */
const XFR_TIMEOUT_MS = 300_000;
/** Longest wait for a server to load the zone and answer its SOA. */
const LOAD_TIMEOUT_MS = 180_000;

type TimerBox = { t: ReturnType<typeof setTimeout> | undefined };

interface XfrRun {
  /** Wall seconds of the dig process (start to exit). */
  wallS: number;
  /** dig's own ";; Query time". */
  queryMs: number | null;
  records: number;
  messages: number;
  bytes: number;
  /** Server CPU seconds (process tree) during this run. */
  cpuS: number;
  /** dig's CPU seconds. */
  digCpuS: number;
}

interface ServerResult {
  label: string;
  loadS: number;
  runs: XfrRun[];
  median: XfrRun;
  hwmMiB: number;
  rssMiB: number;
  procs: number;
}

interface Contender {
  label: string;
  start(port: number): Running;
}

export async function runTransferBench(quick: boolean, secondaryOnly = false): Promise<void> {
  const hosts = quick ? QUICK_HOSTS : HOSTS;
  const runs = quick ? 1 : 3;

  const digVersion = neededToolVersion('dig', 'transfer benchmark');
  if (digVersion === null) return;
  const namedVersion = toolVersion('named');
  const nsdPath = findNsd();

  const dir = mkdtempSync(join(tmpdir(), 'tyne-xfr-bench-'));
  const running: Running[] = [];
  try {
    const zonePath = join(dir, 'bench.zone');
    const records = writeBenchZone(zonePath, hosts);
    console.log(
      `Transfer benchmark: AXFR of ${BENCH_ORIGIN} (${hosts.toLocaleString('en-US')} hosts, ${records.toLocaleString('en-US')} records) ` +
        `over TCP on 127.0.0.1, timed with dig ${digVersion} +noall +stats axfr (kdig is not used)`,
    );
    console.log(
      `per server: load the zone, then ${runs} transfer${runs === 1 ? '' : 's'}${runs > 1 ? ', median by wall time' : ''}` +
        `${quick ? ' (--quick: rough numbers only)' : ''}; servers run one at a time; ${cpus().length} CPUs shared by dig and the server; node ${process.version}`,
    );
    console.log(
      'xfr s = wall seconds of the dig process; CPU s = user+system seconds of the server (process and descendants) during that transfer; ' +
        'peak RSS = VmHWM summed over the server processes after the transfers (includes loading the zone)',
    );
    const load = loadavg()[0]!;
    if (load > 0.5) console.log(`!!!! the 1-minute load average is ${load.toFixed(2)} before the run: numbers may be noisy !!!!`);
    if (namedVersion === null) console.log('\n!!!! SKIP BIND: named is not installed; no ratios against BIND !!!!\n');
    if (nsdPath === null) console.log('\n!!!! SKIP NSD: nsd is not installed !!!!\n');
    console.log('');

    const contenders: Contender[] = [];
    if (secondaryOnly) console.log('--secondary-only: no AXFR out of BIND, NSD or Tyne, only Tyne as a secondary\n');
    else {
      if (namedVersion !== null) contenders.push(bindContender(`bind ${namedVersion.replace(/-.*/, '')}`, dir, zonePath));
      if (nsdPath !== null) contenders.push(nsdContender(nsdPath, dir, zonePath));
      contenders.push(tyneContender(dir, zonePath));
    }

    const results = new Map<string, ServerResult>();
    for (const c of contenders) {
      const port = await freePort();
      const started = Date.now();
      const server = c.start(port);
      running.push(server);
      try {
        await waitForZone(port, server, LOAD_TIMEOUT_MS);
      } catch (e) {
        console.log(`!!!! SKIP ${c.label}: ${oneLine((e as Error).message)} !!!!`);
        await stop(server);
        continue;
      }
      const loadS = (Date.now() - started) / 1000;
      try {
        const done: XfrRun[] = [];
        for (let i = 0; i < runs; i++) {
          const pid = server.child.pid!;
          const before = cpuTicks(processTree(pid));
          const run = await digAxfr(port);
          const cpuS = (cpuTicks(processTree(pid)) - before) / CLK_TCK;
          done.push({ ...run, cpuS });
          if (run.records !== records + 1) {
            throw new Error(`dig got ${run.records} records, expected ${records + 1} (the SOA comes twice)`);
          }
          if (server.exited()) throw new Error(`the server exited during the transfer: ${server.output()}`);
        }
        const pids = processTree(server.child.pid!);
        const sorted = [...done].sort((a, b) => a.wallS - b.wallS);
        const r: ServerResult = {
          label: c.label,
          loadS,
          runs: done,
          median: sorted[Math.floor(sorted.length / 2)]!,
          hwmMiB: hwmKiB(pids) / 1024,
          rssMiB: rssKiB(pids) / 1024,
          procs: pids.length,
        };
        results.set(c.label, r);
        console.log(`  measured ${c.label}: ${done.map((d) => d.wallS.toFixed(2)).join(' / ')} s`);
      } catch (e) {
        console.log(`!!!! FAILED ${c.label}: ${oneLine((e as Error).message)} !!!!`);
      } finally {
        await stop(server);
      }
    }

    let secondary: SecondaryResult | null = null;
    try {
      secondary = await secondaryBench(dir, zonePath, hosts, records, running);
    } catch (e) {
      console.log(`!!!! FAILED tyne secondary: ${oneLine((e as Error).message)} !!!!`);
    }

    if (contenders.length > 0) {
      console.log('');
      printTable(contenders.map((c) => c.label), results);
      console.log('');
      printRatios(contenders, results);
    }
    if (secondary !== null) {
      console.log('');
      printSecondary(secondary, results.get('tyne')?.median.wallS);
    }
  } finally {
    for (const r of running) await stop(r);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- servers

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function bindContender(label: string, dir: string, zonePath: string): Contender {
  return {
    label,
    start(port) {
      const bdir = join(dir, 'bind');
      mkdirSync(bdir, { recursive: true });
      const conf = join(bdir, 'named.conf');
      writeFileSync(
        conf,
        [
          'options {',
          `  directory ${quote(bdir)};`,
          `  listen-on port ${port} { 127.0.0.1; };`,
          '  listen-on-v6 { none; };',
          '  recursion no;',
          `  pid-file ${quote(join(bdir, 'named.pid'))};`,
          `  session-keyfile ${quote(join(bdir, 'session.key'))};`,
          `  managed-keys-directory ${quote(bdir)};`,
          '  dnssec-validation no;',
          '  notify no;',
          '  allow-transfer { any; };',
          '};',
          // No rndc control channel: nothing else listens.
          'controls { };',
          `zone ${quote(ZONE)} { type primary; file ${quote(zonePath)}; };`,
          '',
        ].join('\n'),
      );
      return launch('named', ['-g', '-c', conf]);
    },
  };
}

function nsdContender(nsdPath: string, dir: string, zonePath: string): Contender {
  return {
    label: 'nsd (server-count 1)',
    start(port) {
      const ndir = join(dir, 'nsd');
      mkdirSync(ndir, { recursive: true });
      const conf = join(ndir, 'nsd.conf');
      writeFileSync(conf, nsdConf(ndir, port, zonePath, ['provide-xfr: 127.0.0.1 NOKEY']));
      return launch(nsdPath, ['-d', '-c', conf]);
    },
  };
}

function tyneConfPrimary(port: number, zonePath: string, level = 'warn'): string {
  return [
    `listen: ["127.0.0.1:${port}"]`,
    `log: { level: ${level} }`,
    'zones:',
    `  - name: ${ZONE}`,
    `    file: ${JSON.stringify(zonePath)}`,
    '    allow-transfer: ["127.0.0.1/32"]',
    '',
  ].join('\n');
}

function launchTyne(conf: string): Running {
  return launch(process.execPath, [resolve(repoRoot, 'bin', 'tyne'), 'serve', '--config', conf]);
}

function tyneContender(dir: string, zonePath: string): Contender {
  return {
    label: 'tyne',
    start(port) {
      const conf = join(dir, 'tyne-primary.yaml');
      writeFileSync(conf, tyneConfPrimary(port, zonePath));
      return launchTyne(conf);
    },
  };
}

/** Polls SOA of the zone every 200 ms until an authoritative NOERROR answer with the SOA comes back. */
async function waitForZone(port: number, server: Running, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (let id = 0x2000; Date.now() < deadline; id = (id + 1) & 0xffff) {
    if (server.exited()) throw new Error(`it exited before answering: ${server.output() || '(no output)'}`);
    try {
      const m = decodeMessage(await queryUdp(port, buildQuery({ id, name: BENCH_ORIGIN, type: 6 }), 500));
      if (m.rcode === 0 && m.aa && m.answers.some((rr) => rr.type === 6)) return;
      last = `rcode ${rcodeToText(m.rcode)}, ${m.answers.length} answers`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`the zone did not answer SOA on 127.0.0.1:${port} within ${timeoutMs / 1000} s (${last}): ${server.output() || '(no output)'}`);
}

// ---------------------------------------------------------------- dig

async function digAxfr(port: number): Promise<Omit<XfrRun, 'cpuS'>> {
  const args = ['+noall', '+stats', '+time=30', '+tries=1', 'axfr', ZONE, '@127.0.0.1', '-p', String(port)];
  const t0 = process.hrtime.bigint();
  const child = spawn('dig', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-65536)));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-65536)));
  let digTicks = 0;
  // dig's own CPU time: sampled while it runs (it is a zombie, unreadable, once it exits).
  const sampler = setInterval(() => {
    if (child.pid !== undefined) digTicks = Math.max(digTicks, cpuTicks([child.pid]));
  }, 50);
  const killer = setTimeout(() => child.kill('SIGKILL'), XFR_TIMEOUT_MS);
  try {
    const code = await new Promise<number | null>((res, rej) => {
      child.once('error', rej);
      child.once('exit', res);
    });
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    if (code !== 0) throw new Error(`dig exited with ${code}: ${out.slice(-2000)}`);
    const size = /XFR size:\s+(\d+) records \(messages (\d+), bytes (\d+)\)/.exec(out);
    if (size === null) throw new Error(`dig printed no XFR size line (transfer refused or failed?): ${out.slice(-2000)}`);
    const q = /Query time:\s+(\d+) msec/.exec(out);
    return {
      wallS,
      queryMs: q === null ? null : Number(q[1]),
      records: Number(size[1]),
      messages: Number(size[2]),
      bytes: Number(size[3]),
      digCpuS: digTicks / CLK_TCK,
    };
  } finally {
    clearInterval(sampler);
    clearTimeout(killer);
  }
}

// ---------------------------------------------------------------- Tyne as a secondary

interface SecondaryResult {
  /** From sending the NOTIFY to the "transfer of" log line. */
  notifyToLogS: number;
  /** The log line's own figures. */
  logged: Record<string, unknown>;
  /** The first refresh had failed before the NOTIFY (so the NOTIFY started the transfer). */
  cleanStart: boolean;
  lateHost: string;
  lateAnswer: string;
  /** Secondary memory after the transfer: current and peak; and CPU seconds during it. */
  rssMiB: number;
  hwmMiB: number;
  secondaryCpuS: number;
  primaryCpuS: number;
  /** The prober's figures at the secondary during the AXFR (NOTIFY to swap) and while it saved its copy. */
  axfrProbe: ProbeStats;
  axfrSaveProbe: ProbeStats;
  saveAfterAxfrS: number;
  /** The one-record IXFR into the secondary holding the whole zone, or why it was not measured. */
  ixfr: IxfrResult | string;
}

interface IxfrResult {
  /** The same prober for REFERENCE_MS with no transfer going on. */
  reference: ProbeStats;
  /** NOTIFY to the swap (SOA query, IXFR, apply), swap to the change saved (journaled), and the two together. */
  transfer: ProbeStats;
  save: ProbeStats;
  whole: ProbeStats;
  /** REFERENCE_MS from the NOTIFY (the window the goal is judged on: as long as the reference, the whole IXFR inside). */
  window: ProbeStats;
  /** While the whole copy was rewritten, SYNC_MS later (zonefile-sync). */
  rewrite: ProbeStats;
  rewriteMs: number;
  /** The secondary's "transfer of" line. */
  logged: Record<string, unknown>;
  notifyToSwapMs: number;
  swapToSavedMs: number;
  /** The primary's reload of the edited file (its own figure), before the NOTIFY. */
  primaryReloadMs: number | null;
  fromSerial: number;
  toSerial: number;
  rssMiB: number;
  answer: string;
}

/** The secondary's zonefile-sync in this bench: the whole-copy rewrite after the IXFR comes this long after it. */
const SYNC_MS = 4_000;

/** Query interval of the prober (the issue asks for one at least every 2 ms). */
const PROBE_EVERY_MS = 1;
/** Length of the reference window (no transfer). */
const REFERENCE_MS = 2_000;
/** Goals for the one-record IXFR into the 1.33M-record secondary. */
const IXFR_GOAL_P99_MS = 5;
const IXFR_GOAL_MAX_MS = 50;

type LogPred = (o: Record<string, unknown>) => boolean;

interface LogLines {
  /** The first line (seen so far or to come) for which `pred` holds; null after `timeoutMs`. */
  wait(pred: LogPred, timeoutMs: number): Promise<Record<string, unknown> | null>;
  /** A mark: the number of lines seen so far. */
  mark(): number;
  /** As `wait`, for the lines from `mark` on. */
  waitAfter(mark: number, pred: LogPred, timeoutMs: number): Promise<Record<string, unknown> | null>;
}

/** Splits a child's stdout into lines, parsed as JSON where they are. */
function watchLines(r: Running): LogLines {
  const seen: Record<string, unknown>[] = [];
  const waiters: { pred: LogPred; done: (o: Record<string, unknown>) => void }[] = [];
  let buf = '';
  r.child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      seen.push(o);
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i]!.pred(o)) waiters.splice(i, 1)[0]!.done(o);
      }
    }
  });
  const waitAfter = (mark: number, pred: LogPred, timeoutMs: number): Promise<Record<string, unknown> | null> => {
    const hit = seen.slice(mark).find(pred);
    if (hit !== undefined) return Promise.resolve(hit);
    return new Promise((res) => {
      const box: TimerBox = { t: undefined };
      const w = {
        pred,
        done: (o: Record<string, unknown>) => {
          clearTimeout(box.t);
          res(o);
        },
      };
      waiters.push(w);
      box.t = setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        res(null);
      }, timeoutMs);
    });
  };
  return { wait: (pred, timeoutMs) => waitAfter(0, pred, timeoutMs), mark: () => seen.length, waitAfter };
}

const msgStarts = (prefix: string) => (o: Record<string, unknown>) => typeof o.msg === 'string' && o.msg.startsWith(prefix);

/** A log line's own time (pino's epoch ms) on this process's performance.now() clock. */
const loggedAt = (o: Record<string, unknown>): number => Number(o.time) - performance.timeOrigin;

/** Polls the secondary's state file (written after its zone file) until it names `serial`; the performance.now() time then. */
async function savedAt(file: string, serial: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if ((JSON.parse(readFileSync(`${file}.state.json`, 'utf8')) as { serial?: unknown }).serial === serial) return performance.now();
    } catch {
      /* not there yet, or being replaced */
    }
    await sleep(5);
  }
  throw new Error(`the secondary did not save serial ${serial} to ${file} within ${timeoutMs / 1000} s`);
}

async function secondaryBench(dir: string, zonePath: string, hosts: number, records: number, running: Running[]): Promise<SecondaryResult> {
  const primaryPort = await freePort();
  let secondaryPort = await freePort();
  for (let i = 0; i < 10 && secondaryPort === primaryPort; i++) secondaryPort = await freePort();
  const sdir = join(dir, 'secondary');
  mkdirSync(sdir, { recursive: true });
  const savedFile = join(sdir, 'bench.zone');
  const secConf = join(dir, 'tyne-secondary.yaml');
  writeFileSync(
    secConf,
    [
      `listen: ["127.0.0.1:${secondaryPort}"]`,
      'log: { level: info }',
      // An IXFR is journaled at once; the whole copy is rewritten this long after (measured on its own below).
      `server: { zonefile-sync: ${SYNC_MS}ms }`,
      'zones:',
      `  - name: ${ZONE}`,
      '    type: secondary',
      `    primaries: ["127.0.0.1:${primaryPort}"]`,
      `    file: ${JSON.stringify(savedFile)}`,
      '',
    ].join('\n'),
  );
  const priConf = join(dir, 'tyne-primary-2.yaml');
  // At info level, for its "zone reloaded" line after the edit below; no `notify`: the bench sends it.
  writeFileSync(priConf, tyneConfPrimary(primaryPort, zonePath, 'info'));

  // The secondary starts first, with its primary not up yet: its first
  // refresh (within ~5 s, random) fails and it waits RETRY, so the
  // transfer below starts with the NOTIFY and nothing else.
  const sec = launchTyne(secConf);
  running.push(sec);
  const lines = watchLines(sec);
  let pri: Running | null = null;
  const prober = await UdpProber.open({ port: secondaryPort, name: `host0.${BENCH_ORIGIN}`, everyMs: PROBE_EVERY_MS });
  try {
    await waitUntilAnswering(secondaryPort, sec);
    const failed = await lines.wait(msgStarts('refresh failed'), 30_000);
    const early = await lines.wait(msgStarts('transfer of'), 0);
    if (early !== null) throw new Error('the secondary transferred the zone before its primary was started (port reuse?)');

    pri = launchTyne(priConf);
    running.push(pri);
    const priLines = watchLines(pri);
    await waitForZone(primaryPort, pri, LOAD_TIMEOUT_MS);

    const secPids = (): number[] => processTree(sec.child.pid!);
    const priBefore = cpuTicks(processTree(pri.child.pid!));
    const secBefore = cpuTicks(secPids());
    // The secondary answers SERVFAIL until it has the zone: the prober times the answers all the same.
    prober.start();
    const t0 = Date.now();
    const notified = performance.now();
    const transferred = lines.wait(msgStarts(`transfer of ${BENCH_ORIGIN} from`), XFR_TIMEOUT_MS);
    const ack = await sendNotify(secondaryPort);
    if (ack !== 'NOERROR') throw new Error(`the secondary answered the NOTIFY with ${ack}`);
    const logged = await transferred;
    const t1 = Date.now();
    if (logged === null) throw new Error(`no "transfer of ${BENCH_ORIGIN} from" log line within ${XFR_TIMEOUT_MS / 1000} s: ${sec.output()}`);
    const secondaryCpuS = (cpuTicks(secPids()) - secBefore) / CLK_TCK;
    const primaryCpuS = (cpuTicks(processTree(pri.child.pid!)) - priBefore) / CLK_TCK;
    const axfrSaved = await savedAt(savedFile, Number(logged.to), XFR_TIMEOUT_MS);
    await prober.stop();
    const axfrProbe = prober.stats(notified, loggedAt(logged));
    const axfrSaveProbe = prober.stats(loggedAt(logged), axfrSaved);
    // The log line's `records` counts the transfer's records (the SOA twice).
    if (logged.records !== undefined && logged.records !== records + 1) {
      throw new Error(`the secondary logged ${String(logged.records)} records, expected ${records + 1} (the SOA comes twice)`);
    }

    // The swap may follow the log line by a tick: poll briefly.
    const lateHost = `host${hosts - 1}.${BENCH_ORIGIN}`;
    const expect = `10.${((hosts - 1) >> 16) & 255}.${((hosts - 1) >> 8) & 255}.${(hosts - 1) & 255}`;
    const lateAnswer = await answerA(secondaryPort, lateHost, expect);
    if (lateAnswer !== `NOERROR ${expect}`) throw new Error(`the secondary answered ${lateHost} A with '${lateAnswer}', expected NOERROR ${expect}`);
    const pids = secPids();
    const result: SecondaryResult = {
      notifyToLogS: (t1 - t0) / 1000,
      logged,
      cleanStart: failed !== null,
      lateHost,
      lateAnswer,
      rssMiB: rssKiB(pids) / 1024,
      hwmMiB: hwmKiB(pids) / 1024,
      secondaryCpuS,
      primaryCpuS,
      axfrProbe,
      axfrSaveProbe,
      saveAfterAxfrS: (axfrSaved - loggedAt(logged)) / 1000,
      ixfr: 'not measured',
    };
    try {
      result.ixfr = await ixfrBench(zonePath, savedFile, secondaryPort, sec, lines, pri, priLines, prober);
    } catch (e) {
      result.ixfr = oneLine((e as Error).message);
    }
    return result;
  } finally {
    prober.close();
    if (pri !== null) await stop(pri);
    await stop(sec);
  }
}

/**
 * One record of the zone changes in the primary's file; once the primary
 * has reloaded it (and journaled the difference), a NOTIFY makes the
 * secondary, which holds the whole zone, fetch it by IXFR and apply it.
 * The prober asks the secondary for a name every PROBE_EVERY_MS from
 * before the NOTIFY until the secondary has saved its copy; the same
 * prober over REFERENCE_MS without a transfer is the reference.
 */
async function ixfrBench(
  zonePath: string,
  savedFile: string,
  port: number,
  sec: Running,
  lines: LogLines,
  pri: Running,
  priLines: LogLines,
  prober: UdpProber,
): Promise<IxfrResult> {
  const text = readFileSync(zonePath, 'latin1');
  const line = '\nhost0 IN A 10.0.0.0\n';
  const newAddr = '10.200.0.1';
  if (!text.includes(line)) throw new Error(`the zone file has no line '${line.trim()}' to change`);
  const reloadMark = priLines.mark();
  writeFileSync(zonePath, text.replace(line, `\nhost0 IN A ${newAddr}\n`), 'latin1');
  const reloaded = await priLines.waitAfter(reloadMark, (o) => o.msg === 'zone reloaded', LOAD_TIMEOUT_MS);
  if (reloaded === null) throw new Error(`the primary did not log "zone reloaded" for the edit: ${pri.output()}`);
  const serial = reloaded.serial as { from: number; to: number };
  // The primary shares the two cores: let its own work after the reload (collecting the old version) end first.
  await sleep(1500);

  prober.reset();
  prober.start();
  await sleep(REFERENCE_MS);
  await prober.stop();
  const reference = prober.stats();

  prober.reset();
  prober.start();
  await sleep(50);
  const mark = lines.mark();
  const notified = performance.now();
  const ack = await sendNotify(port);
  if (ack !== 'NOERROR') throw new Error(`the secondary answered the NOTIFY with ${ack}`);
  const logged = await lines.waitAfter(mark, (o) => msgStarts(`transfer of ${BENCH_ORIGIN} from`)(o) && o.to === serial.to, XFR_TIMEOUT_MS);
  if (logged === null) throw new Error(`no "transfer of" line for serial ${serial.to} from the secondary: ${sec.output()}`);
  if (logged.kind !== 'IXFR') throw new Error(`the secondary fetched the change by ${String(logged.kind)}, not IXFR (${String(logged.fallback)})`);
  const swapped = loggedAt(logged);
  const saved = await savedAt(savedFile, serial.to, XFR_TIMEOUT_MS);
  // Probing on: the goal's window is as long as the reference's, and the copy is rewritten SYNC_MS after the change.
  const rewritten = await lines.waitAfter(mark, msgStarts('saved copy rewritten'), SYNC_MS + XFR_TIMEOUT_MS);
  if (rewritten === null) throw new Error(`the secondary did not rewrite its copy ${SYNC_MS} ms after the IXFR: ${sec.output()}`);
  await sleep(50);
  await prober.stop();
  const rewriteEnd = loggedAt(rewritten);
  const rewriteStart = Math.max(saved, notified + SYNC_MS);
  const answer = await answerA(port, `host0.${BENCH_ORIGIN}`, newAddr);
  if (answer !== `NOERROR ${newAddr}`) throw new Error(`the secondary answered host0 A with '${answer}' after the IXFR, expected NOERROR ${newAddr}`);
  return {
    reference,
    transfer: prober.stats(notified, swapped),
    save: prober.stats(swapped, saved),
    whole: prober.stats(notified, saved),
    window: prober.stats(notified, notified + REFERENCE_MS),
    rewrite: prober.stats(rewriteStart, rewriteEnd),
    rewriteMs: rewriteEnd - rewriteStart,
    logged,
    notifyToSwapMs: swapped - notified,
    swapToSavedMs: saved - swapped,
    primaryReloadMs: typeof reloaded.ms === 'number' ? reloaded.ms : null,
    fromSerial: serial.from,
    toSerial: serial.to,
    rssMiB: rssKiB(processTree(sec.child.pid!)) / 1024,
    answer,
  };
}

/** The secondary's answer to `name` A as `RCODE address`, polled briefly until it is `NOERROR want`. */
async function answerA(port: number, name: string, want: string): Promise<string> {
  let answer = 'no answer';
  for (let i = 0; i < 50; i++) {
    try {
      const m = decodeMessage(await queryUdp(port, buildQuery({ id: 0x3000 + i, name, type: 1 }), 1000));
      const a = m.answers.find((rr) => rr.type === 1);
      answer = a === undefined ? `${rcodeToText(m.rcode)}, no A` : `${rcodeToText(m.rcode)} ${rdataToText(1, a.rdata)}`;
      if (answer === `NOERROR ${want}`) break;
    } catch (e) {
      answer = (e as Error).message;
    }
    await sleep(100);
  }
  return answer;
}

/** Sends a NOTIFY (RFC 1996) for the zone from 127.0.0.1; returns the response's rcode, bounded retries. */
async function sendNotify(port: number): Promise<string> {
  const m = emptyMessage(0x4e4f);
  m.opcode = 4;
  m.aa = true;
  m.questions.push({ name: Name.fromText(BENCH_ORIGIN), type: 6, class: 1 });
  const bytes = encodeMessageToBytes(m);
  const sock = createSocket('udp4');
  try {
    await new Promise<void>((res, rej) => {
      sock.once('error', rej);
      sock.bind(0, '127.0.0.1', () => res());
    });
    let answer: string | null = null;
    sock.on('message', (msg) => {
      if (msg.length >= 12 && msg.readUInt16BE(0) === 0x4e4f && (msg[2]! & 0x80) !== 0) answer = rcodeToText(msg[3]! & 0x0f);
    });
    sock.on('error', () => {
      /* keep trying */
    });
    for (let attempt = 0; attempt < 5 && answer === null; attempt++) {
      sock.send(bytes, port, '127.0.0.1');
      for (let i = 0; i < 20 && answer === null; i++) await sleep(50);
    }
    return answer ?? 'no answer';
  } finally {
    sock.close();
  }
}

// ---------------------------------------------------------------- output

function printTable(labels: string[], results: Map<string, ServerResult>): void {
  const rows: string[][] = [
    ['server', 'load s', 'xfr s', 'runs s', 'dig query ms', 'records', 'messages', 'bytes', 'B/record', 'CPU s', 'dig CPU s', 'peak RSS MiB', 'RSS MiB', 'procs'],
  ];
  for (const label of labels) {
    const r = results.get(label);
    if (r === undefined) {
      rows.push([label, 'n/a', ...Array<string>(12).fill('')]);
      continue;
    }
    const m = r.median;
    rows.push([
      label,
      r.loadS.toFixed(1),
      m.wallS.toFixed(2),
      r.runs.map((x) => x.wallS.toFixed(2)).join(' / '),
      m.queryMs === null ? 'n/a' : fmtInt(m.queryMs),
      fmtInt(m.records),
      fmtInt(m.messages),
      fmtInt(m.bytes),
      (m.bytes / m.records).toFixed(1),
      m.cpuS.toFixed(2),
      m.digCpuS.toFixed(2),
      r.hwmMiB.toFixed(0),
      r.rssMiB.toFixed(0),
      String(r.procs),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  console.log(
    '(load s = from starting the server to its first SOA answer; xfr s = median run; dig query ms = the "Query time" dig prints; ' +
      'CPU s and dig CPU s for the median run)',
  );
}

function printRatios(contenders: Contender[], results: Map<string, ServerResult>): void {
  const bind = contenders.find((c) => c.label.startsWith('bind'))?.label;
  const nsd = contenders.find((c) => c.label.startsWith('nsd'))?.label;
  const tyne = results.get('tyne');
  const b = bind === undefined ? undefined : results.get(bind);
  const n = nsd === undefined ? undefined : results.get(nsd);
  const ratio = (x: number | undefined, y: number | undefined): string => (x === undefined || y === undefined ? 'n/a' : `${(x / y).toFixed(2)}x`);
  console.log('ratios (time = median xfr s; bytes = octets on the wire as dig counts them):');
  const rows: [string, ServerResult | undefined, ServerResult | undefined][] = [
    ['tyne / bind', tyne, b],
    ['nsd / bind', n, b],
    ['tyne / nsd', tyne, n],
  ];
  for (const [name, x, y] of rows) {
    console.log(
      `  ${name.padEnd(12)} time ${ratio(x?.median.wallS, y?.median.wallS)}, bytes ${ratio(x?.median.bytes, y?.median.bytes)}, ` +
        `messages ${ratio(x?.median.messages, y?.median.messages)}, server CPU ${ratio(x?.median.cpuS, y?.median.cpuS)}, ` +
        `peak RSS ${ratio(x?.hwmMiB, y?.hwmMiB)}`,
    );
  }
  if (tyne === undefined || b === undefined) {
    console.log(`goals: n/a (${tyne === undefined ? 'tyne' : 'bind'} not measured)`);
    return;
  }
  const t = tyne.median.wallS / b.median.wallS;
  const by = tyne.median.bytes / b.median.bytes;
  console.log(
    `goals: time ${t.toFixed(2)}x BIND, <= 0.5x (issue 16 §4) ${t <= 0.5 ? 'met' : 'NOT met'}; bytes ${by.toFixed(2)}x BIND, <= 1.1x ${by <= 1.1 ? 'met' : 'NOT met'}`,
  );
}

function printSecondary(s: SecondaryResult, primaryXfrS: number | undefined): void {
  const num = (k: string): string => (typeof s.logged[k] === 'number' ? fmtInt(s.logged[k]) : 'n/a');
  console.log(
    `tyne as a secondary (tyne primary, AXFR on NOTIFY): ${s.notifyToLogS.toFixed(2)} s from the NOTIFY to the "transfer of" log line` +
      (primaryXfrS === undefined ? '' : ` (${(s.notifyToLogS / primaryXfrS).toFixed(2)}x the dig transfer from tyne)`),
  );
  console.log(
    `  logged: ${num('records')} records (SOA twice), ${num('messages')} messages, ${num('bytes')} bytes; transfer ${num('durationMs')} ms, ` +
      `until the log line ${num('ms')} ms (the secondary's own clocks, without the SOA query)`,
  );
  console.log(
    `  secondary: CPU ${s.secondaryCpuS.toFixed(2)} s during the transfer, RSS ${s.rssMiB.toFixed(0)} MiB after it (peak ${s.hwmMiB.toFixed(0)} MiB); ` +
      `primary CPU ${s.primaryCpuS.toFixed(2)} s`,
  );
  console.log(`  ${s.lateHost} A at the secondary: ${s.lateAnswer}`);
  console.log(`  UDP prober at the secondary (a query every ${PROBE_EVERY_MS} ms), NOTIFY to swap: ${probeText(s.axfrProbe)}`);
  console.log(`  while it saved its copy (${s.saveAfterAxfrS.toFixed(2)} s after the swap): ${probeText(s.axfrSaveProbe)}`);
  if (!s.cleanStart) {
    console.log('  !!!! the secondary never logged its failed first refresh within 30 s: its own refresh may have overlapped the NOTIFY !!!!');
  }
  console.log('');
  if (typeof s.ixfr === 'string') {
    console.log(`!!!! FAILED one-record IXFR into the secondary: ${s.ixfr} !!!!`);
    return;
  }
  const x = s.ixfr;
  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(1)}x` : 'n/a');
  console.log(
    `one-record IXFR into the secondary holding the zone (host0 A changed in the primary's file; primary reload ${x.primaryReloadMs ?? 'n/a'} ms, ` +
      `then NOTIFY): serial ${x.fromSerial} -> ${x.toSerial}, ${x.notifyToSwapMs.toFixed(0)} ms from the NOTIFY to the swap ` +
      `(the secondary's own ${typeof x.logged.ms === 'number' ? x.logged.ms : 'n/a'} ms), saved ${x.swapToSavedMs.toFixed(0)} ms later; ` +
      `RSS ${x.rssMiB.toFixed(0)} MiB after; host0 A now ${x.answer}`,
  );
  console.log(`  reference, no transfer (${REFERENCE_MS / 1000} s):  ${probeText(x.reference)}`);
  console.log(`  ${REFERENCE_MS / 1000} s from the NOTIFY:                   ${probeText(x.window)}`);
  console.log(`    of which NOTIFY to the change saved:            ${probeText(x.whole)}`);
  console.log(`      NOTIFY to swap (SOA query, IXFR, apply):      ${probeText(x.transfer)}`);
  console.log(`      swap to the change journaled:                  ${probeText(x.save)}`);
  console.log(`  the whole copy rewritten ${SYNC_MS / 1000} s later (zonefile-sync; ${(x.rewriteMs / 1000).toFixed(2)} s): ${probeText(x.rewrite)}`);
  const w = x.window;
  console.log(
    `  vs the reference: p50 ${ratio(w.p50, x.reference.p50)}, p99 ${ratio(w.p99, x.reference.p99)}, ` +
      `max ${ratio(w.max, x.reference.max)}, longest gap ${ratio(w.longestGapMs, x.reference.longestGapMs)}`,
  );
  console.log(
    `  goals (${REFERENCE_MS / 1000} s from the NOTIFY): p99 ${w.p99.toFixed(2)} ms <= ${IXFR_GOAL_P99_MS} ms ${w.p99 <= IXFR_GOAL_P99_MS ? 'met' : 'NOT met'}; ` +
      `max ${w.max.toFixed(1)} ms <= ${IXFR_GOAL_MAX_MS} ms ${w.max <= IXFR_GOAL_MAX_MS ? 'met' : 'NOT met'}` +
      `${w.lost > 0 ? `; !!!! ${w.lost} queries lost !!!!` : ''}`,
  );
}
