/**
 * The serving benchmark: dnsperf over UDP against Tyne (1 process and 2
 * cluster workers), NSD, and a bare Node UDP echo server (1 process and 2
 * workers; the floor for any Node server). Every server answers from the
 * same 100,000-host zone on 127.0.0.1, one server at a time, with the same
 * dnsperf settings. Reports qps, latency (average and p99 from dnsperf's
 * per-response -v lines), lost queries, the server's CPU seconds during the
 * measured run (the process and all its descendants) and its resident
 * memory afterwards. Tyne (batched) and NSD are also measured with the
 * 0x20 mix: names in random letter case, 5 % NXDOMAIN and 5 % wildcard
 * names (issue 16 §1).
 */
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { Rng } from '../support/rng.js';
import {
  CLK_TCK,
  cpuTicks,
  findNsd,
  fmtInt,
  launch,
  machineBusyTicks,
  neededToolVersion,
  nsdConf,
  oneLine,
  pct,
  processTree,
  rssKiB,
  stop,
  waitUntilAnswering,
  type Running,
} from './bench-servers.js';
import { BENCH_ORIGIN, WILDCARD_OWNER, writeBenchZone } from './zone-generator.js';

const HOSTS = 100_000;
const QUERIES = 100_000;
const MISSING_SHARE = 0.05;
/** The 0x20 mix's share of names under the wildcard. */
const WILDCARD_SHARE = 0.05;
const SEED = 0x7e1e_2026;
/**
 * dnsperf load settings, the same for every server. Chosen on a 2-core VM
 * (dnsperf shares the cores with the server) as the setting that gave NSD
 * its best median qps over 4 interleaved rounds of 5 s among -c 4 -q 100
 * -T 1 (~146k), -c 4 -q 200 -T 1 (~172k), -c 4 -q 200 -T 2 (~183k),
 * -c 8 -q 500 -T 2 (~186k but far noisier, twice the latency) and -c 16
 * -q 1000 -T 2 (~161k).
 */
const DNSPERF_LOAD = ['-c', '4', '-q', '200', '-T', '2'];

interface ServerSpec {
  label: string;
  /** Which query file dnsperf sends: the plain one, or the 0x20 mix (issue 16 §1). */
  queries: 'plain' | 'mix';
  /** Starts the server on `port`; the bench then polls it until it answers. */
  start(port: number): Running;
}

interface Result {
  label: string;
  qps: number;
  sent: number;
  completed: number;
  lost: number;
  avgMs: number;
  p99Ms: number | null;
  maxMs: number;
  cpuS: number;
  /** dnsperf's CPU seconds during the measured run. */
  clientCpuS: number;
  /** Busy CPU seconds of the machine during the run not spent in the server or dnsperf: softirq (loopback delivery) and other processes. */
  restCpuS: number;
  rssMiB: number;
  procs: number;
  responseSize: number;
  rcodes: string;
}

