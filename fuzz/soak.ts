/**
 * The network soak, `runSoak` (`npm run fuzz -- --target soak`: fuzz/soak-main.ts).
 *
 * Starts a real `tyne serve` child on a free 127.0.0.1 port with the bundled
 * zones (and a generated one to transfer), then throws mutated traffic at
 * it: N mutated UDP datagrams (default 10,000,000 at 20,000 a second
 * (`--rate`), at most 2000 in flight, replies read and discarded) and, at the same time, a few
 * hundred TCP connections with broken streams (partial length prefixes,
 * lengths longer than the data, long pipelines, 1-octet-every-10-ms writes,
 * half-open connections, resets, garbage), plus the attacks of issue 12
 * (fuzz/soak-attacks.ts): the answer-cache attacks, a connection flood past
 * tcp-max-connections, a slowly read AXFR and a one-query-a-second client.
 * A checked probe query goes every 20 ms throughout; the server's RSS is
 * sampled before, every 5 s during, and 2 s after.
 * It passes when the server is still alive, answers `shop.example MX`
 * correctly over UDP and TCP, answered the probe correctly throughout (a
 * wrong answer fails, and so do more than 1 % lost (10 % unpaced, when the
 * flood keeps the server saturated) or 2 s without a correct answer), the
 * transfer and the
 * steady client were never cut, and its RSS stayed within its RSS before
 * plus the configured answer-cache bound plus 100 MiB.
 * Every loop is bounded in count and time; the server is always stopped and
 * the temporary directory removed.
 * Its parts: the traffic (fuzz/soak-traffic.ts), the UDP flood
 * (soak-udp-flood.ts), the TCP storm (soak-tcp-storm.ts), the server
 * (soak-server.ts), the attacks and observers (soak-attacks.ts,
 * soak-observer.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQuery, queryTcp, queryUdp } from '../test/support/dns-client.js';
import { freePort } from '../test/support/ports.js';
import { Rng } from '../test/support/rng.js';
import { sleep } from '../test/support/wait.js';
import { CACHE_ATTACKER, SLOW_READER, STEADY_CLIENT, TCP_FLOODER, cacheAttack, checkMx, tcpAttacks, type CacheAttackStats, type ProbeResult, type SteadyStats, type TcpAttackStats } from './soak-attacks.js';
import { startObserver } from './soak-observer.js';
import { ANSWER_CACHE_MIB, AXFR_ZONE, alive, procStatus, startServer, type SoakServer } from './soak-server.js';
import { tcpStorm } from './soak-tcp-storm.js';
import { Generator } from './soak-traffic.js';
import { udpFlood } from './soak-udp-flood.js';

export interface SoakOptions {
  /** Mutated UDP datagrams to send. */
  packets: number;
  /** Upper bound on the traffic phase (UDP sending and TCP streams), in seconds. */
  seconds: number;
  /** TCP connections opened in total. */
  tcpConnections: number;
  seed: number;
  /** Most UDP datagrams in flight (sent, unanswered, younger than 250 ms). */
  inFlight?: number;
  /** Mutated datagrams per second at most (0: as fast as the in-flight window allows). */
  rate?: number;
  /** UDP client sockets. */
  sockets?: number;
  /** TCP connections open at once. */
  tcpConcurrency?: number;
  /** Longest life of one TCP connection, in ms. */
  tcpMaxMs?: number;
  /** RSS sampling period, in ms. */
  sampleMs?: number;
  /** The attacks of fuzz/soak-attacks.ts mixed in (default: on, sized as below). */
  attacks?: Partial<AttackOptions> | false;
  /** Interval of the checked probe query, in ms (default 20). */
  probeEveryMs?: number;
  log?: (line: string) => void;
}

export interface AttackOptions {
  /** Cache-attack queries, and one in how many is padded with 60 KB. */
  cacheQueries: number;
  padEvery: number;
  /** Silent flood connections in all, and open at once (past tcp-max-connections). */
  floodTotal: number;
  floodConcurrent: number;
  /** Records of the zone transferred slowly, and the pause between its messages, ms. */
  axfrRecords: number;
  axfrGapMs: number;
}

const DEFAULT_ATTACKS: AttackOptions = { cacheQueries: 400_000, padEvery: 8, floodTotal: 20_000, floodConcurrent: 1_100, axfrRecords: 100_000, axfrGapMs: 20 };

export interface RssSample {
  atMs: number;
  kib: number;
}

export interface SoakResult {
  ok: boolean;
  failures: string[];
  port: number;
  pid: number;
  sent: number;
  sendErrors: number;
  replies: number;
  udpSeconds: number;
  packetsPerSec: number;
  tcp: Record<string, number>;
  probesFailed: number;
  probes: number;
  rssBeforeKiB: number;
  rssPeakKiB: number;
  rssAfterKiB: number;
  /** The kernel's VmHWM (peak RSS) at the end. */
  hwmKiB: number;
  samples: RssSample[];
  serverExit: string | null;
  serverStderr: string;
  serverLogLines: number;
  cache: CacheAttackStats | null;
  tcpAttack: TcpAttackStats | null;
  /** The one-query-a-second TCP client (with the attacks). */
  steady: SteadyStats | null;
  probe: ProbeResult;
  /** The RSS the server may reach: its RSS before plus the answer cache's byte bound plus RSS_SLACK_KIB. */
  rssBoundKiB: number;
}

