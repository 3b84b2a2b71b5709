/**
 * Helpers shared by the benchmarks that run real servers (serve-bench,
 * transfer-bench, small-zones-bench): launching a server and keeping the
 * tail of its output, stopping it and its descendants (SIGTERM, then
 * SIGKILL after 3 s), waiting until it answers on UDP (one name, or every
 * zone of a list by SOA), CPU and memory of a process tree from /proc,
 * NSD and Knot configurations, and finding tools.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { processTree } from '../support/daemon-process.js';
import { knotConf as knotConfFor } from '../support/knotd-process.js';
import { nsdConf as nsdConfFor } from '../support/nsd-process.js';
import { sleep } from '../support/wait.js';
import { BENCH_ORIGIN } from './zone-generator.js';

// A process and its descendants: the walk through /proc the tests' peer servers are stopped with (re-exported for serve-bench and transfer-bench).
export { processTree };

export const READY_TIMEOUT_MS = 30_000;
export const STOP_GRACE_MS = 3_000;
export const CLK_TCK = clockTicks();

export interface Running {
  child: ChildProcess;
  /** Last few KB of stdout and stderr, for error messages. */
  output(): string;
  exited(): boolean;
  exitPromise: Promise<number | null>;
}

export function launch(cmd: string, args: string[]): Running {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (c: Buffer): void => {
    tail = (tail + c.toString('utf8')).slice(-4096);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let done = false;
  const exitPromise = new Promise<number | null>((res) => {
    child.once('exit', (code) => {
      done = true;
      res(code);
    });
    child.once('error', (e) => {
      done = true;
      tail += `\n${e.message}`;
      res(null);
    });
  });
  return { child, output: () => tail.trim(), exited: () => done, exitPromise };
}

/** SIGTERM, then SIGKILL for the process and every descendant still there after STOP_GRACE_MS. */
export async function stop(r: Running): Promise<void> {
  if (r.exited() || r.child.pid === undefined) return;
  const pids = processTree(r.child.pid);
  r.child.kill('SIGTERM');
  // Descendants (cluster workers, NSD's children) must go too; whatever is
  // still there after the grace period gets SIGKILL.
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline && pids.some(alive)) await sleep(50);
  for (const pid of pids) {
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  await Promise.race([r.exitPromise, sleep(1000)]);
}

export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return statFields(stat)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Sends a query for an existing host every 200 ms until an answer with the same ID comes back (any rcode). */
export async function waitUntilAnswering(port: number, server: Running, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const sock = createSocket('udp4');
  const started = Date.now();
  try {
    await new Promise<void>((res, rej) => {
      sock.once('error', rej);
      sock.bind(0, '127.0.0.1', () => res());
    });
    let answered = false;
    let id = 0x1234;
    sock.on('message', (msg) => {
      if (msg.length >= 12 && msg.readUInt16BE(0) === id && (msg[2]! & 0x80) !== 0) answered = true;
    });
    sock.on('error', () => {
      /* ICMP port unreachable while the server starts; keep polling */
    });
    for (let attempt = 0; attempt < Math.ceil(timeoutMs / 200) && Date.now() - started < timeoutMs; attempt++) {
      if (server.exited()) throw new Error(`it exited before answering: ${server.output() || '(no output)'}`);
      id = (id + 1) & 0xffff;
      sock.send(queryPacket(id, `host1.${BENCH_ORIGIN}`), port, '127.0.0.1');
      await sleep(200);
      if (answered) return;
    }
    throw new Error(`no answer on 127.0.0.1:${port} within ${timeoutMs / 1000} s: ${server.output() || '(no output)'}`);
  } finally {
    sock.close();
  }
}

/** A query for `name` (ASCII labels), class IN, type `qtype` (default A), no EDNS, RD clear. */
export function queryPacket(id: number, name: string, qtype = 1): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  const parts: number[] = [id >> 8, id & 255, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
  for (const l of labels) parts.push(l.length, ...Buffer.from(l, 'ascii'));
  parts.push(0, qtype >> 8, qtype & 255, 0, 1);
  return Buffer.from(parts);
}

/** When the zones of a list first answered SOA: ms after `t0` (performance.now() at the server's spawn). */
export interface ZonesAnswering {
  /** The first zone of the list (null: never). */
  firstMs: number | null;
  /** The last zone of the list (null: never). */
  lastMs: number | null;
  /** Every zone of the list (null: not all within the time allowed). */
  allMs: number | null;
  /** How many answered in the end. */
  answered: number;
  /** The zones that answered, in the order of the list. */
  answeredZones: string[];
}

/**
 * Asks every zone of `zones` for its SOA over UDP until each has answered
 * it with authority (NOERROR, AA, an answer record), or `timeoutMs` after
 * `t0` (then allMs is null; no throw). The first and last zones are asked
 * every 50 ms until both answered (or for 10 s after either did, or
 * after `t0` if neither did: one of them may never come); from then on every zone not yet answered is asked in
 * rounds (100 queries, then a 2 ms pause, so the server is not flooded
 * while it starts), the next round after 100 ms or 1 ms per 5 queries
 * sent, whichever is longer, and twice that (up to 1 s at least) while
 * rounds gain nothing: at most about 5,000 queries a second on average.
 * A query's ID is its zone's index (at most 65,536 zones). Throws if the
 * server exits first.
 */
export async function waitUntilZonesAnswer(
  port: number,
  zones: readonly string[],
  t0: number,
  exited: () => boolean,
  timeoutMs: number,
): Promise<ZonesAnswering> {
  const n = zones.length;
  if (n === 0 || n > 65_536) throw new Error(`waitUntilZonesAnswer: ${n} zones (1 to 65,536)`);
  const packets = zones.map((z, i) => queryPacket(i, z, 6));
  const at: (number | null)[] = new Array<number | null>(n).fill(null);
  let answered = 0;
  let firstAnswer: number | null = null;
  const sock = createSocket('udp4');
  await new Promise<void>((res, rej) => {
    sock.once('error', rej);
    sock.bind(0, '127.0.0.1', () => res());
  });
  sock.on('error', () => {
    /* ICMP port unreachable while the server starts; keep polling */
  });
  sock.on('message', (msg) => {
    if (msg.length < 12) return;
    const id = msg.readUInt16BE(0);
    const qr = (msg[2]! & 0x80) !== 0;
    const aa = (msg[2]! & 0x04) !== 0;
    const rcode = msg[3]! & 0x0f;
    if (!qr || !aa || rcode !== 0 || msg.readUInt16BE(6) === 0 || id >= n || at[id] !== null) return;
    at[id] = performance.now() - t0;
    firstAnswer ??= performance.now();
    answered++;
  });
  const send = (i: number): void => sock.send(packets[i]!, port, '127.0.0.1');
  const deadline = t0 + timeoutMs;
  try {
    let backoff = 1;
    // Bounded by the deadline, and by a count for a clock that misbehaves.
    for (let loop = 0; loop < 100_000 && answered < n && performance.now() < deadline; loop++) {
      if (exited()) throw new Error('the server exited before every zone answered');
      const ends = at[0] === null || at[n - 1] === null;
      if (ends && performance.now() - (firstAnswer ?? t0) < 10_000) {
        if (at[0] === null) send(0);
        if (at[n - 1] === null && n > 1) send(n - 1);
        await sleep(50);
        continue;
      }
      const before = answered;
      let sent = 0;
      for (let i = 0; i < n && performance.now() < deadline; i++) {
        if (at[i] !== null) continue;
        send(i);
        if (++sent % 100 === 0) await sleep(2);
      }
      const gap = Math.max(100, sent / 5);
      await sleep(Math.min(gap * backoff, Math.max(1000, gap)));
      backoff = answered > before ? 1 : Math.min(backoff * 2, 16);
    }
    // Answers to the last queries sent may still be on their way.
    if (answered < n) await sleep(100);
    return {
      firstMs: at[0]!,
      lastMs: at[n - 1]!,
      allMs: answered === n ? Math.max(...at.map((x) => x!)) : null,
      answered,
      answeredZones: zones.filter((_, i) => at[i] !== null),
    };
  } finally {
    sock.close();
  }
}

export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export function cpuTicks(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      sum += Number(f[11]) + Number(f[12]);
    } catch {
      /* gone */
    }
  }
  return sum;
}

