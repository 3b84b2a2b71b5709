/**
 * The propagation benchmark: how long an operator's edit of a zone file
 * takes to be served, first by the primary that watches the file (ns1) and
 * then by a Tyne secondary (ns2) that hears a NOTIFY and fetches the change
 * by IXFR. For a 100-record zone and a ~100,000-record zone (--quick:
 * ~10,000): ns1 serves the file with `notify` to ns2 and the default
 * serial policy (increment: the file's serial is never touched, ns1 raises
 * it); ns2 is a secondary of ns1. Each edit rewrites the whole file with
 * one record changed (`bench-edit` A gets a new address), as an editor
 * saving the file does; the clock starts when the write starts, and both
 * servers are polled over UDP every 2 ms (bounded 5 s) until they answer
 * with the new address. Median and p95 per zone size and server; the
 * servers' own log lines give a breakdown (ns1 "zone reloaded", ns2
 * "transfer of").
 *
 * BIND picks up an edit of a primary zone only on `rndc reload`, and
 * CoreDNS's file plugin re-reads the file once a minute by default: no
 * figure is measured for them.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildQuery, queryUdp } from '../support/dns-client.js';
import { repoRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { sleep } from '../support/wait.js';
import { decodeMessage, rcodeToText, rdataToText } from '../../src/wire/index.js';
import { fmtInt, launch, oneLine, queryPacket, stop, type Running } from './bench-servers.js';
import { BENCH_ORIGIN, writeBenchZone } from './zone-generator.js';

const ZONE = BENCH_ORIGIN.replace(/\.$/, '');
const EDIT_HOST = `bench-edit.${BENCH_ORIGIN}`;
/** 5 + 71 A + 24 AAAA from the generator, + bench-edit = 101 records. */
const SMALL_HOSTS = 71;
/** 5 + 75,000 A + 25,000 AAAA + bench-edit = 100,006 records. */
const LARGE_HOSTS = 75_000;
/** --quick: 5 + 7,500 + 2,500 + 1 = 10,006 records. */
const QUICK_LARGE_HOSTS = 7_500;
const POLL_EVERY_MS = 2;
const POLL_TIMEOUT_MS = 5_000;
const PAUSE_BETWEEN_EDITS_MS = 300;
/** Longest wait for ns1 to load the zone, and for ns2 to transfer it the first time. */
const LOAD_TIMEOUT_MS = 120_000;
/** Longest wait for the log lines of an edit after both servers answered. */
const LOG_GRACE_MS = 2_000;

interface LogLine {
  /** performance.now() when the line reached us. */
  at: number;
  o: Record<string, unknown>;
}

interface EditResult {
  writeMs: number;
  /** Until ns1 / ns2 answered with the new address; null when not within POLL_TIMEOUT_MS. */
  ns1Ms: number | null;
  ns2Ms: number | null;
  /** ns1's "zone reloaded" line: its own `ms` (read + parse + diff) and when it reached us (ms after the write started). */
  reloadMs: number | null;
  reloadLoggedMs: number | null;
  serial: number | null;
  /** ns2's "transfer of" line: kind (IXFR/AXFR), its own `ms`, and when it reached us. */
  xfrKind: string | null;
  xfrMs: number | null;
  xfrLoggedMs: number | null;
}

interface SizeResult {
  label: string;
  records: number;
  fileBytes: number;
  edits: EditResult[];
  warnings: string[];
}