/** KiB in a MiB (RSS figures are in KiB). */
export const MiB = 1024;
/** Growth allowed besides the answer cache: buffers, TCP state, V8 heap slack. */
const RSS_SLACK_KIB = 100 * MiB;

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const log = opts.log ?? (() => {});
  const o = {
    inFlight: opts.inFlight ?? 2000,
    rate: opts.rate ?? 0,
    sockets: opts.sockets ?? 4,
    tcpConcurrency: opts.tcpConcurrency ?? 40,
    tcpMaxMs: opts.tcpMaxMs ?? 5000,
    sampleMs: opts.sampleMs ?? 5000,
  };
  const failures: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tyne-soak-'));
  let server: SoakServer | undefined;
  try {
    const port = await freePort();
    const attacks: AttackOptions | null = opts.attacks === false ? null : { ...DEFAULT_ATTACKS, ...opts.attacks };
    server = await startServer(dir, port, attacks?.axfrRecords ?? 10);
    const srv = server;
    const pid = srv.pid;
    const t0 = Date.now();
    const samples: RssSample[] = [];
    const sample = (): number => {
      const kib = procStatus(pid, 'VmRSS');
      if (kib >= 0) samples.push({ atMs: Date.now() - t0, kib });
      return kib;
    };
    const rssBefore = sample();
    log(`tyne pid ${pid} on 127.0.0.1:${port}; RSS before ${(rssBefore / MiB).toFixed(1)} MiB`);

    const rng = new Rng(opts.seed);
    const gen = new Generator(rng);
    const tcpRng = new Rng(opts.seed ^ 0x7c9);
    const tcpGen = new Generator(tcpRng);
    const deadline = Date.now() + opts.seconds * 1000;
    const tcpStats: Record<string, number> = {};
    const dead = (): boolean => srv.exit() !== null;

    // Every sampling period: RSS, and a valid probe query (a hang shows up as failed probes).
    let probes = 0;
    let probesFailed = 0;
    let sampling = true;
    const sampler = (async () => {
      let next = Date.now() + o.sampleMs;
      while (sampling) {
        await sleep(Math.min(100, Math.max(0, next - Date.now())));
        if (!sampling || Date.now() < next) continue;
        next += o.sampleMs;
        const kib = sample();
        const id = 1 + (probes++ % 60000);
        let ok = 'ok';
        try {
          const r = await queryUdp(port, buildQuery({ id, name: 'shop.example', type: 15 }), 2000);
          const bad = checkMx(r, id);
          if (bad) {
            probesFailed++;
            ok = `bad (${bad})`;
          }
        } catch {
          probesFailed++;
          ok = 'no answer';
        }
        log(`  t+${((Date.now() - t0) / 1000).toFixed(0)} s: RSS ${(kib / MiB).toFixed(1)} MiB, probe ${ok}`);
      }
    })();

    // The attacks and the checked probe run until the mutated traffic is done (or the server dies).
    let trafficDone = false;
    const over = (): boolean => trafficDone || dead();
    // The probe and the steady client run in a worker thread (fuzz/soak-observer.ts), so that the load made here does not delay them.
    const observer = startObserver(port, opts.probeEveryMs ?? 20, deadline, attacks !== null);
    const cacheRun = attacks ? cacheAttack(port, new Rng(opts.seed ^ 0xcac4e), attacks.cacheQueries, over, deadline, attacks.padEvery) : Promise.resolve(null);
    const tcpRun = attacks ? tcpAttacks(port, { floodTotal: attacks.floodTotal, floodConcurrent: attacks.floodConcurrent, axfrZone: AXFR_ZONE, axfrGapMs: attacks.axfrGapMs }, over, deadline) : Promise.resolve(null);
    const [udp] = await Promise.all([
      udpFlood(port, gen, { packets: opts.packets, inFlight: o.inFlight, sockets: o.sockets, rate: o.rate }, deadline, dead),
      tcpStorm(port, tcpGen, tcpRng, opts.tcpConnections, o.tcpConcurrency, o.tcpMaxMs, deadline, tcpStats),
    ]);
    trafficDone = true;
    const [cache, tcpAttack] = await Promise.all([cacheRun, tcpRun]);
    const { probe: probed, steady } = await observer.stop();
    sampling = false;
    await sampler;
    const pps = udp.sent / (udp.elapsedMs / 1000);
    log(`UDP: ${udp.sent} sent in ${(udp.elapsedMs / 1000).toFixed(1)} s (${Math.round(pps)}/s), ${udp.replies} replies, ${udp.sendErrors} send errors`);
    log(`TCP: ${JSON.stringify(tcpStats)}`);
    if (cache) log(`cache attack (from ${CACHE_ATTACKER}): ${JSON.stringify(cache)}`);
    if (tcpAttack) log(`TCP attacks (flood from ${TCP_FLOODER}, transfer to ${SLOW_READER}): ${JSON.stringify(tcpAttack)}`);
    if (steady) log(`steady client (${STEADY_CLIENT}): ${JSON.stringify(steady)}`);
    log(`probe: ${JSON.stringify(probed)}`);

    await sleep(2000);
    const rssAfter = sample();
    const hwm = procStatus(pid, 'VmHWM');
    const rssPeak = Math.max(...samples.map((s) => s.kib));
    log(`RSS after ${(rssAfter / MiB).toFixed(1)} MiB, peak ${(Math.max(rssPeak, rssAfter) / MiB).toFixed(1)} MiB`);

    const isAlive = srv.exit() === null && alive(pid);
    if (!isAlive) failures.push(`server died: ${srv.exit() ?? 'kill -0 failed'}; stderr: ${srv.stderr().slice(-2000)}`);
    else {
      try {
        const r = await queryUdp(port, buildQuery({ id: 0x4d58, name: 'shop.example', type: 15 }), 3000);
        const bad = checkMx(r, 0x4d58);
        if (bad) failures.push(`UDP shop.example MX: ${bad}`);
      } catch (e) {
        failures.push(`UDP shop.example MX: ${String(e)}`);
      }
      try {
        const [r] = await queryTcp(port, [buildQuery({ id: 0x4d59, name: 'shop.example', type: 15 })], 5000);
        const bad = checkMx(r!, 0x4d59);
        if (bad) failures.push(`TCP shop.example MX: ${bad}`);
      } catch (e) {
        failures.push(`TCP shop.example MX: ${String(e)}`);
      }
      const bound = rssBefore + ANSWER_CACHE_MIB * MiB + RSS_SLACK_KIB;
      if (rssBefore < 0 || rssAfter < 0) failures.push('could not read the server RSS');
      else if (rssAfter > bound) {
        failures.push(`RSS grew from ${(rssBefore / MiB).toFixed(1)} to ${(rssAfter / MiB).toFixed(1)} MiB (bound ${(bound / MiB).toFixed(1)} MiB: before + ${ANSWER_CACHE_MIB} MiB answer cache + ${RSS_SLACK_KIB / MiB} MiB)`);
      }
    }
    if (probed.wrong.length > 0) failures.push(`${probed.wrong.length} probe answers wrong, e.g. ${probed.wrong[0]}`);
    // Unpaced, the flood keeps the server saturated (2,000 in flight), so the kernel drops a probe now and then: up to
    // 10 % lost is allowed there. Paced below the server's capacity (--rate, the long run's default), at most 1 %.
    // A server that hangs or stops answering shows as a long stretch without a correct answer, or as most probes lost.
    const lossBound = o.rate > 0 ? 0.01 : 0.1;
    if (probed.sent > 0 && probed.lost > Math.max(2, probed.sent * lossBound)) failures.push(`${probed.lost} of ${probed.sent} probes unanswered (bound ${lossBound * 100} %)`);
    if (probed.longestGapMs > 2000) failures.push(`no correct probe answer for ${Math.round(probed.longestGapMs)} ms`);
    if (tcpAttack) {
      if (!tcpAttack.axfrComplete) failures.push(`the slowly read transfer was cut: ${tcpAttack.axfrError ?? 'incomplete'}`);
    }
    if (steady && (steady.cut !== null || steady.answered !== steady.sent)) {
      failures.push(`the one-query-a-second client was cut off after ${steady.answered}/${steady.sent} answers: ${steady.cut ?? ''}`);
    }
    if (udp.sent < opts.packets) log(`note: time limit reached after ${udp.sent} of ${opts.packets} packets`);
    return {
      ok: failures.length === 0,
      failures,
      port,
      pid,
      sent: udp.sent,
      sendErrors: udp.sendErrors,
      replies: udp.replies,
      udpSeconds: udp.elapsedMs / 1000,
      packetsPerSec: pps,
      tcp: tcpStats,
      probes,
      probesFailed,
      rssBeforeKiB: rssBefore,
      rssPeakKiB: Math.max(rssPeak, rssAfter),
      rssAfterKiB: rssAfter,
      hwmKiB: hwm,
      samples,
      serverExit: srv.exit(),
      serverStderr: srv.stderr(),
      serverLogLines: srv.logLines(),
      cache,
      tcpAttack,
      steady,
      probe: probed,
      rssBoundKiB: rssBefore + ANSWER_CACHE_MIB * MiB + RSS_SLACK_KIB,
    };
  } finally {
    if (server) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
