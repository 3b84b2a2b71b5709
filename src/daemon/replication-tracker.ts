/**
 * The daemon side of the replication view (issue 15 §2): feeds the pure
 * ReplicationView (src/xfr/replication-view.ts) from transfers out, NOTIFY
 * acknowledgements and SOA probes of the notify targets, and runs NOTIFY
 * until converged (src/xfr/notify-converge.ts). One timer (a tick every
 * 500 ms) for all zones; probes are spread over their interval with jitter
 * and at most MAX_PROBES run at once. Nothing here runs per query.
 */
import { Name } from '../wire/index.js';
import type { Logger } from '../log/logger.js';
import type { TransferOutInfo } from '../server/transfer-hooks.js';
import { addressOctets } from '../xfr/acl.js';
import { ConvergeSchedule, type ConvergeSettings } from '../xfr/notify-converge.js';
import type { NotifyZone } from '../xfr/notify-queue.js';
import { peerText, type Peer } from '../xfr/peer.js';
import { ReplicationView, type SecondaryReplication } from '../xfr/replication-view.js';
import { keyId } from './tsig-key-table.js';

const TICK_MS = 500;
/** SOA probes in flight at once, over all zones. */
const MAX_PROBES = 32;
/** The probe after an acknowledged NOTIFY waits this long: the secondary has had time to ask for a small change. */
const AFTER_ACK_MS = 1000;
/** Clients known only by their transfers are pruned this often. */
const PRUNE_EVERY_MS = 60_000;

/** What a probe found: the serial served, or null when the secondary answered SERVFAIL (it has no copy). Throws when it got no usable answer. */
export type Probe = (origin: Name, peer: Peer) => Promise<number | null>;

export interface ReplicationSettings {
  /** 0: no probes. */
  probeIntervalMs: number;
  converge: ConvergeSettings;
}

interface Target {
  zone: string;
  origin: Name;
  peer: Peer;
  id: string;
  schedule: ConvergeSchedule;
  nextProbeAt: number;
  probing: boolean;
  /** The probe running is a convergence check. */
  check: boolean;
  /** The probe running follows a NOTIFY (it does not start one). */
  afterNotify: boolean;
  /** State and serial last logged (debug), so only changes are. */
  noted: string;
}

interface ZoneEntry {
  origin: Name;
  /** The version last announced (for NOTIFY again); null until served. */
  announce: NotifyZone | null;
  targets: Map<string, Target>;
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const x = addressOctets(a);
  const y = addressOctets(b);
  if (x === null || y === null) return false;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address.
  const v4 = (o: Uint8Array): Uint8Array => (o.length === 16 && o.subarray(0, 10).every((n) => n === 0) && o[10] === 0xff && o[11] === 0xff ? o.subarray(12) : o);
  const p = v4(x);
  const q = v4(y);
  return p.length === q.length && p.every((n, i) => n === q[i]);
}

/** See the header comment. */
export class ReplicationTracker {
  readonly view = new ReplicationView();
  readonly #log: Logger;
  readonly #probe: Probe;
  readonly #notify: (zone: NotifyZone, peer: Peer) => void;
  readonly #now: () => number;
  readonly #random: () => number;
  #settings: ReplicationSettings = { probeIntervalMs: 60_000, converge: { firstMs: 10_000, maxMs: 600_000, limitMs: 3_600_000 } };
  readonly #zones = new Map<string, ZoneEntry>();
  #probes = 0;
  #timer: NodeJS.Timeout | null = null;
  #prunedAt = 0;

  constructor(deps: { log: Logger; probe: Probe; notify: (zone: NotifyZone, peer: Peer) => void; now?: () => number; random?: () => number }) {
    this.#log = deps.log;
    this.#probe = deps.probe;
    this.#notify = deps.notify;
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
  }

