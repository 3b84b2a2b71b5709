/**
 * The replication view (issue 15 §2): for each zone we serve, what each of
 * its secondaries holds, where that was learnt, when it was last seen, and
 * whether it is in sync, behind (by how many versions, since when) or
 * unreachable. Pure: every call takes an explicit time (epoch ms); no timers,
 * no sockets (the SOA probes and the NOTIFY schedule are run by the daemon).
 * Cheap: fed per transfer, NOTIFY and probe, never per query; bounded: a
 * client known only by its transfers is dropped after `retentionMs`, and a
 * zone keeps at most `maxClients` of them and its last `maxVersions` serials.
 *
 * Sources of what a secondary holds, weakest first:
 *   - `ixfr-request`: the SOA in its IXFR request (RFC 1995 §3), what it held when it asked;
 *   - `transfer`: a completed AXFR or IXFR (the serial sent; completion = the last message written);
 *   - `probe`: an SOA query we sent to the secondary itself (its own answer).
 * An acknowledged NOTIFY proves contact (lastSeen) but not what is held: a
 * secondary acknowledges first and transfers later, or never (the very case
 * NOTIFY-until-converged exists for), so it is not a source of the serial.
 *
 * The rule (observe): newer beats older, except that a weaker source never
 * moves the view back or sideways. A newer observation replaces the current
 * one when its source is at least as strong, or when it shows a newer serial
 * (RFC 1982): a secondary only moves forward by itself, and progress seen by
 * a weaker source is still progress. A weaker observation of the same or an
 * older serial only counts as contact. An observation older than the current
 * one is contact only. One exception, for a race: a probe answered within
 * `settleMs` of a completed transfer that shows a serial before the one sent
 * is not taken (the secondary is still applying it); the next probe decides.
 */
import { compareSerial } from './serial.js';

/** Where a secondary's serial was learnt, weakest first. */
export const REPLICATION_SOURCES = ['ixfr-request', 'transfer', 'probe'] as const;
export type ReplicationSource = (typeof REPLICATION_SOURCES)[number];

/**
 * `in-sync`: holds the serial served now; `behind`: holds an older one (or,
 * serial null, none: the probe was answered SERVFAIL); `ahead`: holds a
 * serial newer than ours (our serial went back: it will not transfer ours);
 * `unreachable`: the last probe or NOTIFY failed and nothing answered since;
 * `unknown`: nothing learnt yet.
 */
export type ReplicationState = 'in-sync' | 'behind' | 'ahead' | 'unreachable' | 'unknown';

/** NOTIFY until converged, per secondary (see notify-converge.ts). */
export interface NotifyProgress {
  state: 'none' | 'sending' | 'acked' | 'waiting' | 'checking' | 'converged' | 'unanswered' | 'gave-up';
  /** The serial being announced (null: none yet). */
  serial: number | null;
  /** NOTIFYs sent for that serial (each up to five datagrams). */
  tries: number;
  /** When the secondary is checked (and notified again if it still lacks the serial); ISO time or null. */
  nextAt: string | null;
}

/** One secondary of one zone, as plain JSON. Times are ISO 8601 UTC. */
export interface SecondaryReplication {
  /** The zone, as served (`example.com.`). */
  zone: string;
  /** `host:port` of a notify target; a client known only by its transfers is its address alone. */
  secondary: string;
  /** One of the zone's `notify` targets (probed and notified), or a client that transferred the zone. */
  notifyTarget: boolean;
  /** The serial it holds (null: not known, or no copy). */
  serial: number | null;
  source: ReplicationSource | null;
  learntAt: string | null;
  /** Last contact of any kind: a probe answered, a transfer, an IXFR request, a NOTIFY acknowledged. */
  lastSeen: string | null;
  state: ReplicationState;
  /** The serial we serve now. */
  servedSerial: number | null;
  /** Versions served since the one it holds (0 in sync; null when not behind or not countable). */
  behindVersions: number | null;
  /** When the oldest version it lacks was first served (at least this long: before our history, the oldest time known). */
  behindSince: string | null;
  /** Seconds since behindSince (0 in sync; null when not behind or nothing known). */
  lagSeconds: number | null;
  /** Why it is unreachable (the last probe's or NOTIFY's failure), else null. */
  problem: string | null;
  notify: NotifyProgress;
}

/** What one observation says a secondary holds. */
export interface Observation {
  /** null: it holds no copy (the probe was answered SERVFAIL). */
  serial: number | null;
  source: ReplicationSource;
  /** Epoch ms the observation is true of. */
  at: number;
}