/** Busy jiffies of all CPUs together (user, nice, system, irq, softirq), from the first line of /proc/stat. */
export function machineBusyTicks(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return f[0]! + f[1]! + f[2]! + f[5]! + f[6]!;
}

export function rssKiB(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m !== null) sum += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return sum;
}

/**
 * Proportional resident memory (Pss of /proc/PID/smaps_rollup) summed
 * over `pids`, in KiB: pages shared by several of them (NSD's forked
 * children share its zone data) count once in all, not once each.
 */
export function pssKiB(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (m !== null) sum += Number(m[1]);
    } catch {
      /* gone, or no smaps_rollup (Linux before 4.14) */
    }
  }
  return sum;
}

/** A `<field>: N kB` line of /proc/PID/status (RssAnon, RssFile, RssShmem, ...) summed over `pids`, in KiB. */
export function statusKiB(pids: number[], field: string): number {
  const re = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm');
  let sum = 0;
  for (const pid of pids) {
    try {
      const m = re.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m !== null) sum += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return sum;
}

/** Peak resident memory (VmHWM) summed over `pids`, in KiB. */
export function hwmKiB(pids: number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m !== null) sum += Number(m[1]);
    } catch {
      /* gone */
    }
  }
  return sum;
}

export function clockTicks(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
}

