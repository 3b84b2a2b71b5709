/**
 * The attacks of issue 12 that the network soak (fuzz/soak.ts) mixes into
 * its mutated traffic, each from its own loopback address so that the
 * server's per-client limits apply to the attacker and not to the probe:
 * - the prepared-answer cache attacks: every TYPEn at a CNAME owner (each
 *   (type, DO) once a separate cache entry), and cacheable queries padded
 *   with a 60 KB EDNS option (each entry once pinned its whole datagram);
 * - the TCP attacks: a connection flood past `tcp-max-connections`, a zone
 *   transfer read slowly all the while, and a client sending one query a
 *   second, neither of which may be cut off;
 * - a probe: a checked `shop.example MX` over UDP every `everyMs`, with
 *   the latency of each answer.
 * Every loop is bounded in count and time.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { decodeMessage } from '../src/wire/index.js';
import { buildQuery, messageId, openTcp, type TcpConversation } from '../test/support/dns-client.js';
import type { Rng } from '../test/support/rng.js';
import { sleep } from '../test/support/wait.js';

/** Source addresses of the attackers (all loopback on Linux; the probe and the soak's own traffic use 127.0.0.1). */
export const CACHE_ATTACKER = '127.0.0.2';
export const TCP_FLOODER = '127.0.0.3';
export const SLOW_READER = '127.0.0.4';
export const STEADY_CLIENT = '127.0.0.5';

/** Null when `reply` is a correct answer to `shop.example MX` with `id`, else what is wrong. */
export function checkMx(reply: Uint8Array, id: number): string | null {
  try {
    const m = decodeMessage(reply);
    const problems: string[] = [];
    if (messageId(reply) !== id) problems.push(`id ${messageId(reply)} != ${id}`);
    if (!m.qr) problems.push('QR clear');
    if (m.rcode !== 0) problems.push(`rcode ${m.rcode}`);
    if (!m.aa) problems.push('AA clear');
    const mx = m.answers.filter((r) => r.type === 15);
    if (m.answers.length !== 2 || mx.length !== 2) problems.push(`${m.answers.length} answers (${mx.length} MX)`);
    return problems.length ? problems.join(', ') : null;
  } catch (e) {
    return `undecodable reply: ${String(e)}`;
  }
}

async function udpSocket(address: string): Promise<UdpSocket> {
  const s = createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 8 << 20 });
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, address, () => {
      s.off('error', reject);
      resolve();
    });
  });
  s.on('error', () => {
    /* a send failed: counted as unanswered */
  });
  return s;
}

// --- the cache attacks ------------------------------------------------------------

export interface CacheAttackStats {
  /** TYPEn (n from 1000 up, with and without DO) at CNAME owners and under a delegation. */
  typeQueries: number;
  /** The same, padded with a 60,000-octet EDNS option. */
  paddedQueries: number;
  replies: number;
}

/** Names whose answers the server prepares once and keeps (a CNAME owner, a delegation, plain data). */
const CACHEABLE = ['www.shop.example', 'shop.shop.example', 'www.hosting.example', 'x.eu.shop.example'];
/** EDNS option code from the local/experimental range (RFC 6891 §9): ignored by the server, kept in the datagram. */
const PAD_OPTION = 65001;
const PAD_OCTETS = 60_000;

/**
 * Sends `count` attack queries from CACHE_ATTACKER, at most `inFlight`
 * unanswered at once (answers or 200 ms each), until `done()` or
 * `deadline`. One in `padEvery` is padded.
 */