export async function runPropagationBench(quick: boolean): Promise<void> {
  const editsPerZone = quick ? 5 : 20;
  const sizes: [string, number][] = [
    ['small', SMALL_HOSTS],
    [quick ? '10k' : '100k', quick ? QUICK_LARGE_HOSTS : LARGE_HOSTS],
  ];
  console.log(
    `Propagation benchmark: an edit of a watched zone file until Tyne serves it, on ns1 (the primary that watches the file) ` +
      `and on ns2 (a Tyne secondary: NOTIFY, then IXFR); ${editsPerZone} edits per zone size${quick ? ' (--quick: rough numbers only)' : ''}`,
  );
  console.log(
    `each edit rewrites the whole file (writeFileSync) with ${EDIT_HOST} A changed, serial left alone (serial-policy increment raises it); ` +
      `clock from the start of the write; both servers polled over UDP every ${POLL_EVERY_MS} ms (at most ${POLL_TIMEOUT_MS / 1000} s); ` +
      `${PAUSE_BETWEEN_EDITS_MS} ms pause between edits; ${cpus().length} CPUs shared by both servers and the poller; node ${process.version}`,
  );
  const load = loadavg()[0]!;
  if (load > 0.5) console.log(`!!!! the 1-minute load average is ${load.toFixed(2)} before the run: numbers may be noisy !!!!`);
  console.log('');

  const results: SizeResult[] = [];
  for (const [label, hosts] of sizes) {
    try {
      results.push(await measureSize(label, hosts, editsPerZone));
    } catch (e) {
      console.log(`!!!! FAILED ${label} zone: ${oneLine((e as Error).message)} !!!!`);
    }
  }
  console.log('');
  printResults(results);
}

// ---------------------------------------------------------------- one zone size

