/**
 * The batched UDP socket (issue 16 §2): the loader of the native module
 * (src/native/udp-batch.c, built by scripts/build-native.mjs at `npm
 * install`) and a typed wrapper around it. The module reads up to 64
 * datagrams with one recvmmsg(2) into `recv`, calls `onBatch(n)` once, and
 * sends the replies JavaScript wrote into `send` with one sendmmsg(2).
 *
 * The module is loaded by file path through createRequire, not imported:
 * src/native holds no TypeScript, so it adds no edge to the import graph
 * (test/unit/import-graph.test.ts); only this file loads it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { formatIPv4, formatIPv6 } from '../wire/index.js';

/** Where `npm install` builds the module (from dist/src/server/ or src/server/, three folders up is the checkout). */
export const BATCH_MODULE_PATH = fileURLToPath(new URL('../../../src/native/build/Release/udp_batch.node', import.meta.url));

/** Octets of one slot's meta: int32 length (-1: truncated), int32 family, int32 port, 16 octets of address, 4 spare. */
export const META_STRIDE = 32;
/** Datagrams per batch at most (the module's). */
export const MAX_SLOTS = 64;
/** A receive slot holds the largest UDP datagram (65,507 octets of IPv4 payload, 65,527 of IPv6), so none is cut (as node:dgram's). */
export const RECV_STRIDE = 65_536 + 512;
/** A send slot holds the largest UDP answer Tyne makes (udp-payload is at most 4096) and a TSIG; larger ones go one at a time. */
export const SEND_STRIDE = 8192;

/** The counters of one socket, in the module's order. */
export interface BatchStats {
  received: number;
  sent: number;
  /** Datagrams longer than a receive slot (MSG_TRUNC): dropped, as node:dgram cannot have them either. */
  truncated: number;
  /** Replies the kernel did not take at once (send buffer full): kept and sent again when the socket was writable. */
  sendRetried: number;
  /** Replies still not taken at the retry: dropped (the metric tyne_udp_send_dropped_total). */
  sendDropped: number;
  /** Replies that failed for another reason (one message each; the rest of the batch was sent). */
  sendErrors: number;
  recvErrors: number;
  batches: number;
}

interface NativeOpenOptions {
  host: string;
  port: number;
  family: 4 | 6;
  slots: number;
  recvStride: number;
  sendStride: number;
  recv: Uint8Array;
  meta: Uint8Array;
  send: Uint8Array;
  slen: Int32Array;
  onBatch: (count: number) => void;
  onError: (errno: number, text: string) => void;
  rcvbuf: number;
  sndbuf: number;
  /** 1: SO_REUSEPORT, one socket per serving thread on the same address (issue 16 §3). */
  reusePort: number;
}

/** The native module's exports (src/native/udp-batch.c). */
export interface BatchModule {
  open(o: NativeOpenOptions): { handle: object; port: number };
  close(handle: object): void;
  stats(handle: object, out: Float64Array): void;
  sendOne(handle: object, slot: number, bytes: Uint8Array): void;
  testFullSendBuffer(handle: object, n: number): void;
  peer(handle: object, slot: number, out: Uint8Array): void;
  sendPeer(handle: object, peer: Uint8Array, bytes: Uint8Array): void;
  readonly maxSlots: number;
  /** Octets of a peer as `peer` copies it. */
  readonly peerBytes: number;
}

/** The module, or why it cannot be used (one line for the operator). */
export type BatchModuleLoad = { module: BatchModule; reason: null } | { module: null; reason: string };

const loaded = new Map<string, BatchModuleLoad>();

/** Loads the native module once per path; never throws. */
export function loadBatchModule(path = BATCH_MODULE_PATH): BatchModuleLoad {
  const known = loaded.get(path);
  if (known !== undefined) return known;
  let r: BatchModuleLoad;
  if (process.platform !== 'linux') r = { module: null, reason: `recvmmsg and sendmmsg need Linux, this is ${process.platform}` };
  else if (!existsSync(path)) r = { module: null, reason: `${path} was not built` };
  else {
    try {
      const m = createRequire(import.meta.url)(path) as BatchModule;
      r = typeof m.open === 'function' && typeof m.sendPeer === 'function' ? { module: m, reason: null } : { module: null, reason: `${path} is not the batched UDP module of this version (npm run build:native builds it)` };
    } catch (err) {
      r = { module: null, reason: `${path} does not load: ${(err as Error).message.split('\n')[0]}` };
    }
  }
  loaded.set(path, r);
  return r;
}