export async function cacheAttack(port: number, rng: Rng, count: number, done: () => boolean, deadline: number, padEvery = 8, inFlight = 64): Promise<CacheAttackStats> {
  const st: CacheAttackStats = { typeQueries: 0, paddedQueries: 0, replies: 0 };
  const s = await udpSocket(CACHE_ATTACKER);
  let outstanding = 0;
  s.on('message', () => {
    st.replies++;
    outstanding = Math.max(0, outstanding - 1);
  });
  const pad = new Uint8Array(PAD_OCTETS);
  let type = 1000;
  for (let i = 0; i < count && !done() && Date.now() < deadline; i++) {
    for (let w = 0; outstanding >= inFlight && w < 20; w++) await sleep(10);
    if (outstanding >= inFlight) outstanding = 0; // 200 ms without answers: count them lost, go on
    // Every query asks a type not asked before at a CNAME owner or a delegation (one prepared answer each, once);
    // one in `padEvery` is padded (each such entry once pinned the whole 60 KB datagram). Letter case varies.
    const padded = i % padEvery === padEvery - 1;
    const name = [...rng.pick(CACHEABLE)].map((c) => (rng.chance(0.3) ? c.toUpperCase() : c)).join('');
    const edns = { udpPayload: 1232, do: (i & 1) === 1, ...(padded ? { options: [{ code: PAD_OPTION, data: pad }] } : {}) };
    const q = buildQuery({ id: i & 0xffff, name, type, edns });
    if (padded) st.paddedQueries++;
    else st.typeQueries++;
    if ((i & 1) === 1) type = type >= 65_000 ? 1000 : type + 1;
    outstanding++;
    s.send(q, port, '127.0.0.1');
    if ((i & 31) === 31) await new Promise<void>((r) => setImmediate(r));
  }
  await sleep(200);
  s.close();
  return st;
}

// --- the TCP attacks --------------------------------------------------------------

export interface TcpAttackStats {
  /** Connections the flood opened (each held open, silent, until the server closed it or the run ended). */
  floodOpened: number;
  /** Of those, closed by the server. */
  floodClosedByServer: number;
  floodErrors: number;
  /** Records of the slowly read transfer, and whether it ended with the closing SOA. */
  axfrRecords: number;
  axfrComplete: boolean;
  axfrError: string | null;
}

/**
 * A flood of silent connections from TCP_FLOODER: at most `concurrent`
 * open at once, `total` in all, until `done()` or `deadline`; each one the
 * server closes is replaced.
 */
async function tcpFlood(port: number, total: number, concurrent: number, done: () => boolean, deadline: number, st: TcpAttackStats): Promise<void> {
  const over = (): boolean => done() || Date.now() >= deadline;
  const open = new Set<Socket>();
  let opened = 0;
  const one = (): Promise<void> =>
    new Promise((finished) => {
      const sock = connect({ port, host: '127.0.0.1', localAddress: TCP_FLOODER });
      opened++;
      st.floodOpened++;
      open.add(sock);
      let ended = false;
      const end = (how: 'server' | 'error'): void => {
        if (ended) return;
        ended = true;
        open.delete(sock);
        if (how === 'server') st.floodClosedByServer++;
        else st.floodErrors++;
        sock.destroy();
        finished();
      };
      sock.on('error', () => end('error'));
      sock.on('close', () => end('server'));
      sock.on('data', () => {});
    });
  const lanes: Promise<void>[] = [];
  for (let l = 0; l < concurrent; l++) {
    lanes.push(
      (async () => {
        while (opened < total && !over()) {
          const closed = one();
          let gone = false;
          void closed.then(() => (gone = true));
          // Held open until the server closes it or the run ends (checked every 100 ms).
          while (!gone && !over()) await Promise.race([closed, sleep(100)]);
          await sleep(5);
        }
      })(),
    );
  }
  await Promise.all(lanes);
  for (const s of open) s.destroy();
}