async function measureSize(label: string, hosts: number, edits: number): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tyne-prop-bench-'));
  const running: Running[] = [];
  try {
    const zonePath = join(dir, 'bench.zone');
    const records = writeBenchZone(zonePath, hosts) + 1;
    // The generated zone, then the one record the edits change.
    const base = readFileSync(zonePath, 'utf8');
    const zoneText = (addr: string): string => `${base}bench-edit IN A ${addr}\n`;
    writeFileSync(zonePath, zoneText(address(0)));
    const fileBytes = Buffer.byteLength(zoneText(address(0)));

    const ns1Port = await freePort();
    let ns2Port = await freePort();
    for (let i = 0; i < 10 && ns2Port === ns1Port; i++) ns2Port = await freePort();
    const ns1Conf = join(dir, 'ns1.yaml');
    writeFileSync(
      ns1Conf,
      [
        `listen: ["127.0.0.1:${ns1Port}"]`,
        'log: { level: info }',
        'zones:',
        `  - name: ${ZONE}`,
        `    file: ${JSON.stringify(zonePath)}`,
        `    notify: ["127.0.0.1:${ns2Port}"]`,
        '    allow-transfer: ["127.0.0.1/32"]',
        '',
      ].join('\n'),
    );
    mkdirSync(join(dir, 'ns2'));
    const ns2Conf = join(dir, 'ns2.yaml');
    writeFileSync(
      ns2Conf,
      [
        `listen: ["127.0.0.1:${ns2Port}"]`,
        'log: { level: info }',
        'zones:',
        `  - name: ${ZONE}`,
        '    type: secondary',
        `    primaries: ["127.0.0.1:${ns1Port}"]`,
        `    file: ${JSON.stringify(join(dir, 'ns2', 'bench.zone'))}`,
        '',
      ].join('\n'),
    );

    const ns1 = launchTyne(ns1Conf);
    running.push(ns1);
    const ns1Log = logLines(ns1);
    await waitForAddress(ns1Port, ns1, address(0), LOAD_TIMEOUT_MS, 'ns1');
    const ns2 = launchTyne(ns2Conf);
    running.push(ns2);
    const ns2Log = logLines(ns2);
    await waitForAddress(ns2Port, ns2, address(0), LOAD_TIMEOUT_MS, 'ns2');
    // Let the watcher finish its initial scan and the startup NOTIFY/refresh traffic settle.
    await sleep(1000);

    const p1 = await Poller.open(ns1Port);
    const p2 = await Poller.open(ns2Port);
    const out: EditResult[] = [];
    const warnings: string[] = [];
    try {
      for (let i = 1; i <= edits; i++) {
        const addr = address(i);
        const text = zoneText(addr);
        const mark1 = ns1Log.lines.length;
        const mark2 = ns2Log.lines.length;
        const t0 = performance.now();
        writeFileSync(zonePath, text);
        const writeMs = performance.now() - t0;
        const [ns1Ms, ns2Ms] = await Promise.all([p1.until(addr, t0, POLL_TIMEOUT_MS), p2.until(addr, t0, POLL_TIMEOUT_MS)]);
        if (ns1.exited() || ns2.exited()) throw new Error(`a server exited: ${ns1.exited() ? `ns1: ${ns1.output()}` : `ns2: ${ns2.output()}`}`);

        const reloaded = await ns1Log.wait(mark1, (o) => o.msg === 'zone reloaded', LOG_GRACE_MS);
        const serialTo = reloaded === null ? null : numberOr((reloaded.o.serial as Record<string, unknown> | undefined)?.to);
        const xfr = await ns2Log.wait(
          mark2,
          (o) => typeof o.msg === 'string' && o.msg.startsWith(`transfer of ${BENCH_ORIGIN}`) && (serialTo === null || o.to === serialTo),
          LOG_GRACE_MS,
        );
        const r: EditResult = {
          writeMs,
          ns1Ms,
          ns2Ms,
          reloadMs: reloaded === null ? null : numberOr(reloaded.o.ms),
          reloadLoggedMs: reloaded === null ? null : reloaded.at - t0,
          serial: serialTo,
          xfrKind: xfr === null ? null : typeof xfr.o.kind === 'string' ? xfr.o.kind : null,
          xfrMs: xfr === null ? null : numberOr(xfr.o.ms),
          xfrLoggedMs: xfr === null ? null : xfr.at - t0,
        };
        out.push(r);
        if (ns1Ms === null) warnings.push(`edit ${i}: ns1 did not answer ${addr} within ${POLL_TIMEOUT_MS / 1000} s`);
        if (ns2Ms === null) warnings.push(`edit ${i}: ns2 did not answer ${addr} within ${POLL_TIMEOUT_MS / 1000} s`);
        if (reloaded === null) warnings.push(`edit ${i}: no "zone reloaded" line from ns1`);
        if (xfr === null) warnings.push(`edit ${i}: no "transfer of" line from ns2 for serial ${serialTo ?? '?'}`);
        else if (r.xfrKind !== 'IXFR') warnings.push(`edit ${i}: ns2 fetched the change by ${r.xfrKind ?? '?'}, not IXFR`);
        // Several reloads for one write (the watch seeing the truncate and the write apart) show as extra lines.
        const extra = ns1Log.lines.slice(mark1).filter((l) => l.o.msg === 'zone reloaded').length - 1;
        if (extra > 0) warnings.push(`edit ${i}: ns1 reloaded the zone ${extra + 1} times for one write`);
        for (const l of [...ns1Log.lines.slice(mark1), ...ns2Log.lines.slice(mark2)]) {
          if (numberOr(l.o.level) !== null && (l.o.level as number) >= 40) warnings.push(`edit ${i}: logged: ${oneLine(String(l.o.msg))}`);
        }
        await sleep(PAUSE_BETWEEN_EDITS_MS);
      }
    } finally {
      p1.close();
      p2.close();
    }
    const fmt = (v: number | null): string => (v === null ? 'timeout' : v.toFixed(0));
    console.log(
      `  measured ${label} (${fmtInt(records)} records): ns1 ${out.map((r) => fmt(r.ns1Ms)).join(' ')} ms; ns2 ${out.map((r) => fmt(r.ns2Ms)).join(' ')} ms`,
    );
    return { label, records, fileBytes, edits: out, warnings };
  } finally {
    for (const r of running) await stop(r);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The address of `bench-edit` after edit `i` (0: before any edit). */
function address(i: number): string {
  return `198.51.${100 + (i >> 8)}.${i & 255}`;
}

function numberOr(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function launchTyne(conf: string): Running {
  return launch(process.execPath, [resolve(repoRoot, 'bin', 'tyne'), 'serve', '--config', conf]);
}

/** Polls `bench-edit` A every 200 ms until the server answers with `addr`. */
async function waitForAddress(port: number, server: Running, addr: string, timeoutMs: number, who: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (let id = 0x2000; Date.now() < deadline; id = (id + 1) & 0xffff) {
    if (server.exited()) throw new Error(`${who} exited before answering: ${server.output() || '(no output)'}`);
    try {
      const m = decodeMessage(await queryUdp(port, buildQuery({ id, name: EDIT_HOST, type: 1 }), 500));
      const a = m.answers.find((rr) => rr.type === 1);
      if (m.rcode === 0 && a !== undefined && rdataToText(1, a.rdata) === addr) return;
      last = a === undefined ? `${rcodeToText(m.rcode)}, no A` : `${rcodeToText(m.rcode)} ${rdataToText(1, a.rdata)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${who} did not answer ${EDIT_HOST} A ${addr} within ${timeoutMs / 1000} s (last: ${last}): ${server.output() || '(no output)'}`);
}

/** The JSON lines a server prints on stdout, as they arrive. */
function logLines(r: Running): { lines: LogLine[]; wait(from: number, pred: (o: Record<string, unknown>) => boolean, timeoutMs: number): Promise<LogLine | null> } {
  const lines: LogLine[] = [];
  let buf = '';
  r.child.stdout!.on('data', (c: Buffer) => {
    const at = performance.now();
    buf += c.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const o = JSON.parse(line) as unknown;
        if (o !== null && typeof o === 'object') lines.push({ at, o: o as Record<string, unknown> });
      } catch {
        /* not a log line */
      }
    }
  });
  return {
    lines,
    async wait(from, pred, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const hit = lines.slice(from).find((l) => pred(l.o));
        if (hit !== undefined) return hit;
        if (performance.now() >= deadline) return null;
        await sleep(10);
      }
    },
  };
}

