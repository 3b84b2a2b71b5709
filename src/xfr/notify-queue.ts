/**
 * The NOTIFY queue (RFC 1996 §3.6): NOTIFYs sent in the background, one at a time per (zone, peer), a
 * newer serial replacing one still waiting, a bound on those in flight.
 */
import { rcodeToText, type Name } from '../wire/index.js';
import type { NotifySigner } from '../tsig/index.js';
import { sendNotify, type SendNotifyOptions, type SendNotifyResult } from './notify-send.js';
import { peerText, type Peer } from './peer.js';

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
      // Logged once, below, with the give-up (one warning per event).
      res = { acked: false, tries: 0, error: e };
    }
    this.#inFlight--;
    slot.running = null;
    const fields = { zone: zone.origin.toText(), peer: target, serial: zone.serial, tries: res.tries, ...(res.error !== undefined ? { err: res.error } : {}) };
    if (res.acked) {
      o.log.info(fields, 'NOTIFY acknowledged');
      o.onAck?.(zone.origin, peer, res.tries, zone.serial);
    } else if (!res.aborted) {
      const zoneText = zone.origin.toText();
      const why = res.rcode !== undefined
        ? `NOTIFY of ${zoneText} serial ${zone.serial} to ${target} answered ${rcodeToText(res.rcode)}; given up`
        : res.error !== undefined
          ? `NOTIFY of ${zoneText} serial ${zone.serial} to ${target} could not be sent: ${(res.error as Error)?.message ?? String(res.error)}; given up`
          : `NOTIFY of ${zoneText} serial ${zone.serial} to ${target} unanswered after ${res.tries} tries; given up`;
      o.log.warn(res.rcode !== undefined ? { ...fields, rcode: rcodeToText(res.rcode) } : fields, why);
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
