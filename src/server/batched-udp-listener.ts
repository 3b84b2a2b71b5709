/**
 * The UDP listener on the batched socket (issue 16 §2): the same interface,
 * hooks and counters as UdpListener (node:dgram), with up to 64 datagrams
 * read by one recvmmsg, answered by the responder in one JavaScript call and
 * sent by one sendmmsg. The responder sees the same octets and the same
 * client address as through node:dgram, so the answers are the same.
 */
import { BatchedUdpSocket, type BatchModule, type BatchStats } from './batched-udp-socket.js';
import type { HandleContext } from './handle-context.js';
import type { ListenerErrorSink, QueryHooks } from './listener-callbacks.js';
import { needsOwner, type OwnerRelay } from './owner-relay.js';
import type { Responder } from './responder.js';

/** Bursts overflow Linux's default receive buffer; ask for 4 MiB as UdpListener does (capped at net.core.rmem_max). */
const RECV_BUFFER = 4 << 20;

/** The counters of every batched socket of the process, closed ones included (for the metrics page). */
export const batchedUdpTotals = { sendDropped: 0, sendRetried: 0, truncated: 0 };

/** Every open batched listener, so the metrics page can add their live counters. */
const open = new Set<BatchedUdpListener>();

/** Replies dropped with the send buffer full, and the others counted, over every batched socket of the process. */
export function batchedUdpCounters(): { sendDropped: number; sendRetried: number; truncated: number } {
  const t = { ...batchedUdpTotals };
  for (const l of open) {
    const s = l.stats();
    if (s === null) continue;
    t.sendDropped += s.sendDropped;
    t.sendRetried += s.sendRetried;
    t.truncated += s.truncated;
  }
  return t;
}

/** Test settings of the socket (the daemon uses the defaults). */
export interface BatchedListenerOptions {
  recvStride?: number;
  sndbuf?: number;
  slots?: number;
  /** SO_REUSEPORT: a socket per serving thread on the same address (issue 16 §3). */
  reusePort?: boolean;
  /** In a serving thread: where the queries only the main thread can answer go (owner-relay.ts). */
  relay?: OwnerRelay;
}

export class BatchedUdpListener {
  readonly #module: BatchModule;
  readonly #responder: () => Responder;
  readonly #host: string;
  readonly #port: number;
  readonly #onError: ListenerErrorSink;
  readonly #hooks: QueryHooks;
  readonly #options: BatchedListenerOptions;
  readonly #relay: OwnerRelay | null;
  #socket: BatchedUdpSocket | null = null;
  /** One context for every datagram, of the same shape as UdpListener's: handling is synchronous, so only the address changes. */
  readonly #ctx: { tcp: false; address: string } & HandleContext = { tcp: false, address: '' };

  constructor(module: BatchModule, responder: () => Responder, host: string, port: number, onError: ListenerErrorSink, hooks: QueryHooks, options: BatchedListenerOptions = {}) {
    this.#module = module;
    this.#responder = responder;
    this.#host = host;
    this.#port = port;
    this.#onError = onError;
    this.#hooks = hooks;
    this.#options = options;
    this.#relay = options.relay ?? null;
  }

  /** Binds the socket; rejects when the address cannot be bound (with node:dgram's error codes: EADDRINUSE, ...). */
  listen(): Promise<{ host: string; port: number }> {
    try {
      const s = new BatchedUdpSocket(
        this.#module,
        { host: this.#host, port: this.#port, rcvbuf: RECV_BUFFER, sndbuf: this.#options.sndbuf ?? 0, recvStride: this.#options.recvStride, slots: this.#options.slots, reusePort: this.#options.reusePort === true },
        (n) => this.#batch(n),
        (err) => this.#onError(err, `udp socket ${this.#host}:${this.#port}`),
      );
      this.#socket = s;
      open.add(this);
      return Promise.resolve({ host: this.#host, port: s.port });
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** The socket's counters (null: not bound). */
  stats(): BatchStats | null {
    return this.#socket?.stats() ?? null;
  }

  /** The socket (tests: its test hooks). */
  get socket(): BatchedUdpSocket | null {
    return this.#socket;
  }

  close(): Promise<void> {
    const s = this.#socket;
    if (s !== null) {
      this.#socket = null;
      open.delete(this);
      s.close();
      const st = s.stats();
      batchedUdpTotals.sendDropped += st.sendDropped;
      batchedUdpTotals.sendRetried += st.sendRetried;
      batchedUdpTotals.truncated += st.truncated;
    }
    return Promise.resolve();
  }

  /** Passes datagram i to the main thread; its answer is sent from this socket, to the peer kept (counted there). */
  #relayed(s: BatchedUdpSocket, i: number, query: Uint8Array, address: string): void {
    const peer = s.peer(i);
    this.#relay!.relay(query, address, (out) => {
      if (out !== null) s.sendPeer(peer, out);
    });
  }

  /** Answers datagrams 0..n-1 of the batch, as UdpListener answers one. */
  #batch(n: number): void {
    const s = this.#socket;
    if (s === null) return;
    const hooks = this.#hooks;
    const ctx = this.#ctx;
    for (let i = 0; i < n; i++) {
      const length = s.length(i);
      if (length < 0) continue; // longer than a slot (MSG_TRUNC): counted by the socket, dropped
      const counters = hooks.counters;
      const t0 = counters === null ? 0 : performance.now();
      const msg = s.data(i);
      ctx.address = s.addressOf(i);
      if (this.#relay !== null && needsOwner(msg, length)) {
        this.#relayed(s, i, msg.slice(0, length), ctx.address);
        continue;
      }
      const slot = s.sendSlot(i);
      let n: number;
      let r: Responder;
      try {
        r = this.#responder();
        // Written into the send slot itself (issue 16 §1): a prepared answer costs no allocation.
        n = r.handleInto(msg, ctx, length, slot);
      } catch (err) {
        // A bug, not the client's fault: no answer, and the process keeps serving.
        this.#onError(err, `udp query from ${ctx.address}`);
        continue;
      }
      const out = n > 0 ? slot : n < 0 ? r.oversize : null;
      if (n > 0) s.replyLength(i, n);
      else if (n < 0) s.reply(i, r.oversize!);
      const observe = hooks.observe;
      if (observe !== null) observe(msg.subarray(0, length), out === slot ? slot.slice(0, n) : out, ctx.address, false);
      // CoreDNS's family: 2 for IPv6 clients; an IPv4 client of a dual-stack socket (::ffff:a.b.c.d) is 1.
      if (counters !== null) counters.count(false, s.family(i) === 6 && !s.mapped(i), r.lastQtype, out === null ? -1 : r.rcodeOf(out), performance.now() - t0);
    }
  }
}
