/**
 * NOTIFY out (RFC 1996): tell a secondary that a zone changed, over UDP,
 * retrying with backoff until it answers; and a per-(zone, peer) queue in
 * which a newer serial replaces one still waiting.
 */
import { BlockList } from 'node:net';
import DgramAsPromised from 'dgram-as-promised';
import { Opcode, Rcode, RRClass, RRType, decodeMessage, emptyMessage, encodeMessageToBytes, type Name } from '../wire/index.js';
import { peerText, type Peer } from './peer.js';
import { tsigSign, tsigVerify, type TsigKey } from '../tsig/index.js';

/**
 * Signs one outgoing NOTIFY (TSIG, RFC 8945) and checks the answer to that
 * very message (its MAC covers the request MAC).
 */
export type NotifySigner = (query: Uint8Array) => { bytes: Uint8Array; verify(response: Uint8Array): boolean };

/**
 * A NotifySigner with a TSIG key: each try is signed afresh (RFC 8945
 * §5.1), and an answer counts only when it carries a TSIG by the same key
 * that verifies against that try's MAC with no TSIG error (§5.3.2).
 * `now` (seconds; default the clock) is the time signed, for tests.
 */
export function tsigNotifySigner(key: TsigKey, opts: { now?: () => number } = {}): NotifySigner {
  const keys = (name: Name): TsigKey | undefined => (name.equals(key.name) ? key : undefined);
  return (query) => {
    const { bytes, mac } = tsigSign(query, key, opts.now === undefined ? {} : { now: opts.now() });
    return {
      bytes,
      verify(response: Uint8Array): boolean {
        const v = tsigVerify(response, keys, { requestMac: mac });
        return v.present && !v.malformed && v.error === 0 && v.tsigError === 0;
      },
    };
  };
}

export interface SendNotifyOptions {
  origin: Name;
  serial: number;
  /** SOA rdata to carry in the answer section (RFC 1996 §3.7). */
  soa: Uint8Array;
  /** TTL of that SOA record (default 0). */
  soaTtl?: number;
  peer: Peer;
  /** TSIG signing of each try, and verification of the answer; unsigned when absent. */
  sign?: NotifySigner;
  /** Messages sent before giving up (default 5, RFC 1996 §3.6 "a few"). */
  tries?: number;
  /** Wait for an answer to the first try (default 1000 ms); doubled for each further try. */
  firstTimeoutMs?: number;
  /** Stops waiting (resolves with acked false). */
  signal?: AbortSignal;
}

export interface SendNotifyResult {
  /** The peer answered NOERROR. */
  acked: boolean;
  /** Messages sent. */
  tries: number;
  /** RCODE of the answer, when one came. */
  rcode?: number;
  /** True when `signal` stopped it. */
  aborted?: boolean;
}