// ---------------------------------------------------------------- NSD

/**
 * An nsd.conf for one zone, `BENCH_ORIGIN` from `zonePath`, on
 * 127.0.0.1@port with one server process; `zoneExtra` lines go into the
 * zone: clause (e.g. provide-xfr).
 */
export function nsdConf(dir: string, port: number, zonePath: string, zoneExtra: string[] = [], serverCount = 1): string {
  // Response rate limiting is on by default in Debian's build (200 qps
  // per source); a benchmark from one source must turn it off.
  return [
    'server:',
    `  ip-address: 127.0.0.1@${port}`,
    `  server-count: ${serverCount}`,
    '  username: ""',
    '  chroot: ""',
    `  zonesdir: "${dir}"`,
    `  pidfile: "${join(dir, 'nsd.pid')}"`,
    '  database: ""',
    `  zonelistfile: "${join(dir, 'zone.list')}"`,
    `  xfrdfile: "${join(dir, 'xfrd.state')}"`,
    `  xfrdir: "${dir}"`,
    '  verbosity: 0',
    '  hide-version: yes',
    '  rrl-ratelimit: 0',
    '  rrl-whitelist-ratelimit: 0',
    'remote-control:',
    '  control-enable: no',
    'zone:',
    `  name: "${BENCH_ORIGIN.replace(/\.$/, '')}"`,
    `  zonefile: "${zonePath}"`,
    ...zoneExtra.map((l) => `  ${l}`),
    '',
  ].join('\n');
}

/** A primary zone read from a file, for the many-zone configurations below. */
export interface FileZone {
  /** The origin, with or without its final dot. */
  name: string;
  /** Absolute path of its zone file. */
  file: string;
}

/**
 * An nsd.conf for many primary zones on 127.0.0.1@port, one server
 * process, rate limiting off, no IXFR files, nothing logged below errors
 * (the test kit's nsdConf, with the benchmark's settings).
 */