export interface ReplicationViewOptions {
  /** A client known only by its transfers, unseen this long, is dropped (default 24 h). */
  retentionMs?: number;
  /** Clients that are not notify targets kept per zone; past it, the least recently seen goes (default 64). */
  maxClients?: number;
  /** Serials (and when each was first served) kept per zone (default 256). */
  maxVersions?: number;
  /** A probe this soon after a completed transfer cannot move the view back (default 5 s). */
  settleMs?: number;
}

interface Entry {
  target: boolean;
  held: Observation | null;
  lastSeen: number | null;
  failure: { at: number; reason: string } | null;
}

interface ZoneRecord {
  /** Versions served, oldest first; `at` null: before this process (from the journal). */
  versions: { serial: number; at: number | null }[];
  secondaries: Map<string, Entry>;
}

const RANK: Readonly<Record<ReplicationSource, number>> = { 'ixfr-request': 0, transfer: 1, probe: 2 };

/** a is newer than b (RFC 1982); null (no copy) is older than any serial. */
function newer(a: number | null, b: number | null): boolean {
  if (a === null) return false;
  if (b === null) return true;
  return compareSerial(a, b) > 0;
}

/** Whether `o` replaces `c` (the rule in the header comment). */
export function replaces(c: Observation | null, o: Observation, settleMs = 5000): boolean {
  if (c === null) return true;
  if (o.at < c.at) return false;
  if (RANK[o.source] >= RANK[c.source]) {
    // The race: the secondary answered the probe before it had applied the transfer just completed.
    if (o.source === 'probe' && c.source === 'transfer' && o.at - c.at < settleMs && newer(c.serial, o.serial)) return false;
    return true;
  }
  return newer(o.serial, c.serial);
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

const NO_NOTIFY: NotifyProgress = { state: 'none', serial: null, tries: 0, nextAt: null };

/** What every secondary of every zone we serve holds (see the header comment). */
export class ReplicationView {
  readonly #zones = new Map<string, ZoneRecord>();
  readonly #retentionMs: number;
  readonly #maxClients: number;
  readonly #maxVersions: number;
  readonly #settleMs: number;

  constructor(opts: ReplicationViewOptions = {}) {
    this.#retentionMs = opts.retentionMs ?? 86_400_000;
    this.#maxClients = opts.maxClients ?? 64;
    this.#maxVersions = opts.maxVersions ?? 256;
    this.#settleMs = opts.settleMs ?? 5000;
  }

  #zone(zone: string): ZoneRecord {
    const k = zone.toLowerCase();
    let z = this.#zones.get(k);
    if (z === undefined) {
      z = { versions: [], secondaries: new Map() };
      this.#zones.set(k, z);
    }
    return z;
  }

  /** `serial` of `zone` is served from `at` on (a repeat of the current serial changes nothing). */
  served(zone: string, serial: number, at: number): void {
    const z = this.#zone(zone);
    const last = z.versions[z.versions.length - 1];
    if (last !== undefined && last.serial === serial) return;
    z.versions.push({ serial: serial >>> 0, at });
    if (z.versions.length > this.#maxVersions) z.versions.splice(0, z.versions.length - this.#maxVersions);
  }

  /** The versions before the first one served by this process, oldest first (the journal's chain); times unknown. */
  seed(zone: string, earlier: readonly number[]): void {
    const z = this.#zone(zone);
    if (z.versions.length !== 1) return;
    const first = z.versions[0]!;
    const older = earlier.filter((s) => s >>> 0 !== first.serial).slice(-(this.#maxVersions - 1));
    z.versions.unshift(...older.map((s) => ({ serial: s >>> 0, at: null })));
  }

  /** The zone's notify targets (`host:port` each): always listed; a former target becomes a plain client. */
  targets(zone: string, secondaries: readonly string[]): void {
    const z = this.#zone(zone);
    const want = new Set(secondaries);
    for (const [id, e] of z.secondaries) e.target = want.has(id);
    for (const id of want) if (!z.secondaries.has(id)) z.secondaries.set(id, { target: true, held: null, lastSeen: null, failure: null });
  }

  /** Zones no longer served are forgotten. */
  keepZones(zones: ReadonlySet<string>): void {
    for (const k of [...this.#zones.keys()]) if (!zones.has(k)) this.#zones.delete(k);
  }

  #entry(zone: string, secondary: string, at: number): Entry {
    const z = this.#zone(zone);
    let e = z.secondaries.get(secondary);
    if (e === undefined) {
      e = { target: false, held: null, lastSeen: null, failure: null };
      z.secondaries.set(secondary, e);
      this.#capClients(z, at);
    }
    return e;
  }

  /** An observation of what `secondary` holds; it is contact too. */
  observe(zone: string, secondary: string, o: Observation): void {
    const e = this.#entry(zone, secondary, o.at);
    if (replaces(e.held, o, this.#settleMs)) e.held = { serial: o.serial === null ? null : o.serial >>> 0, source: o.source, at: o.at };
    this.contact(zone, secondary, o.at);
  }

  /** `secondary` answered (a NOTIFY acknowledged, say), saying nothing of what it holds. */
  contact(zone: string, secondary: string, at: number): void {
    const e = this.#entry(zone, secondary, at);
    if (e.lastSeen === null || at > e.lastSeen) e.lastSeen = at;
  }

  /** A probe or NOTIFY to `secondary` failed: it is unreachable until it answers again. */
  failed(zone: string, secondary: string, at: number, reason: string): void {
    const e = this.#entry(zone, secondary, at);
    if (e.failure === null || at >= e.failure.at) e.failure = { at, reason };
  }

  /** Drops clients (not notify targets) unseen for the retention. */
  prune(now: number): void {
    for (const z of this.#zones.values()) {
      for (const [id, e] of z.secondaries) {
        if (!e.target && (e.lastSeen ?? 0) < now - this.#retentionMs) z.secondaries.delete(id);
      }
    }
  }

  #capClients(z: ZoneRecord, now: number): void {
    const clients = [...z.secondaries].filter(([, e]) => !e.target);
    if (clients.length <= this.#maxClients) return;
    clients.sort((a, b) => (a[1].lastSeen ?? now) - (b[1].lastSeen ?? now));
    for (const [id] of clients.slice(0, clients.length - this.#maxClients)) z.secondaries.delete(id);
  }

  /** The serial of `zone` served now (null: none recorded). */
  servedSerial(zone: string): number | null {
    const v = this.#zones.get(zone.toLowerCase())?.versions;
    return v === undefined || v.length === 0 ? null : v[v.length - 1]!.serial;
  }

  /** Whether `secondary` is known to hold `serial` of `zone` or a newer one. */
  holds(zone: string, secondary: string, serial: number): boolean {
    const held = this.#zones.get(zone.toLowerCase())?.secondaries.get(secondary)?.held;
    return held !== undefined && held !== null && held.serial !== null && compareSerial(held.serial, serial) >= 0;
  }

  /**
   * Every secondary of `zone` (all zones when undefined), sorted by zone then
   * secondary; `notify` gives each one's NOTIFY progress.
   */
  list(now: number, zone?: string, notify?: (zone: string, secondary: string) => NotifyProgress | undefined): SecondaryReplication[] {
    const out: SecondaryReplication[] = [];
    const zones: [string, ZoneRecord | undefined][] = zone === undefined ? [...this.#zones] : [[zone.toLowerCase(), this.#zones.get(zone.toLowerCase())]];
    for (const [name, z] of zones) {
      if (z === undefined) continue;
      for (const [id, e] of z.secondaries) out.push(this.#row(now, name, id, z, e, notify?.(name, id) ?? NO_NOTIFY));
    }
    return out.sort((a, b) => (a.zone < b.zone ? -1 : a.zone > b.zone ? 1 : a.secondary < b.secondary ? -1 : a.secondary > b.secondary ? 1 : 0));
  }

  #row(now: number, zone: string, secondary: string, z: ZoneRecord, e: Entry, notify: NotifyProgress): SecondaryReplication {
    const versions = z.versions;
    const current = versions[versions.length - 1];
    const held = e.held;
    let state: ReplicationState = 'unknown';
    let behindVersions: number | null = null;
    let since: number | null = null;
    if (held !== null && current !== undefined) {
      if (held.serial === current.serial) {
        state = 'in-sync';
        behindVersions = 0;
      } else if (held.serial !== null && newer(held.serial, current.serial)) {
        state = 'ahead';
      } else {
        state = 'behind';
        let i = versions.length - 1;
        while (i >= 0 && (held.serial === null || versions[i]!.serial !== held.serial)) i--;
        if (i >= 0) behindVersions = versions.length - 1 - i;
        // The first version it lacks; before our history, the oldest time known (a lower bound of the lag).
        since = versions.slice(i + 1).find((v) => v.at !== null)?.at ?? null;
      }
    }
    const unreachable = e.failure !== null && (e.lastSeen === null || e.failure.at > e.lastSeen);
    if (unreachable) state = 'unreachable';
    return {
      zone, secondary, notifyTarget: e.target,
      serial: held?.serial ?? null, source: held?.source ?? null, learntAt: iso(held?.at ?? null), lastSeen: iso(e.lastSeen),
      state, servedSerial: current?.serial ?? null, behindVersions, behindSince: iso(since),
      lagSeconds: behindVersions === 0 ? 0 : since === null ? null : Math.max(0, now - since) / 1000,
      problem: unreachable ? e.failure!.reason : null,
      notify,
    };
  }
}