/** Reads an AXFR of `zone` from SLOW_READER, one message every `gapMs`, until the closing SOA or `deadline`. */
async function slowAxfr(port: number, zone: string, gapMs: number, deadline: number, st: TcpAttackStats): Promise<void> {
  let c: TcpConversation | undefined;
  try {
    c = await openTcp(port, '127.0.0.1', 2000, SLOW_READER);
    c.send(buildQuery({ id: 0xa8f1, name: zone, type: 252 }));
    let soas = 0;
    while (Date.now() < deadline + 30_000) {
      const m = decodeMessage(await c.next(10_000));
      if (m.rcode !== 0) throw new Error(`rcode ${m.rcode}`);
      st.axfrRecords += m.answers.length;
      soas += m.answers.filter((r) => r.type === 6).length;
      if (soas >= 2) {
        st.axfrComplete = true;
        return;
      }
      c.pause();
      await sleep(gapMs);
      c.resume();
    }
    throw new Error('not finished in time');
  } catch (e) {
    st.axfrError = `after ${st.axfrRecords} records: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    c?.close();
  }
}

/** What the steady client sent, the answers it got, and how its connection ended (null: still open at the end, as it must be). */
export interface SteadyStats {
  sent: number;
  answered: number;
  cut: string | null;
}

/** One `shop.example MX` a second over one connection from STEADY_CLIENT, until `done()` or `deadline`. */
export async function steadyClient(port: number, done: () => boolean, deadline: number): Promise<SteadyStats> {
  const st: SteadyStats = { sent: 0, answered: 0, cut: null };
  let c: TcpConversation | undefined;
  try {
    c = await openTcp(port, '127.0.0.1', 2000, STEADY_CLIENT);
    while (!done() && Date.now() < deadline) {
      const id = 0x5000 + (st.sent & 0xfff);
      c.send(buildQuery({ id, name: 'shop.example', type: 15 }));
      st.sent++;
      const bad = checkMx(await c.next(3000), id);
      if (bad !== null) throw new Error(`wrong answer: ${bad}`);
      st.answered++;
      for (let t = 0; t < 10 && !done(); t++) await sleep(100);
    }
  } catch (e) {
    st.cut = e instanceof Error ? e.message : String(e);
  } finally {
    c?.close();
  }
  return st;
}

export interface TcpAttackOptions {
  /** Flood connections in all, and open at once. */
  floodTotal: number;
  floodConcurrent: number;
  /** Zone to transfer slowly (allow-transfer must admit SLOW_READER), and the pause between its messages. */
  axfrZone: string;
  axfrGapMs: number;
}

/** The TCP attacks until `done()` (the flood) or `deadline`; the transfer runs to its end (at most 30 s past `deadline`). */
export async function tcpAttacks(port: number, o: TcpAttackOptions, done: () => boolean, deadline: number): Promise<TcpAttackStats> {
  const st: TcpAttackStats = {
    floodOpened: 0,
    floodClosedByServer: 0,
    floodErrors: 0,
    axfrRecords: 0,
    axfrComplete: false,
    axfrError: null,
  };
  // The transfer connects first, as an established client does (and the steady client, in the observer); the flood comes after.
  const axfr = slowAxfr(port, o.axfrZone, o.axfrGapMs, deadline, st);
  await sleep(100);
  await Promise.all([tcpFlood(port, o.floodTotal, o.floodConcurrent, done, deadline, st), axfr]);
  return st;
}

// --- the probe --------------------------------------------------------------------

export interface ProbeResult {
  sent: number;
  correct: number;
  wrong: string[];
  lost: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Longest time with no correct answer (from the first probe sent to the end): a hang shows here. */
  longestGapMs: number;
}

/** A checked `shop.example MX` from 127.0.0.1 every `everyMs` until `stop()` says so (bounded by `deadline`). */
export async function probeLoop(port: number, everyMs: number, deadline: number, stop: () => boolean): Promise<ProbeResult> {
  const s = await udpSocket('127.0.0.1');
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const wrong: string[] = [];
  let sent = 0;
  const started = performance.now();
  let lastGood = started;
  let longestGapMs = 0;
  s.on('message', (msg: Buffer) => {
    const id = messageId(msg);
    const at = sentAt.get(id);
    if (at === undefined) return;
    sentAt.delete(id);
    const bad = checkMx(msg, id);
    if (bad !== null) wrong.push(bad);
    else {
      const now = performance.now();
      latencies.push(now - at);
      longestGapMs = Math.max(longestGapMs, now - lastGood);
      lastGood = now;
    }
  });
  while (!stop() && Date.now() < deadline) {
    const id = 1 + (sent % 60_000);
    sentAt.set(id, performance.now());
    s.send(buildQuery({ id, name: 'shop.example', type: 15 }), port, '127.0.0.1');
    sent++;
    await sleep(everyMs);
  }
  await sleep(500);
  s.close();
  longestGapMs = Math.max(longestGapMs, performance.now() - 500 - lastGood);
  latencies.sort((a, b) => a - b);
  const at = (p: number): number => (latencies.length === 0 ? 0 : latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * p) - 1)]!);
  return { sent, correct: latencies.length, wrong: wrong.slice(0, 10), lost: sent - latencies.length - wrong.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1), longestGapMs };
}