export async function runServeBench(quick: boolean): Promise<void> {
  const seconds = quick ? 3 : 10;
  const warmup = quick ? 1 : 2;

  const dnsperfVersion = neededToolVersion('dnsperf', 'serving benchmark');
  if (dnsperfVersion === null) return;
  const nsdPath = findNsd();

  const dir = mkdtempSync(join(tmpdir(), 'tyne-serve-bench-'));
  const running: Running[] = [];
  try {
    const zonePath = join(dir, 'bench.zone');
    const records = writeBenchZone(zonePath, HOSTS, { wildcard: true });
    const queryPath = join(dir, 'queries.txt');
    const missing = writeQueryFile(queryPath);
    const mixPath = join(dir, 'queries-mix.txt');
    const mix = writeMixFile(mixPath);

    console.log(
      `Serving benchmark: dnsperf ${dnsperfVersion} over UDP to 127.0.0.1, ${DNSPERF_LOAD.join(' ')} -v; ` +
        `zone ${BENCH_ORIGIN} with ${HOSTS.toLocaleString('en-US')} hosts (${records.toLocaleString('en-US')} records)`,
    );
    console.log(
      `query file: ${QUERIES.toLocaleString('en-US')} type A queries in fixed-seed random order, ` +
        `${(QUERIES - missing).toLocaleString('en-US')} (${pct(1 - missing / QUERIES)}) existing hosts (NOERROR), ` +
        `${missing.toLocaleString('en-US')} (${pct(missing / QUERIES)}) missing names (NXDOMAIN); dnsperf cycles through it`,
    );
    console.log(
      `0x20 mix (rows marked so): ${QUERIES.toLocaleString('en-US')} type A queries, every letter of every name in random case ` +
        `(as resolvers send with 0x20), ${pct(mix.hosts / QUERIES)} existing hosts, ${pct(mix.missing / QUERIES)} missing names (NXDOMAIN), ` +
        `${pct(mix.wild / QUERIES)} names under the wildcard ${WILDCARD_OWNER}.${BENCH_ORIGIN}`,
    );
    console.log(
      `per server: ${warmup} s warm-up, then ${seconds} s measured${quick ? ' (--quick: rough numbers only)' : ''}; ` +
        `servers run one at a time; ${cpus().length} CPUs shared by dnsperf and the server; node ${process.version}`,
    );
    console.log(
      'CPU = user+system seconds of the server process and all its descendants during the measured seconds; ' +
        'RSS = VmRSS summed over the same processes after it',
    );
    const load = loadavg()[0]!;
    if (load > 0.5) {
      console.log(
        `!!!! the 1-minute load average is ${load.toFixed(2)} before the run: if other work is still running, numbers will be noisy ` +
          `(a high 'rest CPU s' below shows it) !!!!`,
      );
    }
    if (nsdPath === null) {
      console.log('\n!!!! SKIP NSD: nsd is not installed; ratios are against the echo server only !!!!\n');
    }
    console.log('');

    const specs: ServerSpec[] = [];
    if (nsdPath !== null) specs.push(nsdSpec(NSD, nsdPath, dir, zonePath, 'plain'));
    if (nsdPath !== null) specs.push(nsdSpec(NSD_MIX, nsdPath, dir, zonePath, 'mix'));
    specs.push(tyneSpec(TYNE_BATCHED, 1, dir, zonePath, 'batched'));
    specs.push(tyneSpec(TYNE_BATCHED_MIX, 1, dir, zonePath, 'batched', 'mix'));
    specs.push(tyneSpec('tyne (1 process)', 1, dir, zonePath, 'dgram'));
    specs.push(tyneSpec('tyne (2 workers)', 2, dir, zonePath, 'auto'));
    // Issue 16 §3: two serving threads over shared zone images, transfers allowed, beside NSD with two servers.
    if (nsdPath !== null) specs.push(nsdSpec(NSD_2, nsdPath, dir, zonePath, 'plain', 2));
    specs.push(tyneSpec(TYNE_THREADS, 1, dir, zonePath, 'auto', 'plain', 2));
    specs.push(echoSpec(ECHO_BATCHED, 1, 'batched'));
    specs.push(echoSpec('node echo (1 process)', 1, 'dgram'));
    specs.push(echoSpec('node echo (2 workers)', 2, 'dgram'));

    const results = new Map<string, Result>();
    for (const spec of specs) {
      const port = await freePort();
      const server = spec.start(port);
      running.push(server);
      try {
        await waitUntilAnswering(port, server);
      } catch (e) {
        console.log(`!!!! SKIP ${spec.label}: ${oneLine((e as Error).message)} !!!!`);
        await stop(server);
        continue;
      }
      try {
        const queries = spec.queries === 'mix' ? mixPath : queryPath;
        await runDnsperf(port, queries, warmup, null, null);
        const outPath = join(dir, 'dnsperf.out');
        const run = await runDnsperf(port, queries, seconds, outPath, server.child.pid!);
        const w = run.window!;
        const afterPids = processTree(server.child.pid!);
        const rss = rssKiB(afterPids);
        const stats = await parseDnsperf(outPath, run.stderr);
        rmSync(outPath, { force: true });
        if (server.exited()) throw new Error(`the server exited during the run: ${server.output()}`);
        results.set(spec.label, {
          label: spec.label,
          ...stats,
          cpuS: w.serverTicks / CLK_TCK,
          clientCpuS: w.clientTicks / CLK_TCK,
          restCpuS: Math.max(0, w.machineTicks - w.serverTicks - w.clientTicks) / CLK_TCK,
          rssMiB: rss / 1024,
          procs: afterPids.length,
        });
        console.log(`  measured ${spec.label}: ${fmtInt(stats.qps)} qps`);
      } catch (e) {
        console.log(`!!!! FAILED ${spec.label}: ${oneLine((e as Error).message)} !!!!`);
      } finally {
        await stop(server);
      }
    }
    console.log('');
    printTable(specs.map((s) => s.label), results);
    console.log('');
    printRatios(results);
  } finally {
    for (const r of running) await stop(r);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- servers

function nsdSpec(label: string, nsdPath: string, dir: string, zonePath: string, queries: 'plain' | 'mix', serverCount = 1): ServerSpec {
  return {
    label,
    queries,
    start(port) {
      const conf = join(dir, 'nsd.conf');
      writeFileSync(conf, nsdConf(dir, port, zonePath, [], serverCount));
      return launch(nsdPath, ['-d', '-c', conf]);
    },
  };
}

/** The rows of the batched UDP path (issue 16 §2): Tyne with server.udp-io: batched, and the echo server through the same socket. */
const TYNE_BATCHED = 'tyne (1 process, batched UDP)';
const ECHO_BATCHED = 'node echo (1 process, batched UDP)';
const NSD = 'nsd (server-count 1)';
/** The 0x20 mix rows (issue 16 §1). */
const TYNE_BATCHED_MIX = 'tyne (1 process, batched UDP), 0x20 mix';
const NSD_MIX = 'nsd (server-count 1), 0x20 mix';
/** The rows of every core (issue 16 §3). */
const NSD_2 = 'nsd (server-count 2)';
const TYNE_THREADS = 'tyne (2 threads, transfers on)';

function tyneSpec(label: string, workers: number, dir: string, zonePath: string, udpIo: 'auto' | 'batched' | 'dgram', queries: 'plain' | 'mix' = 'plain', threads = 1): ServerSpec {
  return {
    label,
    queries,
    start(port) {
      const conf = join(dir, `tyne-${workers}-${threads}-${udpIo}.yaml`);
      writeFileSync(
        conf,
        [
          `listen: ["127.0.0.1:${port}"]`,
          'log: { level: warn }',
          `server: { workers: ${workers}, threads: ${threads}, udp-io: ${udpIo} }`,
          'zones:',
          `  - name: ${BENCH_ORIGIN.replace(/\.$/, '')}`,
          `    file: ${JSON.stringify(zonePath)}`,
          // With threads, a primary as a hosting company runs one: transfers allowed (workers refuse them).
          ...(threads > 1 ? ['    allow-transfer: ["127.0.0.1/32"]'] : []),
          '',
        ].join('\n'),
      );
      return launch(process.execPath, [resolve(repoRoot, 'bin', 'tyne'), 'serve', '--config', conf]);
    },
  };
}

function echoSpec(label: string, workers: number, mode: 'dgram' | 'batched'): ServerSpec {
  return {
    label,
    queries: 'plain',
    start(port) {
      return launch(process.execPath, [fileURLToPath(new URL('./echo-server.js', import.meta.url)), String(port), String(workers), mode]);
    },
  };
}

// ---------------------------------------------------------------- dnsperf

interface CpuWindow {
  /** CPU ticks of the server process tree, dnsperf, and the whole machine (busy) over the measured seconds. */
  serverTicks: number;
  clientTicks: number;
  machineTicks: number;
}

/**
 * Runs dnsperf. When `serverPid` is given, samples CPU ticks as dnsperf
 * starts and again `seconds` later: dnsperf may linger for a few seconds
 * after its time limit (and spin meanwhile), which must not count.
 */
async function runDnsperf(
  port: number,
  queryPath: string,
  seconds: number,
  outPath: string | null,
  serverPid: number | null,
): Promise<{ stderr: string; window: CpuWindow | null }> {
  const args = ['-s', '127.0.0.1', '-p', String(port), '-d', queryPath, '-l', String(seconds), ...DNSPERF_LOAD];
  if (outPath !== null) args.push('-v');
  const fd = outPath === null ? 'ignore' : openSync(outPath, 'w');
  try {
    const sample = (): CpuWindow | null =>
      serverPid === null
        ? null
        : {
            serverTicks: cpuTicks(processTree(serverPid)),
            clientTicks: child.pid === undefined ? 0 : cpuTicks(processTree(child.pid)),
            machineTicks: machineBusyTicks(),
          };
    const child = spawn('dnsperf', args, { stdio: ['ignore', fd, 'pipe'] });
    const first = sample();
    let window: CpuWindow | null = null;
    const sampler = setTimeout(() => {
      const last = sample();
      if (first !== null && last !== null) {
        window = {
          serverTicks: last.serverTicks - first.serverTicks,
          clientTicks: last.clientTicks - first.clientTicks,
          machineTicks: last.machineTicks - first.machineTicks,
        };
      }
    }, seconds * 1000);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-65536);
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    const code = await new Promise<number | null>((res, rej) => {
      child.once('error', rej);
      child.once('exit', res);
    });
    clearTimeout(killer);
    clearTimeout(sampler);
    if (code !== 0) throw new Error(`dnsperf exited with ${code}: ${stderr.slice(-2000)}`);
    if (serverPid !== null && window === null) throw new Error('dnsperf exited before its time limit');
    return { stderr, window };
  } finally {
    if (typeof fd === 'number') closeSync(fd);
  }
}

type DnsperfStats = Pick<Result, 'qps' | 'sent' | 'completed' | 'lost' | 'avgMs' | 'p99Ms' | 'maxMs' | 'responseSize' | 'rcodes'>;

/** Reads dnsperf -v output: one '> RCODE name type latency' line per response, then the summary. */
async function parseDnsperf(outPath: string, stderr: string): Promise<DnsperfStats> {
  // Latency histogram in 1 µs buckets up to 1 s, plus an overflow bucket.
  const hist = new Uint32Array(1_000_001);
  let samples = 0;
  const summary: string[] = [];
  const rl = createInterface({ input: createReadStream(outPath, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.startsWith('> ')) {
      const sp = line.lastIndexOf(' ');
      const rcode = line.slice(2, line.indexOf(' ', 2));
      if (rcode === 'T' || rcode === 'I') continue;
      const us = Math.round(Number(line.slice(sp + 1)) * 1e6);
      if (!Number.isFinite(us)) continue;
      hist[Math.min(us, 1_000_000)]!++;
      samples++;
    } else {
      summary.push(line);
    }
  }
  const text = summary.join('\n') + '\n' + stderr;
  const num = (re: RegExp): number => {
    const m = re.exec(text);
    if (m === null) throw new Error(`dnsperf output lacks ${re}: ${text.slice(-1500)}`);
    return Number(m[1]);
  };
  let p99Ms: number | null = null;
  if (samples > 0) {
    const target = Math.ceil(samples * 0.99);
    let seen = 0;
    for (let us = 0; us < hist.length; us++) {
      seen += hist[us]!;
      if (seen >= target) {
        p99Ms = us / 1000;
        break;
      }
    }
  }
  const latency = /Average Latency \(s\):\s+([\d.]+) \(min [\d.]+, max ([\d.]+)\)/.exec(text);
  if (latency === null) throw new Error(`dnsperf output lacks the latency line: ${text.slice(-1500)}`);
  return {
    sent: num(/Queries sent:\s+(\d+)/),
    completed: num(/Queries completed:\s+(\d+)/),
    lost: num(/Queries lost:\s+(\d+)/),
    qps: num(/Queries per second:\s+([\d.]+)/),
    avgMs: Number(latency[1]) * 1000,
    maxMs: Number(latency[2]) * 1000,
    p99Ms,
    responseSize: num(/Average packet size:\s+request \d+, response (\d+)/),
    rcodes: (/Response codes:\s+(.*)/.exec(text)?.[1] ?? '').trim(),
  };
}

// ---------------------------------------------------------------- inputs

/** Writes the dnsperf query file; returns how many of its names do not exist. */
function writeQueryFile(path: string): number {
  const rng = new Rng(SEED);
  const rand = (): number => rng.float();
  const missing = Math.round(QUERIES * MISSING_SHARE);
  const lines: string[] = [];
  for (let i = 0; i < QUERIES - missing; i++) lines.push(`host${Math.floor(rand() * HOSTS)}.${BENCH_ORIGIN} A`);
  // 'nohostN' is never an owner in the bench zone (hosts are hostN, ns1, ns2).
  for (let i = 0; i < missing; i++) lines.push(`nohost${Math.floor(rand() * HOSTS)}.${BENCH_ORIGIN} A`);
  rng.shuffle(lines);
  writeFileSync(path, lines.join('\n') + '\n');
  return missing;
}

/**
 * Writes the 0x20 mix (issue 16 §1): 90 % existing hosts, 5 % missing names,
 * 5 % names under the wildcard, in fixed-seed random order, every letter in
 * random case (the 0x20 bit of resolvers, draft-vixie-dnsext-dns0x20).
 */
function writeMixFile(path: string): { hosts: number; missing: number; wild: number } {
  const rng = new Rng(SEED ^ 0x20);
  const missing = Math.round(QUERIES * MISSING_SHARE);
  const wild = Math.round(QUERIES * WILDCARD_SHARE);
  const hosts = QUERIES - missing - wild;
  const names: string[] = [];
  for (let i = 0; i < hosts; i++) names.push(`host${rng.below(HOSTS)}.${BENCH_ORIGIN}`);
  for (let i = 0; i < missing; i++) names.push(`nohost${rng.below(HOSTS)}.${BENCH_ORIGIN}`);
  // Owners below `wild.`: the wildcard's A is synthesized for each (RFC 4592 §3.3.1).
  const wildParent = WILDCARD_OWNER.slice(2);
  for (let i = 0; i < wild; i++) names.push(`w${rng.below(HOSTS)}.${wildParent}.${BENCH_ORIGIN}`);
  rng.shuffle(names);
  const lines = names.map((n) => `${[...n].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c)).join('')} A`);
  writeFileSync(path, lines.join('\n') + '\n');
  return { hosts, missing, wild };
}

// ---------------------------------------------------------------- output

function printTable(labels: string[], results: Map<string, Result>): void {
  const rows: string[][] = [['server', 'qps', 'avg ms', 'p99 ms', 'max ms', 'lost', 'CPU s', 'CPU µs/q', 'RSS MiB', 'procs', 'resp B', 'dnsperf CPU s', 'rest CPU s']];
  for (const label of labels) {
    const r = results.get(label);
    if (r === undefined) {
      rows.push([label, 'n/a', '', '', '', '', '', '', '', '', '', '', '']);
      continue;
    }
    rows.push([
      label,
      fmtInt(r.qps),
      r.avgMs.toFixed(3),
      r.p99Ms === null ? 'n/a' : r.p99Ms.toFixed(3),
      r.maxMs.toFixed(2),
      `${r.lost} (${pct(r.lost / Math.max(1, r.sent))})`,
      r.cpuS.toFixed(2),
      r.completed > 0 ? ((r.cpuS * 1e6) / r.completed).toFixed(1) : 'n/a',
      r.rssMiB.toFixed(1),
      String(r.procs),
      String(r.responseSize),
      r.clientCpuS.toFixed(2),
      r.restCpuS.toFixed(2),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  console.log(
    '(p99 from a 1 µs histogram of every response latency dnsperf -v reported; resp B = average response size; ' +
      'rest CPU s = busy CPU time of the machine during the run outside the server and dnsperf: softirq for loopback ' +
      'delivery plus any other process; a high value means something else competed for the CPUs)',
  );
  for (const label of labels) {
    const r = results.get(label);
    if (r !== undefined) console.log(`  ${label}: ${r.rcodes}`);
  }
}

function printRatios(results: Map<string, Result>): void {
  const qps = (label: string): number | undefined => results.get(label)?.qps;
  const nsd = NSD;
  const pairs: [string, string][] = [
    [TYNE_BATCHED_MIX, TYNE_BATCHED],
    [NSD_MIX, nsd],
    [TYNE_BATCHED_MIX, NSD_MIX],
    [TYNE_BATCHED, nsd],
    [ECHO_BATCHED, nsd],
    [TYNE_BATCHED, ECHO_BATCHED],
    [TYNE_BATCHED, 'tyne (1 process)'],
    [ECHO_BATCHED, 'node echo (1 process)'],
    ['tyne (1 process)', nsd],
    ['tyne (2 workers)', nsd],
    ['node echo (1 process)', nsd],
    ['node echo (2 workers)', nsd],
    ['tyne (1 process)', 'node echo (1 process)'],
    ['tyne (2 workers)', 'node echo (2 workers)'],
    [TYNE_THREADS, NSD_2],
    [TYNE_THREADS, TYNE_BATCHED],
    [NSD_2, nsd],
  ];
  console.log('qps ratios:');
  const w = Math.max(...pairs.map(([a, b]) => `${a} / ${b}`.length));
  for (const [a, b] of pairs) {
    const x = qps(a);
    const y = qps(b);
    console.log(`  ${`${a} / ${b}`.padEnd(w)}  ${x === undefined || y === undefined ? 'n/a' : `${(x / y).toFixed(2)}x`}`);
  }
  const mixed = qps(TYNE_BATCHED_MIX);
  const plain = qps(TYNE_BATCHED);
  console.log(
    mixed === undefined || plain === undefined
      ? 'goal for the 0x20 mix: n/a'
      : `goal for the 0x20 mix: ${(mixed / plain).toFixed(2)}x the plain mix (tyne, batched); >= 0.8x (issue 16 §1) ${mixed / plain >= 0.8 ? 'met' : 'NOT met'}`,
  );
  const echo = qps(ECHO_BATCHED);
  console.log(
    plain === undefined || echo === undefined
      ? 'goal against the echo server: n/a'
      : `goal against the echo server: tyne ${(plain / echo).toFixed(2)}x the echo server, both batched, one process; >= 0.85x (issue 16 §1) ${plain / echo >= 0.85 ? 'met' : 'NOT met'}`,
  );
  const threaded = results.get(TYNE_THREADS);
  const single = results.get(TYNE_BATCHED);
  console.log(
    threaded === undefined || single === undefined
      ? 'goal for 2 threads\' memory: n/a'
      : `goal for 2 threads' memory: ${(threaded.rssMiB / single.rssMiB).toFixed(2)}x the RSS of one process (${threaded.rssMiB.toFixed(0)} MiB against ${single.rssMiB.toFixed(0)}); <= 1.3x (issue 16 §3) ${threaded.rssMiB / single.rssMiB <= 1.3 ? 'met' : 'NOT met'}`,
  );
  const base = qps(nsd);
  for (const t of [TYNE_BATCHED, 'tyne (1 process)', 'tyne (2 workers)']) {
    const x = qps(t);
    if (x === undefined || base === undefined) {
      console.log(`goals for ${t}: n/a (${x === undefined ? 'tyne' : 'nsd'} not measured)`);
      continue;
    }
    const r = x / base;
    console.log(
      `goals for ${t}: ${r.toFixed(2)}x NSD; >= 0.5x NSD (issue goal) ${r >= 0.5 ? 'met' : 'NOT met'}; ` +
        `>= 0.9x NSD (project goal) ${r >= 0.9 ? 'met' : 'NOT met'}`,
    );
  }
}

