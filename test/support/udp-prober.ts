/**
 * A steady stream of UDP queries to one server, to see whether it keeps
 * answering while it does something heavy (a zone reload, a transfer):
 * one query every `everyMs` whether or not the last one was answered
 * (open loop, so a blocked server shows as late answers, not as fewer
 * questions), each answer's latency recorded, and the longest time without
 * any answer. Real sockets on 127.0.0.1 (or ::1); bounded in time.
 */
import { createSocket, type Socket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { buildQuery } from './dns-client.js';
import { sleep } from './wait.js';

export interface ProbeSample {
  /** performance.now() when sent. */
  sentAt: number;
  /** ms until the answer came; null when none came. */
  latencyMs: number | null;
}

export interface ProbeStats {
  sent: number;
  answered: number;
  lost: number;
  /** Latency percentiles of the answered queries (nearest rank), ms. */
  p50: number;
  p99: number;
  max: number;
  /**
   * Longest time without an answer, ms: between two answers to the window's
   * queries (each at sentAt + latency, however late it came), from the
   * window's start (or the last answer to an earlier query, if later) to the
   * first of them, or from the last of them to the window's end; the whole
   * span when none was answered. A stall at a window boundary thus counts
   * once: in the window whose queries waited through it.
   */
  longestGapMs: number;
  /** Longest time between two queries sent: how steady the prober itself was, ms. */
  longestSendGapMs: number;
  /** Length of the window, ms. */
  spanMs: number;
}

export interface ProberOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The name asked (type A). */
  name: string;
  /** Interval between queries, ms (default 1; Node timers fire at about 1 ms at best). */
  everyMs?: number;
}

/** Nearest-rank percentile of sorted values (0 for none). */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}

export class UdpProber {
  readonly #sock: Socket;
  readonly #o: Required<ProberOptions>;
  /** Query bytes by ID (the ID is the only difference). */
  readonly #query: Uint8Array;
  readonly #samples: ProbeSample[] = [];
  /** Index in #samples by message ID of the queries sent (ids wrap after 65536 queries). */
  readonly #byId = new Int32Array(65536).fill(-1);
  #timer: NodeJS.Timeout | undefined;
  #id = 0;

  private constructor(sock: Socket, o: Required<ProberOptions>) {
    this.#sock = sock;
    this.#o = o;
    this.#query = buildQuery({ id: 0, name: o.name, type: 1 });
    sock.on('message', (msg) => {
      const at = performance.now();
      if (msg.length < 12) return;
      const i = this.#byId[msg.readUInt16BE(0)]!;
      const s = i < 0 ? undefined : this.#samples[i];
      if (s === undefined || s.latencyMs !== null) return;
      s.latencyMs = at - s.sentAt;
    });
    sock.on('error', () => {
      /* a send failed: the query counts as lost */
    });
  }

  static async open(opts: ProberOptions): Promise<UdpProber> {
    const host = opts.host ?? '127.0.0.1';
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, host, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    return new UdpProber(sock, { host, everyMs: 1, ...opts });
  }

  /** Starts sending (again); samples accumulate until `stop`. */
  start(): void {
    if (this.#timer !== undefined) return;
    const send = (): void => {
      const id = (this.#id = (this.#id + 1) & 0xffff);
      const q = Buffer.from(this.#query);
      q.writeUInt16BE(id, 0);
      this.#byId[id] = this.#samples.length;
      this.#samples.push({ sentAt: performance.now(), latencyMs: null });
      this.#sock.send(q, this.#o.port, this.#o.host);
    };
    send();
    this.#timer = setInterval(send, this.#o.everyMs);
  }

  /** Stops sending; waits up to `graceMs` (default 200) for the last answers. */
  async stop(graceMs = 200): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const end = performance.now() + graceMs;
    while (performance.now() < end && this.#samples.some((s) => s.latencyMs === null)) await sleep(5);
  }

  /** Forgets every sample so far (a new window starts). */
  reset(): void {
    this.#samples.length = 0;
    this.#byId.fill(-1);
  }

  get samples(): readonly ProbeSample[] {
    return this.#samples;
  }

  /**
   * Figures for the queries sent in [from, to) (performance.now() times;
   * default: all of them); answers are counted however late they came.
   */
  stats(from = -Infinity, to = Infinity): ProbeStats {
    return probeStats(this.#samples, from, to);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sock.close();
  }
}

/**
 * The figures of `UdpProber.stats` for the samples sent in [from, to)
 * (samples in order of sending; an infinite bound: from the first or to the
 * last one sent).
 */
export function probeStats(samples: readonly ProbeSample[], from = -Infinity, to = Infinity): ProbeStats {
  const inWindow = samples.filter((s) => s.sentAt >= from && s.sentAt < to);
  const lat = inWindow.filter((s) => s.latencyMs !== null).map((s) => s.latencyMs!).sort((a, b) => a - b);
  const start = Number.isFinite(from) ? from : (inWindow[0]?.sentAt ?? 0);
  const stop = Number.isFinite(to) ? to : (inWindow[inWindow.length - 1]?.sentAt ?? 0);
  // When the answers to this window's queries came, in order (an answer's time is sentAt + latency).
  const answeredAt = inWindow.filter((s) => s.latencyMs !== null).map((s) => s.sentAt + s.latencyMs!).sort((a, b) => a - b);
  let longestGap = answeredAt.length === 0 ? Math.max(0, stop - start) : 0;
  const first = answeredAt[0];
  if (first !== undefined) {
    // The wait before the first answer, less what answers to other windows' queries already cover (their windows count it).
    let lead = start;
    for (const s of samples) {
      if (s.latencyMs === null || (s.sentAt >= from && s.sentAt < to)) continue;
      const at = s.sentAt + s.latencyMs;
      if (at <= first && at > lead) lead = at;
    }
    longestGap = Math.max(longestGap, first - lead);
  }
  for (let i = 1; i < answeredAt.length; i++) longestGap = Math.max(longestGap, answeredAt[i]! - answeredAt[i - 1]!);
  const last = answeredAt[answeredAt.length - 1];
  if (last !== undefined && last < stop) longestGap = Math.max(longestGap, stop - last);
  let longestSend = 0;
  for (let i = 1; i < inWindow.length; i++) longestSend = Math.max(longestSend, inWindow[i]!.sentAt - inWindow[i - 1]!.sentAt);
  return {
    sent: inWindow.length,
    answered: lat.length,
    lost: inWindow.length - lat.length,
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
    max: lat[lat.length - 1] ?? 0,
    longestGapMs: longestGap,
    longestSendGapMs: longestSend,
    spanMs: stop - start,
  };
}

/** One line of figures, for logs and reports. */
export function probeText(s: ProbeStats): string {
  return (
    `${s.sent} queries over ${s.spanMs.toFixed(0)} ms, ${s.lost} lost; latency p50 ${s.p50.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms, ` +
    `max ${s.max.toFixed(1)} ms; longest gap between answers ${s.longestGapMs.toFixed(1)} ms (longest between queries sent ${s.longestSendGapMs.toFixed(1)} ms)`
  );
}