export interface BatchedSocketOptions {
  host: string;
  port: number;
  /** Datagrams per batch (1..64; default 64). */
  slots?: number;
  /** Octets of a receive slot (default RECV_STRIDE); a longer datagram is dropped and counted (tests make it small). */
  recvStride?: number;
  /** SO_RCVBUF asked for (the kernel caps it at net.core.rmem_max); 0 = the system's. */
  rcvbuf?: number;
  /** SO_SNDBUF asked for; 0 = the system's. */
  sndbuf?: number;
  /** SO_REUSEPORT: other sockets (serving threads) may bind the same address and port (issue 16 §3). */
  reusePort?: boolean;
}

/**
 * One bound UDP socket read and written in batches. `onBatch(n)` sees
 * datagrams 0..n-1 (`length(i)`, `data(i)`, the source through `family`,
 * `port`, `addressOf`) and answers datagram i by `reply(i, bytes)`
 * (or leaves it unanswered). It runs synchronously: the replies go out in
 * one sendmmsg when it returns. The reply goes to the datagram's source,
 * from the address it came to (on a wildcard socket too).
 */
export class BatchedUdpSocket {
  readonly #m: BatchModule;
  readonly #handle: object;
  readonly port: number;
  readonly slots: number;
  readonly recvStride: number;
  /** The datagrams: datagram i at i * recvStride. */
  readonly recv: Uint8Array;
  /** Datagram i's slot (a view made once: `data(i)` allocates nothing). */
  readonly #views: Uint8Array[];
  readonly #meta: Int32Array;
  readonly #metaBytes: Uint8Array;
  readonly #send: Uint8Array;
  readonly #slen: Int32Array;
  /** Send slot i (views made once). */
  readonly #sendViews: Uint8Array[];
  readonly #stats = new Float64Array(8);
  #closed = false;
  /** The last address formatted, by its raw octets (most batches come from few clients). */
  #lastFamily = 0;
  readonly #lastRaw = new Int32Array(4);
  #lastText = '';

  constructor(m: BatchModule, o: BatchedSocketOptions, onBatch: (count: number) => void, onError: (err: Error) => void) {
    const slots = Math.max(1, Math.min(o.slots ?? MAX_SLOTS, MAX_SLOTS, m.maxSlots));
    const recvStride = o.recvStride ?? RECV_STRIDE;
    this.#m = m;
    this.slots = slots;
    this.recvStride = recvStride;
    // Not zero-filled: the pages of a slot become resident only once a datagram that long arrives.
    this.recv = new Uint8Array(Buffer.allocUnsafeSlow(slots * recvStride).buffer, 0, slots * recvStride);
    this.#views = Array.from({ length: slots }, (_, i) => this.recv.subarray(i * recvStride, (i + 1) * recvStride));
    const meta = new ArrayBuffer(slots * META_STRIDE);
    this.#meta = new Int32Array(meta);
    this.#metaBytes = new Uint8Array(meta);
    this.#send = new Uint8Array(new ArrayBuffer(slots * SEND_STRIDE));
    this.#slen = new Int32Array(slots);
    this.#sendViews = Array.from({ length: slots }, (_, i) => this.#send.subarray(i * SEND_STRIDE, (i + 1) * SEND_STRIDE));
    const host = o.host;
    const opened = m.open({
      host,
      port: o.port,
      family: host.includes(':') ? 6 : 4,
      slots,
      recvStride,
      sendStride: SEND_STRIDE,
      recv: this.recv,
      meta: this.#metaBytes,
      send: this.#send,
      slen: this.#slen,
      onBatch,
      onError: (errno, text) => onError(Object.assign(new Error(`udp socket ${host}: ${text}`), { errno })),
      rcvbuf: o.rcvbuf ?? 0,
      sndbuf: o.sndbuf ?? 0,
      reusePort: o.reusePort === true ? 1 : 0,
    });
    this.#handle = opened.handle;
    this.port = opened.port;
  }

  /** Datagram i's length, or -1 when it was longer than a receive slot (dropped). */
  length(i: number): number {
    return this.#meta[i * 8]!;
  }

  /** Datagram i's slot (its first `length(i)` octets are the datagram). */
  data(i: number): Uint8Array {
    return this.#views[i]!;
  }