export function nsdZonesConf(dir: string, port: number, zones: readonly FileZone[]): string {
  return nsdConfFor(
    dir,
    port,
    zones.map((z) => ({ name: z.name, file: z.file, ixfr: false, allowTransfer: [] })),
    { verbosity: 0, extraServer: ['hide-version: yes'] },
  );
}

/**
 * A knot.conf for many primary zones on 127.0.0.1@port (the test kit's
 * knotConf: one UDP, one TCP and one background worker, storage in
 * `dir`), files only read (`zonefile-sync: -1`), no journal, no transfer
 * ACL, warnings and errors logged only.
 */
export function knotZonesConf(dir: string, port: number, zones: readonly FileZone[]): string {
  return knotConfFor(
    dir,
    port,
    zones.map((z) => ({ name: z.name, file: z.file, allowTransfer: [], extra: ['journal-content: none'] })),
    { logLevel: 'warning' },
  );
}

// ---------------------------------------------------------------- tools

/** How each tool the benches run tells its version: the arguments, and where the number stands in what it prints. */
const VERSION_ASK = {
  dnsperf: { args: ['-h'], re: /Version\s+(\S+)/ },
  dig: { args: ['-v'], re: /DiG\s+(\S+)/ },
  named: { args: ['-v'], re: /BIND\s+(\S+)/ },
  knotd: { args: ['-V'], re: /version (\S+)/i },
  nsd: { args: ['-v'], re: /NSD version (\S+)/i },
} as const;

export type BenchTool = keyof typeof VERSION_ASK;

/** The version `tool` (run as `cmd`, by default its name) prints; 'unknown version' when none is found in it, null when it does not run. */
export function toolVersion(tool: BenchTool, cmd: string = tool): string | null {
  const { args, re } = VERSION_ASK[tool];
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error !== undefined) return null;
  return re.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? 'unknown version';
}

/** The version of a tool the part `what` cannot run without; null, with a loud SKIP line, when it is not installed. */
export function neededToolVersion(tool: BenchTool, what: string): string | null {
  const v = toolVersion(tool);
  if (v === null) console.log(`\n!!!! SKIP ${what}: ${tool} is not installed; nothing was measured !!!!\n`);
  return v;
}

export function findNsd(): string | null {
  for (const cand of ['nsd', '/usr/sbin/nsd', '/usr/local/sbin/nsd']) {
    if (cand.startsWith('/') && !existsSync(cand)) continue;
    const r = spawnSync(cand, ['-v'], { encoding: 'utf8' });
    if (r.error === undefined && /NSD version/i.test(`${r.stdout}${r.stderr}`)) return cand;
  }
  return null;
}

export function findKnotd(): string | null {
  for (const cand of ['knotd', '/usr/sbin/knotd', '/usr/local/sbin/knotd']) {
    if (cand.startsWith('/') && !existsSync(cand)) continue;
    const r = spawnSync(cand, ['-V'], { encoding: 'utf8' });
    if (r.error === undefined && /Knot DNS/i.test(`${r.stdout}${r.stderr}`)) return cand;
  }
  return null;
}

/** The first lines of a message, joined, at most 300 characters. */
export function oneLine(s: string): string {
  const t = s.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(0, 3).join(' | ');
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function pct(f: number): string {
  return `${(f * 100).toFixed(f < 0.01 && f > 0 ? 2 : 1)}%`;
}

/** One `dnsperf -c 4 -q 200` run of `seconds` at 127.0.0.1:`port` over `queryPath`: its queries per second. */
export function dnsperfQps(port: number, queryPath: string, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('dnsperf', ['-s', '127.0.0.1', '-p', String(port), '-d', queryPath, '-l', String(seconds), '-c', '4', '-q', '200'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(killer);
      const m = /Queries per second:\s+([\d.]+)/.exec(out);
      if (code !== 0 || m === null) reject(new Error(`dnsperf exited with ${code}: ${out.slice(-1000)}`));
      else resolve(Number(m[1]));
    });
  });
}

/** The median (the upper one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