/**
 * One UDP socket on 127.0.0.1 asking one server for `bench-edit` A every
 * POLL_EVERY_MS; only answers to the queries of the current round count.
 */
class Poller {
  private id = 0;
  private round = new Set<number>();
  private want: { addr: string; t0: number; done: (ms: number) => void } | null = null;

  private constructor(
    private readonly sock: Socket,
    private readonly port: number,
  ) {
    sock.on('message', (msg) => {
      const at = performance.now();
      const w = this.want;
      if (w === null || msg.length < 12 || !this.round.has(msg.readUInt16BE(0))) return;
      try {
        const m = decodeMessage(msg);
        if (m.rcode !== 0) return;
        if (m.answers.some((rr) => rr.type === 1 && rdataToText(1, rr.rdata) === w.addr)) w.done(at - w.t0);
      } catch {
        /* not a DNS answer */
      }
    });
    sock.on('error', () => {
      /* keep polling */
    });
  }

  static async open(port: number): Promise<Poller> {
    const sock = createSocket('udp4');
    await new Promise<void>((res, rej) => {
      sock.once('error', rej);
      sock.bind(0, '127.0.0.1', () => res());
    });
    return new Poller(sock, port);
  }

  /** Milliseconds from `t0` until the server answered with `addr`; null after `timeoutMs`. */
  until(addr: string, t0: number, timeoutMs: number): Promise<number | null> {
    this.round.clear();
    return new Promise((res) => {
      let timer: ReturnType<typeof setInterval> | undefined;
      const finish = (v: number | null): void => {
        if (this.want === null) return;
        this.want = null;
        clearInterval(timer);
        res(v);
      };
      this.want = { addr, t0, done: (ms) => finish(ms) };
      const send = (): void => {
        if (performance.now() - t0 > timeoutMs) {
          finish(null);
          return;
        }
        this.id = (this.id + 1) & 0xffff;
        this.round.add(this.id);
        this.sock.send(queryPacket(this.id, EDIT_HOST), this.port, '127.0.0.1');
      };
      send();
      timer = setInterval(send, POLL_EVERY_MS);
    });
  }

  close(): void {
    this.sock.close();
  }
}

// ---------------------------------------------------------------- output