  /** The zones we serve (primaries and catalogs) and their notify targets. */
  configure(settings: ReplicationSettings, zones: readonly { name: string; notify: readonly Peer[] }[]): void {
    this.#settings = settings;
    const now = this.#now();
    const keep = new Set<string>();
    for (const z of zones) {
      const origin = Name.fromText(z.name.endsWith('.') ? z.name : `${z.name}.`);
      const zone = origin.toText().toLowerCase();
      keep.add(zone);
      let e = this.#zones.get(zone);
      if (e === undefined) {
        if (z.notify.length === 0) continue;
        e = { origin, announce: null, targets: new Map() };
        this.#zones.set(zone, e);
      }
      const targets = new Map<string, Target>();
      for (const peer of z.notify) {
        const id = peerText(peer);
        const old = e.targets.get(id);
        // The first probe of a new target falls anywhere in the interval: thousands of zones are not probed at once.
        targets.set(id, old !== undefined ? { ...old, peer } : {
          zone, origin, peer, id, schedule: new ConvergeSchedule(), nextProbeAt: now + settings.probeIntervalMs * this.#random(), probing: false, check: false, afterNotify: false, noted: '',
        });
      }
      e.targets = targets;
      this.view.targets(zone, [...targets.keys()]);
    }
    for (const k of [...this.#zones.keys()]) if (!keep.has(k)) this.#zones.delete(k);
    this.view.keepZones(keep);
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.#tick(), TICK_MS);
      this.#timer.unref();
    }
  }

  /** A version of a zone we serve is served from now on; `earlier`: the serials before it (the journal's chain), at the first one. */
  served(zone: NotifyZone, earlier: () => readonly number[]): void {
    const name = zone.origin.toText().toLowerCase();
    const first = this.view.servedSerial(name) === null;
    this.view.served(name, zone.serial, this.#now());
    if (first) this.view.seed(name, earlier());
    const e = this.#zones.get(name);
    if (e === undefined) return;
    e.announce = zone;
    for (const t of e.targets.values()) this.#note(t, this.#now());
  }

  /** A NOTIFY of `serial` is sent to `peer`. */
  notifySent(origin: Name, peer: Peer, serial: number): void {
    this.#target(origin, peer)?.schedule.sent(serial, this.#now());
  }

  /** `peer` acknowledged the NOTIFY: contact, the convergence wait, and a probe a moment later. */
  notifyAcked(origin: Name, peer: Peer, serial: number): void {
    const t = this.#target(origin, peer);
    if (t === undefined) return;
    const now = this.#now();
    this.view.contact(t.zone, t.id, now);
    if (this.view.holds(t.zone, t.id, serial)) t.schedule.converged();
    else t.schedule.acked(serial, now, this.#settings.converge);
    this.#probeSoon(t, now + AFTER_ACK_MS);
    this.#note(t, now);
  }

  /** The NOTIFY was given up (no answer, or an error RCODE): unreachable for now, and probed at once. */
  notifyFailed(origin: Name, peer: Peer, serial: number, reason: string): void {
    const t = this.#target(origin, peer);
    if (t === undefined) return;
    const now = this.#now();
    this.view.failed(t.zone, t.id, now, reason);
    t.schedule.unanswered(serial);
    this.#probeSoon(t, now);
    this.#note(t, now);
  }

  /** An outgoing transfer ended: the IXFR request's SOA, and (complete) the serial sent. */
  transferred(info: TransferOutInfo): void {
    const zone = info.zone.toLowerCase();
    const now = this.#now();
    const id = this.#secondaryOf(zone, info.peer, info.key);
    // RFC 1995 §3: the SOA in an IXFR request is the version the client holds (when it asked).
    if (info.fromSerial !== null) this.view.observe(zone, id, { serial: info.fromSerial, source: 'ixfr-request', at: now - info.durationMs });
    if (info.complete && info.kind !== 'UPTODATE') this.view.observe(zone, id, { serial: info.serial, source: 'transfer', at: now });
    else this.view.contact(zone, id, now);
    const t = this.#zones.get(zone)?.targets.get(id);
    if (t === undefined) return;
    if (t.schedule.serial !== null && this.view.holds(zone, id, t.schedule.serial)) t.schedule.converged();
    this.#note(t, now);
  }

  /** A debug line when a notify target's state or serial changes (what `tyne secondaries` would show). */
  #note(t: Target, now: number): void {
    const row = this.view.list(now, t.zone).find((r) => r.secondary === t.id);
    if (row === undefined) return;
    const key = `${row.state} ${row.serial ?? '-'} ${row.behindVersions ?? '-'}`;
    if (key === t.noted) return;
    t.noted = key;
    this.#log.debug({ zone: row.zone, secondary: row.secondary, state: row.state, serial: row.serial, source: row.source, servedSerial: row.servedSerial, behindVersions: row.behindVersions, lagSeconds: row.lagSeconds, problem: row.problem }, 'replication state');
  }

  /** The view of `zone` (all zones when undefined). */
  list(zone?: string): SecondaryReplication[] {
    const z = zone === undefined ? undefined : Name.fromText(zone.endsWith('.') ? zone : `${zone}.`).toText().toLowerCase();
    return this.view.list(this.#now(), z, (name, id) => this.#zones.get(name)?.targets.get(id)?.schedule.progress());
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** A transfer client as a notify target: the one target at its address (or, among several, the one with its key); else its address alone. */
  #secondaryOf(zone: string, address: string, key: string | null): string {
    const e = this.#zones.get(zone);
    if (e === undefined) return address;
    const at = [...e.targets.values()].filter((t) => sameAddress(t.peer.host, address));
    if (at.length === 1) return at[0]!.id;
    const keyed = at.filter((t) => t.peer.key !== null && key !== null && keyId(t.peer.key) === keyId(key));
    return keyed.length === 1 ? keyed[0]!.id : address;
  }

  #target(origin: Name, peer: Peer): Target | undefined {
    return this.#zones.get(origin.toText().toLowerCase())?.targets.get(peerText(peer));
  }

  #probeSoon(t: Target, at: number): void {
    if (this.#settings.probeIntervalMs <= 0) return;
    t.afterNotify = true;
    t.nextProbeAt = Math.min(t.nextProbeAt, at);
  }

  #tick(): void {
    const now = this.#now();
    const interval = this.#settings.probeIntervalMs;
    if (now - this.#prunedAt >= PRUNE_EVERY_MS) {
      this.#prunedAt = now;
      this.view.prune(now);
    }
    for (const e of this.#zones.values()) {
      for (const t of e.targets.values()) {
        if (t.probing) continue;
        if (t.schedule.due(now)) {
          t.schedule.checking();
          // Without probes, the view's other sources decide.
          if (interval <= 0) this.#decide(e, t, now);
          else t.check = true;
        }
        if (interval > 0 && (t.check || now >= t.nextProbeAt) && this.#probes < MAX_PROBES) void this.#run(e, t);
      }
    }
  }

  async #run(e: ZoneEntry, t: Target): Promise<void> {
    t.probing = true;
    this.#probes++;
    // A NOTIFY acknowledged while this probe runs asks for one more (#probeSoon lowers this again).
    const afterNotify = t.afterNotify;
    t.afterNotify = false;
    t.nextProbeAt = Number.POSITIVE_INFINITY;
    try {
      const serial = await this.#probe(t.origin, t.peer);
      this.view.observe(t.zone, t.id, { serial, source: 'probe', at: this.#now() });
    } catch (err) {
      this.view.failed(t.zone, t.id, this.#now(), probeProblem(err));
    } finally {
      this.#probes--;
      t.probing = false;
    }
    const now = this.#now();
    this.#note(t, now);
    const interval = this.#settings.probeIntervalMs;
    t.nextProbeAt = Math.min(t.nextProbeAt, now + interval * (0.8 + 0.4 * this.#random()));
    if (t.check) {
      t.check = false;
      this.#decide(e, t, now);
      return;
    }
    const served = this.view.servedSerial(t.zone);
    if (served === null || t.schedule.serial === null) return;
    if (this.view.holds(t.zone, t.id, t.schedule.serial)) {
      if (t.schedule.state !== 'converged' && t.schedule.state !== 'gave-up') t.schedule.converged();
      return;
    }
    // A periodic probe found a reachable secondary behind, with no NOTIFY running for the serial: it is told again.
    const row = this.view.list(now, t.zone).find((r) => r.secondary === t.id);
    if (afterNotify || row?.state !== 'behind' || e.announce === null) return;
    if (!t.schedule.mayStart(e.announce.serial, now, this.#settings.converge)) return;
    this.#log.info({ zone: e.announce.origin.toText(), secondary: t.id, serial: e.announce.serial, holds: row.serial }, `secondary ${t.id} serves ${row.serial ?? 'no copy'} of ${e.announce.origin.toText()}, not ${e.announce.serial}: NOTIFY sent`);
    this.#send(e.announce, t, now);
  }

  /** A convergence check: done, NOTIFY again, or give up (logged). */
  #decide(e: ZoneEntry, t: Target, now: number): void {
    const serial = t.schedule.serial;
    if (serial === null || e.announce === null) return;
    const holds = this.view.holds(t.zone, t.id, serial);
    const action = t.schedule.check(now, holds, this.#settings.converge);
    const held = this.view.list(now, t.zone).find((r) => r.secondary === t.id)?.serial ?? null;
    const zone = e.origin.toText();
    const fields = { zone, secondary: t.id, serial, holds: held, tries: t.schedule.tries, sinceS: Math.round((now - t.schedule.since) / 1000) };
    if (action === 'notify-again') {
      this.#log.info(fields, `secondary ${t.id} acknowledged the NOTIFY of ${zone} serial ${serial} but serves ${held ?? 'no copy'}: NOTIFY again`);
      // The newest version: a zone changed meanwhile is announced at its new serial (which starts afresh).
      this.#send(e.announce, t, now);
    } else if (action === 'give-up') {
      this.#log.warn(fields, `NOTIFY until converged gave up on ${t.id} for ${zone}: it still serves ${held ?? 'no copy'}, not ${serial}, ${Math.round((now - t.schedule.since) / 60_000)} min after the first NOTIFY (${t.schedule.tries} sent); it is still probed, and notified again at the next change`);
    }
  }

  #send(zone: NotifyZone, t: Target, now: number): void {
    t.schedule.sent(zone.serial, now);
    this.#notify(zone, t.peer);
  }
}

/** A probe's failure in one line, without the peer its message begins with. */
export function probeProblem(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  const peer = (err as { peer?: unknown }).peer;
  return typeof peer === 'string' && m.startsWith(`${peer}: `) ? m.slice(peer.length + 2) : m;
}