/** Whether `addr` (as the socket reports it) is the peer's address, whatever its spelling. */
function samePeerAddress(peer: Peer, addr: string): boolean {
  if (addr === peer.host) return true;
  try {
    const bl = new BlockList();
    bl.addAddress(peer.host, peer.family === 6 ? 'ipv6' : 'ipv4');
    return bl.check(addr, peer.family === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
}

/** The NOTIFY message of RFC 1996 §3.7 (without TSIG). */
export function buildNotify(id: number, origin: Name, soa: Uint8Array, soaTtl = 0): Uint8Array {
  const m = emptyMessage(id);
  m.opcode = Opcode.NOTIFY;
  m.aa = true;
  m.questions.push({ name: origin, type: RRType.SOA, class: RRClass.IN });
  m.answers.push({ name: origin, type: RRType.SOA, class: RRClass.IN, ttl: soaTtl, rdata: soa });
  return encodeMessageToBytes(m);
}

type Packet = Awaited<ReturnType<ReturnType<typeof DgramAsPromised.createSocket>['recv']>>;

/**
 * Sends a NOTIFY for `origin` to `peer` and waits for the answer: same ID,
 * QR set, opcode NOTIFY, from the peer's address and port (and, when
 * signed, a TSIG that verifies). Every try reuses the ID, so a late answer
 * to an earlier try still counts. An answer with an error RCODE ends the
 * tries (acked false, `rcode` set). Never throws for network trouble.
 */
export async function sendNotify(opts: SendNotifyOptions): Promise<SendNotifyResult> {
  const tries = Math.max(1, opts.tries ?? 5);
  const first = Math.max(1, opts.firstTimeoutMs ?? 1000);
  const { peer, signal } = opts;
  const id = (Math.random() * 0x10000) | 0;
  const query = buildNotify(id, opts.origin, opts.soa, opts.soaTtl ?? 0);
  if (signal?.aborted) return { acked: false, tries: 0, aborted: true };

  let sock: ReturnType<typeof DgramAsPromised.createSocket>;
  try {
    sock = DgramAsPromised.createSocket(peer.family === 6 ? 'udp6' : 'udp4');
    await sock.bind();
  } catch {
    return { acked: false, tries: 0 };
  }

  // The verifier of every try sent: an answer to any of them is good.
  const verifiers: ((r: Uint8Array) => boolean)[] = [];
  // One receive outstanding at a time, kept across tries so nothing arriving between waits is lost.
  let pending: Promise<Packet | 'error'> | null = null;
  let aborted = false;
  let wake: (() => void) | null = null;
  const onAbort = (): void => {
    aborted = true;
    wake?.();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  /** Waits up to `ms` for a matching answer; its RCODE, or null. */
  const await1 = async (ms: number): Promise<number | null> => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (aborted) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      pending ??= sock.recv().catch((): 'error' => 'error');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), left);
        wake = () => resolve('timeout');
      });
      const got = await Promise.race([pending, timeout]);
      clearTimeout(timer);
      wake = null;
      if (got === 'timeout') continue;
      pending = null;
      if (got === undefined) return null; // socket closed
      if (got === 'error') {
        // A socket error (ICMP unreachable, ...): nothing more for this try.
        await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
        return null;
      }
      if (got.rinfo.port !== peer.port || !samePeerAddress(peer, got.rinfo.address)) continue;
      let rcode: number;
      try {
        const m = decodeMessage(got.msg);
        if (m.id !== id || !m.qr || m.opcode !== Opcode.NOTIFY) continue;
        rcode = m.rcode;
      } catch {
        continue;
      }
      if (opts.sign !== undefined && !verifiers.some((v) => v(got.msg))) continue;
      return rcode;
    }
  };

  let sent = 0;
  try {
    for (let i = 0; i < tries && !aborted; i++) {
      let bytes = query;
      if (opts.sign !== undefined) {
        try {
          const s = opts.sign(query);
          bytes = s.bytes;
          verifiers.push((r) => {
            try {
              return s.verify(r);
            } catch {
              return false;
            }
          });
        } catch {
          return { acked: false, tries: sent };
        }
      }
      try {
        await sock.send(bytes, peer.port, peer.host);
      } catch {
        /* unreachable, no route, ...: counts as a try; wait it out */
      }
      sent++;
      const rcode = await await1(first * 2 ** i);
      if (rcode !== null) {
        return rcode === Rcode.NOERROR ? { acked: true, tries: sent, rcode } : { acked: false, tries: sent, rcode };
      }
    }
    return aborted ? { acked: false, tries: sent, aborted: true } : { acked: false, tries: sent };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await sock.close().catch(() => undefined);
  }
}

/** What a Notifier needs to know about the zone it announces. */
export interface NotifyZone {
  origin: Name;
  serial: number;
  /** SOA rdata. */
  soa: Uint8Array;
  soaTtl?: number;
}

export interface NotifierLog {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}

export interface NotifierOptions {
  log: NotifierLog;
  /** The signer for a peer with a TSIG key (`peer.key`); undefined sends unsigned. */
  signerFor?: (peer: Peer) => NotifySigner | undefined;
  tries?: number;
  firstTimeoutMs?: number;
  /** NOTIFYs in flight at once, over all zones and peers (default 32). */
  maxInFlight?: number;
  /** The peer acknowledged. */
  onAck?: (zone: Name, peer: Peer, tries: number, serial: number) => void;
  /** All tries went unanswered, or the peer answered with an error RCODE. */
  onGiveUp?: (zone: Name, peer: Peer, tries: number, serial: number, rcode?: number) => void;
  /** For tests: the sender (default sendNotify). */
  send?: (o: SendNotifyOptions) => Promise<SendNotifyResult>;
}

interface Slot {
  zone: NotifyZone;
  peer: Peer;
  /** The notify in flight, if any. */
  running: { serial: number; ctl: AbortController } | null;
  /** The newest notify waiting for the one in flight to end. */
  next: NotifyZone | null;
  /** Waiting for a free in-flight place. */
  queued: boolean;
}

/**
 * Sends NOTIFYs in the background, one at a time per (zone, peer). A
 * newer serial replaces one still waiting, and cuts short one in flight
 * (the peer will fetch the newest anyway). Giving up is logged as a
 * warning naming the zone and the target.
 */