/** Median (lower of the two middle values for an even count), nearest-rank p95 and max; null values (timeouts) count as +Infinity. */
function stats(values: (number | null)[]): { median: number; p95: number; max: number; timeouts: number } | null {
  if (values.length === 0) return null;
  const v = values.map((x) => (x === null ? Infinity : x)).sort((a, b) => a - b);
  return {
    median: v[Math.floor((v.length - 1) / 2)]!,
    p95: v[Math.min(v.length - 1, Math.ceil(0.95 * v.length) - 1)]!,
    max: v[v.length - 1]!,
    timeouts: values.filter((x) => x === null).length,
  };
}

/** Goals for ns2 (issue item 7): the small zone's median; the large one's median, and no edit over a second. */
const GOALS = { small: { median: 200, max: Infinity }, large: { median: 500, max: 1000 } };

function printResults(results: SizeResult[]): void {
  const ms = (n: number): string => (Number.isFinite(n) ? fmtInt(n) : '>5000');
  const rows: string[][] = [
    ['zone', 'records', 'file KB', 'edits', 'ns1 median ms', 'ns1 p95 ms', 'ns2 median ms', 'ns2 p95 ms', 'ns2 max ms', 'goal (ns2)', ''],
  ];
  for (const r of results) {
    const s1 = stats(r.edits.map((e) => e.ns1Ms));
    const s2 = stats(r.edits.map((e) => e.ns2Ms));
    const goal = r.label === 'small' ? GOALS.small : GOALS.large;
    const met = s2 !== null && s2.median < goal.median && s2.max <= goal.max;
    rows.push([
      r.label,
      fmtInt(r.records),
      fmtInt(r.fileBytes / 1024),
      String(r.edits.length),
      s1 === null ? 'n/a' : ms(s1.median),
      s1 === null ? 'n/a' : ms(s1.p95),
      s2 === null ? 'n/a' : ms(s2.median),
      s2 === null ? 'n/a' : ms(s2.p95),
      s2 === null ? 'n/a' : ms(s2.max),
      `median < ${fmtInt(goal.median)} ms${Number.isFinite(goal.max) ? `, max <= ${fmtInt(goal.max)} ms` : ''}`,
      s2 === null ? 'n/a' : met ? 'met' : 'NOT met',
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  console.log('(ms from the start of the write of the zone file until the server answers the new address; p95 nearest-rank; a timeout counts as >5000)');
  console.log('');
  console.log('breakdown, medians from the servers\' log lines (ms after the write started, as the lines reached the bench):');
  for (const r of results) {
    const med = (xs: (number | null)[]): string => {
      const s = stats(xs.filter((x): x is number => x !== null));
      return s === null ? 'n/a' : fmtInt(s.median);
    };
    const kinds = new Map<string, number>();
    for (const e of r.edits) kinds.set(e.xfrKind ?? 'none', (kinds.get(e.xfrKind ?? 'none') ?? 0) + 1);
    console.log(
      `  ${r.label}: write ${med(r.edits.map((e) => e.writeMs))} ms; ns1 "zone reloaded" at ${med(r.edits.map((e) => e.reloadLoggedMs))} ` +
        `(its own read+parse+diff ${med(r.edits.map((e) => e.reloadMs))}); ns2 "transfer of" at ${med(r.edits.map((e) => e.xfrLoggedMs))} ` +
        `(its own ${med(r.edits.map((e) => e.xfrMs))}); transfers: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`,
    );
    for (const w of r.warnings.slice(0, 10)) console.log(`  !!!! ${r.label}: ${w} !!!!`);
    if (r.warnings.length > 10) console.log(`  !!!! ${r.label}: ${r.warnings.length - 10} more warnings !!!!`);
  }
  console.log('');
  console.log(
    'no figure for the others: BIND serves an edited primary zone only after a manual `rndc reload` (then NOTIFY and IXFR as here), ' +
      'and CoreDNS\'s file plugin re-reads the zone file once a minute by default (reload 1m), so an edit waits up to 60 s.',
  );
}