  /** 4 or 6: the source's family as the socket saw it (an IPv4 client of a dual-stack socket is 6, ::ffff:a.b.c.d). */
  family(i: number): number {
    return this.#meta[i * 8 + 1]!;
  }

  sourcePort(i: number): number {
    return this.#meta[i * 8 + 2]!;
  }

  /** True for an IPv4-mapped IPv6 source (::ffff:a.b.c.d). */
  mapped(i: number): boolean {
    const w = this.#meta;
    const b = i * 8 + 3;
    return w[b] === 0 && w[b + 1] === 0 && this.#metaBytes[i * META_STRIDE + 20] === 0 && this.#metaBytes[i * META_STRIDE + 21] === 0 &&
      this.#metaBytes[i * META_STRIDE + 22] === 0xff && this.#metaBytes[i * META_STRIDE + 23] === 0xff;
  }

  /**
   * Datagram i's source address as node:dgram's rinfo.address spells it
   * (`192.0.2.1`, `2001:db8::1`, `::ffff:192.0.2.1`). The same address as
   * the datagram before gives the same string back, with no allocation.
   */
  addressOf(i: number): string {
    const w = this.#meta;
    const b = i * 8 + 3;
    const family = w[i * 8 + 1]!;
    const last = this.#lastRaw;
    if (family === this.#lastFamily && w[b] === last[0] && (family === 4 || (w[b + 1] === last[1] && w[b + 2] === last[2] && w[b + 3] === last[3]))) {
      return this.#lastText;
    }
    const text = family === 4 ? formatIPv4(this.#metaBytes, i * META_STRIDE + 12) : ipv6Text(this.#metaBytes, i * META_STRIDE + 12);
    this.#lastFamily = family;
    last[0] = w[b]!;
    last[1] = w[b + 1]!;
    last[2] = w[b + 2]!;
    last[3] = w[b + 3]!;
    this.#lastText = text;
    return text;
  }

  /** Answers datagram i with `bytes` (sent when onBatch returns; a reply larger than a send slot is sent at once). */
  reply(i: number, bytes: Uint8Array): void {
    if (bytes.length > SEND_STRIDE) {
      this.#m.sendOne(this.#handle, i, bytes);
      return;
    }
    this.#send.set(bytes, i * SEND_STRIDE);
    this.#slen[i] = bytes.length;
  }

  /** Datagram i's send slot, to write a reply in place; then `replyLength(i, n)`. A view made once: it allocates nothing. */
  sendSlot(i: number): Uint8Array {
    return this.#sendViews[i]!;
  }

  replyLength(i: number, n: number): void {
    this.#slen[i] = n;
  }

  stats(): BatchStats {
    const s = this.#stats;
    if (!this.#closed) this.#m.stats(this.#handle, s);
    return { received: s[0]!, sent: s[1]!, truncated: s[2]!, sendRetried: s[3]!, sendDropped: s[4]!, sendErrors: s[5]!, recvErrors: s[6]!, batches: s[7]! };
  }

  /**
   * Datagram i's peer (its source, and the address it was sent to), as
   * opaque octets that outlive the batch: for a reply sent later by `sendPeer`.
   */
  peer(i: number): Uint8Array {
    const out = new Uint8Array(this.#m.peerBytes);
    this.#m.peer(this.#handle, i, out);
    return out;
  }

  /** Sends `bytes` to a peer `peer` kept, from the address its datagram came to (dropped once closed). */
  sendPeer(peer: Uint8Array, bytes: Uint8Array): void {
    if (!this.#closed) this.#m.sendPeer(this.#handle, peer, bytes);
  }

  /** Test hook: the next `n` send attempts find the send buffer full. */
  testFullSendBuffer(n: number): void {
    this.#m.testFullSendBuffer(this.#handle, n);
  }

  /** Closes the socket (idempotent). Called inside onBatch, the batch gets no replies. */
  close(): void {
    if (this.#closed) return;
    this.#m.stats(this.#handle, this.#stats);
    this.#closed = true;
    this.#m.close(this.#handle);
  }
}

/**
 * RFC 5952 §4 text of an IPv6 address, as inet_ntop (and so libuv and
 * node:dgram) writes it: the wire layer's formatter, which writes the same
 * (the table in the socket's unit test checks it against node's forms).
 */
export function ipv6Text(b: Uint8Array, at: number): string {
  return formatIPv6(b, at);
}