export class Notifier {
  readonly #opts: NotifierOptions;
  readonly #slots = new Map<string, Slot>();
  readonly #waiting: Slot[] = [];
  #inFlight = 0;
  #stopped = false;
  #idle: (() => void)[] = [];

  constructor(opts: NotifierOptions) {
    this.#opts = opts;
  }

  /** Queues a NOTIFY of `zone` (at its current serial) to each of `peers`. */
  notify(zone: NotifyZone, peers: readonly Peer[]): void {
    if (this.#stopped) return;
    for (const peer of peers) {
      const key = `${zone.origin.key}|${peerText(peer)}`;
      let slot = this.#slots.get(key);
      if (slot === undefined) {
        slot = { zone, peer, running: null, next: null, queued: false };
        this.#slots.set(key, slot);
      }
      if (slot.running === null) {
        slot.zone = zone;
        slot.peer = peer;
        if (!slot.queued) this.#enqueue(slot);
      } else if (slot.running.serial === zone.serial) {
        slot.next = null; // the one in flight already says this
      } else {
        slot.next = zone;
        slot.peer = peer;
        slot.running.ctl.abort();
      }
    }
  }

  /** NOTIFYs in flight or waiting. */
  get pending(): number {
    let n = 0;
    for (const s of this.#slots.values()) n += (s.running ? 1 : 0) + (s.next ? 1 : 0) + (s.queued ? 1 : 0);
    return n;
  }

  /** Resolves when nothing is in flight or waiting. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Cuts short everything in flight and drops what waits. */
  stop(): void {
    this.#stopped = true;
    this.#waiting.length = 0;
    for (const s of this.#slots.values()) {
      s.next = null;
      s.queued = false;
      s.running?.ctl.abort();
    }
    this.#checkIdle();
  }

  #enqueue(slot: Slot): void {
    slot.queued = true;
    this.#waiting.push(slot);
    this.#pump();
  }

  #pump(): void {
    const max = this.#opts.maxInFlight ?? 32;
    while (!this.#stopped && this.#inFlight < max && this.#waiting.length > 0) {
      const slot = this.#waiting.shift()!;
      slot.queued = false;
      void this.#run(slot);
    }
  }

  async #run(slot: Slot): Promise<void> {
    const zone = slot.zone;
    const peer = slot.peer;
    const ctl = new AbortController();
    slot.running = { serial: zone.serial, ctl };
    this.#inFlight++;
    const o = this.#opts;
    const target = peerText(peer);
    let res: SendNotifyResult;
    try {
      const sign = o.signerFor?.(peer);
      res = await (o.send ?? sendNotify)({
        origin: zone.origin, serial: zone.serial, soa: zone.soa, peer, signal: ctl.signal,
        ...(zone.soaTtl !== undefined ? { soaTtl: zone.soaTtl } : {}),
        ...(sign !== undefined ? { sign } : {}),
        ...(o.tries !== undefined ? { tries: o.tries } : {}),
        ...(o.firstTimeoutMs !== undefined ? { firstTimeoutMs: o.firstTimeoutMs } : {}),
      });
    } catch (e) {
      res = { acked: false, tries: 0 };
      o.log.warn({ zone: zone.origin.toText(), target, err: (e as Error).message }, 'NOTIFY failed');
    }
    this.#inFlight--;
    slot.running = null;
    const fields = { zone: zone.origin.toText(), target, serial: zone.serial, tries: res.tries };
    if (res.acked) {
      o.log.info(fields, 'NOTIFY acknowledged');
      o.onAck?.(zone.origin, peer, res.tries, zone.serial);
    } else if (!res.aborted) {
      const why = res.rcode !== undefined ? `NOTIFY to ${target} refused (rcode ${res.rcode})` : `NOTIFY to ${target} unanswered after ${res.tries} tries, giving up`;
      o.log.warn(res.rcode !== undefined ? { ...fields, rcode: res.rcode } : fields, why);
      o.onGiveUp?.(zone.origin, peer, res.tries, zone.serial, res.rcode);
    }
    if (slot.next !== null && !this.#stopped) {
      slot.zone = slot.next;
      slot.next = null;
      this.#enqueue(slot);
    }
    this.#pump();
    this.#checkIdle();
  }

  #checkIdle(): void {
    if (this.pending !== 0) return;
    const w = this.#idle;
    this.#idle = [];
    for (const f of w) f();
  }
}
