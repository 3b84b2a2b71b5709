/**
 * One secondary zone (RFC 1034 §4.3.5, RFC 1996): its saved copy, the
 * refresh / retry / expire timers, and transfers from its primaries.
 * Everything with side effects beyond the saved files (the network, the
 * clock, timers, randomness) is injected, so the state machine runs in
 * tests without sockets or real time.
 */
import { statSync } from 'node:fs';
import type { Name } from '../wire/index.js';
import type { Zone } from '../zone/index.js';
import { peerText, type Peer } from './peer.js';
import { clampTimers, nextDelay, soaTimers, type SoaTimers, type TimerClamps } from './refresh-timers.js';
import { compareSerial } from './serial.js';
import type { Journal } from './journal.js';
import type { ZoneDiff } from './zone-diff.js';
import type { ZoneLimits } from '../zonefile/index.js';
import { freshJournal, loadSaved, loadSavedAsync, saveChange, saveState, saveZone, type CopyLoader, type LoadSavedResult, type SecondaryState } from './zone-store.js';

export interface TransferOutcome {
  zone: Zone;
  kind: 'AXFR' | 'IXFR';
  /** IXFR: the net change from the zone held before to `zone` (journaled instead of rewriting the whole copy). */
  diff?: ZoneDiff | null;
  /** The primary said our copy is current (an IXFR answered with just the SOA). */
  upToDate?: boolean;
  /** Anything else worth logging (bytes, messages, duration, ...). */
  [k: string]: unknown;
}

export interface SecondaryDeps {
  /** The SOA serial at `peer`; throws on failure. */
  querySerial(peer: Peer): Promise<number>;
  /** A transfer from `peer` (IXFR from `current` when there is one); throws on failure. */
  transfer(peer: Peer, current: Zone | null): Promise<TransferOutcome>;
  now(): number;
  setTimer(fn: () => void, ms: number): { cancel(): void };
  /** In [0, 1). */
  random(): number;
}

export interface SecondaryLog {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
  error(o: object, msg: string): void;
}

export interface SecondaryZoneOptions {
  origin: Name;
  /** Where the copy is saved (state beside it, `file + '.state.json'`). */
  file: string;
  /** Tried in this order on each refresh. */
  primaries: Peer[];
  deps: SecondaryDeps;
  /** The zone to serve from now on; null when it expired (answer SERVFAIL). */
  onZone(zone: Zone | null, why: string): void;
  log: SecondaryLog;
  /** Bounds on the SOA timers (DEFAULT_CLAMPS otherwise). */
  clamps?: Partial<TimerClamps>;
  /** The first refresh after start() comes within this many ms (random, default START_JITTER_MS). */
  startJitterMs?: number;
  /** Retry interval while there is no copy at all, in seconds (default 60; no SOA to take it from). */
  initialRetrySec?: number;
  /**
   * After an IXFR the change is journaled at once and the whole copy is
   * rewritten this many ms later (changes in between share one rewrite),
   * as Knot's zonefile-sync; 0 rewrites at once. Default 60 s.
   */
  syncMs?: number;
  /** The zone's read limits, for its saved copy (the defaults otherwise); transfers get them from `deps.transfer`. */
  limits?: Partial<ZoneLimits>;
  /**
   * Loads the saved copy without stalling the event loop (the daemon's parse
   * worker): start() then returns at once, the zone is served once loaded,
   * and the first refresh waits for the load. Without it the copy is parsed
   * on this thread inside start().
   */
  loadCopy?: CopyLoader;
  /** A save that failed is tried again after this many ms, doubling up to saveRetryMaxMs (defaults 1 s and 5 min). */
  saveRetryMs?: number;
  saveRetryMaxMs?: number;
  /**
   * A check asked for while one was running (a NOTIFY, a refresh timer)
   * starts no sooner than this many ms after the start of the one before
   * (`server.notify-check-interval`, default 1000; 0: at once, as BIND).
   */
  checkIntervalMs?: number;
}

/** How a secondary zone's last refresh (SOA check, transfer) ended, for the control socket. */
export interface RefreshOutcome {
  /** ms epoch. */
  at: number;
  result: 'transferred' | 'up to date' | 'failed';
  kind: 'AXFR' | 'IXFR' | null;
  /** The primary that answered (or the last one tried, on failure). */
  peer: string | null;
  /** The serial held after it. */
  serial: number | null;
  /** Why it failed (the last primary's error). */
  error: string | null;
}

/** What a NOTIFY did (for the caller's log): started a check, was folded into one pending, or was ignored. */
export type NotifyOutcome = 'started' | 'queued' | 'current' | 'stopped';

/** Default notify-check-interval. */
export const DEFAULT_CHECK_INTERVAL_MS = 1000;

/**
 * An SOA check that finds the zone current only moves the expire clock on:
 * the state file is then rewritten at most this often (the clock as saved
 * lags at most this much, so after a restart the zone expires at most
 * this much early). A change of serial or primary is written at once.
 */
const STATE_TIME_WRITE_MS = 60_000;

/** Above this, the journal of changes since the copy is folded into the copy at once (the journal would start trimming at 16 MiB). */
const SYNC_JOURNAL_BYTES = 4 * 1024 * 1024;

/** Default zonefile-sync: the whole copy is rewritten a minute after the first change journaled since the last rewrite. */
const DEFAULT_SYNC_MS = 60_000;

/** A failed save is tried again after 1 s, then 2, 4, ... up to 5 min, until it succeeds. */
const DEFAULT_SAVE_RETRY_MS = 1000;
const DEFAULT_SAVE_RETRY_MAX_MS = 300_000;
/** While saves keep failing, one log line per this many ms at most (the first failure is always logged). */
const SAVE_FAIL_LOG_MS = 300_000;

/** setTimeout's limit; longer waits are done in steps. */
const MAX_TIMER_MS = 0x7fffffff;

/** At startup a secondary's first serial check comes within this many ms of its copy loading (random), as NSD and BIND spread theirs. */
export const START_JITTER_MS = 5000;

/** The refresh/retry/expire state machine of one secondary zone. */
export class SecondaryZone {
  readonly origin: Name;
  readonly #opts: SecondaryZoneOptions;
  readonly #deps: SecondaryDeps;
  /** The copy held (kept after expiry as the base for IXFR). */
  #copy: Zone | null = null;
  #state: SecondaryState | null = null;
  #expired = false;
  #stopped = false;
  #refreshTimer: { cancel(): void } | null = null;
  #expireTimer: { cancel(): void } | null = null;
  #running: Promise<void> | null = null;
  /** Writes of the copy, journal or state under way (see written()). */
  readonly #writes = new Set<Promise<void>>();
  /** A NOTIFY came during a refresh: run another one after it. */
  #again: { from: string; serial: number | null } | null = null;
  /** The serial of the copy file on disk (its journal leads on from it); null when there is none. */
  #copySerial: number | null = null;
  /** The changes since the copy file was written; null when it cannot be used (the next change saves the whole copy). */
  #journal: Journal | null = null;
  /** The pending rewrite of the whole copy (zonefile-sync). */
  #syncTimer: { cancel(): void } | null = null;
  /**
   * The serial the files on disk hold (the copy, with its journal replayed);
   * null when there is none. The state file is only written for this serial:
   * it never names a version the saved copy does not hold.
   */
  #diskSerial: number | null = null;
  /** A failed save, tried again with backoff until it succeeds. */
  #saveRetry: { timer: { cancel(): void } | null; delayMs: number; failures: number; lastLogged: number; firstError: string } | null = null;
  /** When the last check (refresh) started; a coalesced one waits for checkIntervalMs after it. */
  #lastCheckAt = -Infinity;
  /** A coalesced check waiting for its turn (see checkIntervalMs). */
  #againTimer: { cancel(): void } | null = null;
  /** The state as last written by an up-to-date check (or read at start): what is on disk. */
  #stateWritten: SecondaryState | null = null;
  /** When the refresh timer fires next (ms epoch); null while none is set. */
  #nextRefreshAt: number | null = null;
  /** How the last refresh ended (null before the first). */
  #last: RefreshOutcome | null = null;
  /** The next refresh transfers the whole zone (AXFR), whatever the serials (`tyne retransfer`). */
  #forceAxfr = false;

  constructor(opts: SecondaryZoneOptions) {
    this.origin = opts.origin;
    this.#opts = opts;
    this.#deps = opts.deps;
  }

  /** The copy being served: null when there is none or it expired. */
  get zone(): Zone | null {
    return this.#expired ? null : this.#copy;
  }

  /** True from expiry until the next successful refresh. */
  get expired(): boolean {
    return this.#expired;
  }

  /** The state as last recorded (what is saved beside the copy). */
  get state(): SecondaryState | null {
    return this.#state === null ? null : { ...this.#state };
  }

  /** When the refresh timer fires next (ms epoch); null while a refresh runs or none is set. */
  get nextRefreshAt(): number | null {
    return this.#refreshTimer === null ? null : this.#nextRefreshAt;
  }

  /** How the last refresh ended (null before the first). */
  get lastRefresh(): RefreshOutcome | null {
    return this.#last === null ? null : { ...this.#last };
  }

  /**
   * A refresh now (`tyne refresh`), or with `axfr` a transfer of the whole
   * zone whatever the serials (`tyne retransfer`): after the one running,
   * if any. The copy served stays until the new one is whole (a transfer
   * is built completely before it is swapped in). Resolves with its outcome.
   */
  async checkNow(opts: { axfr: boolean }): Promise<RefreshOutcome> {
    while (this.#running !== null) await this.#running;
    if (this.#stopped) return { at: this.#deps.now(), result: 'failed', kind: null, peer: null, serial: this.#copy?.serial ?? null, error: 'the zone is being stopped' };
    this.#forceAxfr = opts.axfr;
    this.#refreshNow(null);
    const run = this.#running as Promise<void> | null;
    if (run !== null) await run;
    return this.lastRefresh!;
  }

  /** Resolves when no refresh is running. */
  async idle(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  /**
   * Resolves when no write of the copy, journal or state is under way (a
   * stop waits for it: a version served but cut off on its way to disk
   * would make the next start serve an older serial than this one did).
   */
  async written(): Promise<void> {
    while (this.#writes.size > 0) await Promise.allSettled([...this.#writes]);
  }

  /** Runs `write`, counted by written() until it settles. */
  async #writing<T>(write: () => Promise<T>): Promise<T> {
    const p = write();
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.#writes.add(settled);
    try {
      return await p;
    } finally {
      this.#writes.delete(settled);
    }
  }

  #zoneText(): string {
    return this.origin.toText();
  }

  #timers(zone: Zone): SoaTimers {
    return clampTimers(soaTimers(zone.soa.rdatas[0]!), this.#opts.clamps);
  }

  /**
   * Loads the saved copy (serving it at once unless expired) and schedules
   * the first refresh. With `loadCopy` the load runs in the background (it
   * counts as the zone's work in progress: a NOTIFY meanwhile refreshes
   * once it is loaded, and the first refresh is scheduled after it).
   */
  start(): void {
    if (this.#stopped) return;
    const o = this.#opts;
    const loadCopy = o.loadCopy;
    if (loadCopy === undefined) {
      this.#loaded(loadSaved(o.file, this.origin, o.limits === undefined ? {} : { limits: o.limits }));
      return;
    }
    const run = loadSavedAsync(o.file, this.origin, { load: loadCopy, ...(o.limits === undefined ? {} : { limits: o.limits }) }).then(
      (saved) => {
        if (!this.#stopped) this.#loaded(saved);
      },
      (e: unknown) => {
        o.log.error({ zone: this.#zoneText(), file: o.file, err: e }, 'saved copy could not be loaded; transferring the zone');
        if (!this.#stopped) this.#scheduleRefresh(0);
      },
    );
    this.#occupy(run);
  }

  /** Serves what loadSaved found (unless expired) and schedules the first refresh. */
  #loaded(saved: LoadSavedResult): void {
    const o = this.#opts;
    const corrupt = saved.corrupt?.error.message;
    for (const e of saved.errors) if (e !== corrupt) o.log.warn({ zone: this.#zoneText(), file: o.file }, `saved copy not used: ${e}`);
    if (saved.corrupt !== null) {
      const err = saved.corrupt.error;
      o.log.error({ zone: this.#zoneText(), file: o.file, code: err.code, movedTo: saved.corrupt.movedTo }, err.message);
    }
    if (saved.noDigest && saved.zone !== null) {
      o.log.info({ zone: this.#zoneText(), file: o.file }, 'saved copy has no digest (written by an older version): loaded unchecked; the next save adds one');
    }
    this.#copySerial = saved.copySerial;
    this.#journal = saved.journal;
    if (saved.zone !== null) {
      const zone = saved.zone;
      this.#diskSerial = zone.serial;
      const t = this.#timers(zone);
      // The expire clock runs from the last successful refresh, across restarts.
      // Without a state file, the copy's modification time stands in (as BIND does);
      // so it does when the state names another serial than the copy holds: its
      // times are about a version that is not on disk.
      let lastRefresh: number;
      if (saved.state !== null && saved.state.serial === zone.serial) {
        lastRefresh = saved.state.lastRefresh;
      } else {
        if (saved.state !== null) {
          o.log.warn(
            { zone: this.#zoneText(), stateSerial: saved.state.serial, serial: zone.serial },
            'state file names another serial than the saved copy holds; its times are not used (the copy\'s file time stands in)',
          );
        }
        lastRefresh = Math.min(this.#fileTime(o.file) ?? 0, this.#deps.now());
      }
      this.#copy = zone;
      this.#state = {
        serial: zone.serial,
        lastRefresh,
        expiresAt: lastRefresh + t.expire * 1000,
        primary: saved.state?.primary ?? '',
      };
      this.#stateWritten = saved.state;
      const now = this.#deps.now();
      if (now < this.#state.expiresAt) {
        o.log.info({ zone: this.#zoneText(), serial: zone.serial, expiresAt: new Date(this.#state.expiresAt).toISOString() }, 'serving saved copy');
        o.onZone(zone, 'saved copy loaded');
        this.#scheduleExpire();
      } else {
        this.#expire('saved copy expired');
      }
    }
    const delay = Math.floor(this.#deps.random() * (o.startJitterMs ?? START_JITTER_MS));
    this.#scheduleRefresh(delay);
  }

  #fileTime(path: string): number | null {
    try {
      return statSync(path).mtimeMs;
    } catch {
      return null;
    }
  }

  /**
   * A NOTIFY (already allowed by the ACL). Refreshes now, or once more
   * after the refresh running (RFC 1996 §4.7: one SOA check in flight;
   * any number of NOTIFYs meanwhile only mark it to check again, once, as
   * BIND does); checks are checkIntervalMs apart (from start to start). A
   * NOTIFY whose serial is not newer than the copy's is ignored, as BIND
   * does (RFC 1996 §4.7 lets the SOA be used as a hint). The caller logs
   * by the outcome: only a started check deserves a line of its own.
   */
  notify(from: string, serial: number | null): NotifyOutcome {
    if (this.#stopped) return 'stopped';
    const zone = this.#copy;
    if (serial !== null && zone !== null && !this.#expired && !(compareSerial(serial, zone.serial) > 0)) return 'current';
    if (this.#running !== null || this.#againTimer !== null) {
      this.#again = { from, serial };
      return 'queued';
    }
    const wait = this.#checkWait();
    if (wait > 0) {
      this.#again = { from, serial };
      this.#againTimer = this.#deps.setTimer(() => this.#runAgain(), wait);
      return 'queued';
    }
    this.#refreshNow(from);
    return 'started';
  }

  /** Cancels the timers; a refresh in flight finishes but changes nothing. A copy not yet rewritten stays as journaled. */
  stop(): void {
    this.#stopped = true;
    this.#refreshTimer?.cancel();
    this.#refreshTimer = null;
    this.#syncTimer?.cancel();
    this.#syncTimer = null;
    this.#saveRetry?.timer?.cancel();
    this.#saveRetry = null;
    this.#expireTimer?.cancel();
    this.#expireTimer = null;
    this.#againTimer?.cancel();
    this.#againTimer = null;
    this.#again = null;
  }

  #scheduleRefresh(ms: number): void {
    this.#refreshTimer?.cancel();
    if (this.#stopped) return;
    this.#nextRefreshAt = this.#deps.now() + ms;
    this.#refreshTimer = this.#deps.setTimer(() => {
      this.#refreshTimer = null;
      if (this.#running === null) this.#refreshNow(null);
      else this.#again ??= { from: '', serial: null };
    }, Math.min(ms, MAX_TIMER_MS));
  }

  #scheduleExpire(): void {
    this.#expireTimer?.cancel();
    this.#expireTimer = null;
    if (this.#stopped || this.#state === null || this.#expired) return;
    const left = this.#state.expiresAt - this.#deps.now();
    if (left <= 0) {
      this.#expire('expired');
      return;
    }
    this.#expireTimer = this.#deps.setTimer(() => {
      this.#expireTimer = null;
      this.#scheduleExpire(); // expires now, or waits another step of a long wait
    }, Math.min(left, MAX_TIMER_MS));
  }

  #expire(why: string): void {
    if (this.#expired) return;
    this.#expired = true;
    this.#expireTimer?.cancel();
    this.#expireTimer = null;
    this.#opts.log.error(
      { zone: this.#zoneText(), serial: this.#copy?.serial ?? null, lastRefresh: this.#state ? new Date(this.#state.lastRefresh).toISOString() : null },
      `zone ${this.#zoneText()} expired: no successful refresh from any primary; answering SERVFAIL`,
    );
    this.#opts.onZone(null, why);
  }

  #refreshNow(from: string | null): void {
    this.#refreshTimer?.cancel();
    this.#refreshTimer = null;
    this.#lastCheckAt = this.#deps.now();
    // This check stands for a coalesced one still waiting its turn.
    this.#againTimer?.cancel();
    this.#againTimer = null;
    this.#again = null;
    const run = this.#refresh(from).catch((e: unknown) => {
      // Only a bug gets here: keep the timers going.
      const retryMs = this.#scheduleRetry();
      this.#opts.log.error({ zone: this.#zoneText(), err: e, retryInSec: Math.round(retryMs / 1000) }, `refresh failed unexpectedly; will retry in ${Math.round(retryMs / 1000)} s`);
    });
    this.#occupy(run);
  }

  /** `run` is what the zone is doing now (a refresh, a rewrite of the copy): idle() waits for it, and a NOTIFY that came meanwhile runs after it. */
  #occupy(run: Promise<void>): void {
    this.#running = run.finally(() => {
      this.#running = null;
      if (this.#again === null || this.#stopped) return;
      const wait = this.#checkWait();
      if (wait <= 0) this.#runAgain();
      else this.#againTimer = this.#deps.setTimer(() => this.#runAgain(), wait);
    });
  }

  /** Ms until a NOTIFY may start another check (notify-check-interval after the start of the last one). */
  #checkWait(): number {
    return this.#lastCheckAt + (this.#opts.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS) - this.#deps.now();
  }

  /** The check marked while another ran (or waited its turn). */
  #runAgain(): void {
    this.#againTimer = null;
    const again = this.#again;
    this.#again = null;
    if (again !== null && !this.#stopped) this.notify(again.from, again.serial);
  }

  /** Primaries in order, the one that sent the NOTIFY first (RFC 1996 §3.11 lets it be preferred). */
  #order(from: string | null): Peer[] {
    const ps = this.#opts.primaries;
    if (from === null || from === '') return [...ps];
    const i = ps.findIndex((p) => p.host === from || peerText(p) === from);
    return i <= 0 ? [...ps] : [ps[i]!, ...ps.slice(0, i), ...ps.slice(i + 1)];
  }

  /** True when this refresh was started by a NOTIFY from `peer`. */
  #sentNotify(peer: Peer, from: string | null): boolean {
    return from !== null && from !== '' && (peer.host === from || peerText(peer) === from);
  }

  /** Schedules the next try after RETRY (RFC 1034 §4.3.5); returns the delay in ms. */
  #scheduleRetry(): number {
    const retry = this.#copy !== null ? this.#timers(this.#copy) : { refresh: 0, retry: this.#opts.initialRetrySec ?? 60, expire: 0, minimum: 0 };
    const ms = nextDelay('retry', retry, () => this.#deps.random());
    this.#scheduleRefresh(ms);
    return ms;
  }

  async #refresh(from: string | null): Promise<void> {
    const o = this.#opts;
    const d = this.#deps;
    const zoneText = this.#zoneText();
    // `tyne retransfer`: the whole zone, whatever the serials.
    const axfr = this.#forceAxfr;
    this.#forceAxfr = false;
    // One warning per failed refresh (issue 15 §5): each primary's failure is an info line, and
    // the warning that ends a refresh no primary answered lists them all and says when it retries.
    const failures: { peer: string; error: string; code?: string }[] = [];
    for (const peer of this.#order(from)) {
      if (this.#stopped) return;
      const target = peerText(peer);
      let remote: number | null;
      try {
        remote = axfr ? null : await d.querySerial(peer);
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        failures.push({ peer: target, error: `SOA query failed: ${(e as Error)?.message ?? String(e)}`, ...(typeof code === 'string' ? { code } : {}) });
        if (!this.#sentNotify(peer, from)) {
          o.log.info({ zone: zoneText, peer: target, err: e }, 'SOA query failed');
          continue;
        }
        // The primary told us it has a change: ask it for the change even
        // though it does not answer our SOA query (an IXFR answer tells
        // whether we are current; RFC 1995 §4), as BIND does after a
        // refused SOA query.
        o.log.info({ zone: zoneText, peer: target, err: e }, 'SOA query failed; transferring anyway after its NOTIFY');
        remote = null;
      }
      if (this.#stopped) return;
      const current = this.#copy;
      const cmp = current === null || remote === null ? 1 : compareSerial(remote, current.serial);
      if (axfr) o.log.info({ zone: zoneText, peer: target, serial: current?.serial ?? null }, 'retransfer asked for: AXFR whatever the serial');
      if (current !== null && remote !== null && !(cmp > 0)) {
        if (cmp < 0) o.log.warn({ zone: zoneText, peer: target, serial: remote, ours: current.serial }, 'primary has an older serial than ours; keeping ours');
        await this.#upToDate(current, target);
        return;
      }
      let res: TransferOutcome;
      const started = d.now();
      try {
        res = await d.transfer(peer, axfr ? null : current);
      } catch (e) {
        const err = e as Error & { code?: string };
        failures.push({ peer: target, error: `transfer failed: ${err.message}`, ...(err.code !== undefined ? { code: err.code } : {}) });
        o.log.info({ zone: zoneText, peer: target, code: err.code, err }, 'transfer failed');
        continue;
      }
      if (this.#stopped) return;
      const { zone, kind, upToDate, diff, ...extra } = res;
      if (upToDate === true && current !== null) {
        await this.#upToDate(current, target);
        return;
      }
      if (!axfr && current !== null && !(compareSerial(zone.serial, current.serial) > 0)) {
        o.log.info({ zone: zoneText, peer: target, kind, serial: zone.serial, ours: current.serial }, 'transfer gave a serial not newer than ours; ignored');
        failures.push({ peer: target, error: `the transfer gave serial ${zone.serial}, not newer than ours (${current.serial})` });
        continue;
      }
      const t = this.#timers(zone);
      const now = d.now();
      this.#copy = zone;
      this.#state = { serial: zone.serial, lastRefresh: now, expiresAt: now + t.expire * 1000, primary: target };
      const wasExpired = this.#expired;
      this.#expired = false;
      o.log.info(
        { zone: zoneText, peer: target, kind, from: current?.serial ?? null, to: zone.serial, records: zone.recordCount, ms: now - started, ...extra },
        `transfer of ${zoneText} from ${target}: ${kind} serial ${current?.serial ?? '-'} -> ${zone.serial}`,
      );
      this.#last = { at: now, result: 'transferred', kind, peer: target, serial: zone.serial, error: null };
      o.onZone(zone, wasExpired ? `${kind} from ${target} after expiry` : `${kind} from ${target}`);
      this.#scheduleExpire();
      this.#scheduleRefresh(nextDelay('refresh', t, () => d.random()));
      try {
        await this.#persist(zone, kind === 'IXFR' ? (diff ?? null) : null);
        this.#saved();
      } catch (e) {
        this.#saveFailed(e, 'could not save the transferred zone');
      }
      return;
    }
    if (this.#stopped) return;
    // No primary gave an answer: try again after RETRY; expiry runs on its own timer.
    if (this.#state !== null && d.now() >= this.#state.expiresAt) this.#expire('expired');
    const lastError = failures[failures.length - 1];
    this.#last = { at: d.now(), result: 'failed', kind: null, peer: lastError?.peer ?? null, serial: this.#copy?.serial ?? null, error: lastError?.error ?? 'no primary answered' };
    const retryMs = this.#scheduleRetry();
    const at = new Date(d.now() + retryMs).toISOString();
    const each = failures.map((f) => `${f.peer}: ${f.error}`).join('; ');
    o.log.warn(
      { zone: zoneText, failures, retryInSec: Math.round(retryMs / 1000), retryAt: at },
      `refresh of ${zoneText} failed from every primary (${each}); will retry in ${Math.round(retryMs / 1000)} s, at ${at}`,
    );
  }

  /**
   * Makes the version just served durable: an IXFR's change is journaled
   * (when it continues the copy on disk) and the whole copy rewritten
   * `syncMs` later; anything else rewrites the whole copy now.
   */
  #persist(zone: Zone, diff: ZoneDiff | null): Promise<void> {
    return this.#writing(() => this.#persistNow(zone, diff));
  }

  async #persistNow(zone: Zone, diff: ZoneDiff | null): Promise<void> {
    const o = this.#opts;
    const syncMs = o.syncMs ?? DEFAULT_SYNC_MS;
    if (diff !== null && syncMs > 0 && this.#journal !== null && this.#copySerial !== null && this.#journal.bytes < SYNC_JOURNAL_BYTES) {
      if (await saveChange(o.file, this.#journal, this.#copySerial, diff, this.#state!)) {
        this.#diskSerial = zone.serial;
        this.#syncTimer ??= this.#deps.setTimer(() => this.#syncNow(), Math.min(syncMs, MAX_TIMER_MS));
        return;
      }
    }
    await this.#saveWhole(zone);
  }

  /** Rewrites the whole copy (and empties the journal it now holds). */
  #saveWhole(zone: Zone): Promise<void> {
    return this.#writing(() => this.#saveWholeNow(zone));
  }

  async #saveWholeNow(zone: Zone): Promise<void> {
    this.#syncTimer?.cancel();
    this.#syncTimer = null;
    // The state saved is the one of `zone` (saved after it: it never names a version not on disk).
    const state = this.#state!.serial === zone.serial ? this.#state! : { ...this.#state!, serial: zone.serial };
    await saveZone(this.#opts.file, zone, state, this.#journal);
    this.#copySerial = zone.serial;
    this.#diskSerial = zone.serial;
    // A journal found damaged at startup is replaced once the copy holds everything.
    this.#journal ??= freshJournal(this.#opts.file);
  }

  /** zonefile-sync is due: rewrite the copy, once no refresh runs (it then takes the refresh's place, so idle() waits for it). */
  #syncNow(): void {
    this.#syncTimer = null;
    if (this.#stopped || this.#copy === null) return;
    if (this.#running !== null) {
      this.#syncTimer = this.#deps.setTimer(() => this.#syncNow(), 1000);
      return;
    }
    const zone = this.#copy;
    const run = this.#saveWhole(zone).then(
      () => {
        this.#opts.log.info({ zone: this.#zoneText(), serial: zone.serial, file: this.#opts.file }, 'saved copy rewritten with the journaled changes');
        this.#saved();
      },
      (e: unknown) => this.#saveFailed(e, 'could not rewrite the saved copy; its journal keeps the changes'),
    );
    this.#occupy(run);
  }

  /**
   * A save failed (disk full, a folder made read-only, ...): the version
   * in memory is still served, and the whole copy is saved again after a
   * backoff (1 s doubling to 5 min) until it succeeds. The first failure is
   * logged, then at most one line per 5 min while it keeps failing.
   */
  #saveFailed(e: unknown, what: string): void {
    const o = this.#opts;
    const err = e as NodeJS.ErrnoException;
    const now = this.#deps.now();
    const first = this.#saveRetry === null;
    const r = (this.#saveRetry ??= { timer: null, delayMs: 0, failures: 0, lastLogged: 0, firstError: err.code ?? err.message });
    r.failures++;
    r.delayMs = r.delayMs === 0 ? (o.saveRetryMs ?? DEFAULT_SAVE_RETRY_MS) : Math.min(r.delayMs * 2, o.saveRetryMaxMs ?? DEFAULT_SAVE_RETRY_MAX_MS);
    if (first || now - r.lastLogged >= SAVE_FAIL_LOG_MS) {
      r.lastLogged = now;
      o.log.error(
        { zone: this.#zoneText(), file: o.file, code: err.code, err, failures: r.failures, retryMs: r.delayMs, serial: this.#copy?.serial ?? null, saved: this.#diskSerial },
        `${what}: ${err.message}; serving it from memory and trying again in ${Math.round(r.delayMs / 1000)} s`,
      );
    }
    r.timer?.cancel();
    r.timer = this.#stopped ? null : this.#deps.setTimer(() => this.#retrySave(), Math.min(r.delayMs, MAX_TIMER_MS));
  }

  /** The version in memory is on disk now: a pending retry is done with. */
  #saved(): void {
    const r = this.#saveRetry;
    if (r === null) return;
    r.timer?.cancel();
    this.#saveRetry = null;
    this.#opts.log.info({ zone: this.#zoneText(), file: this.#opts.file, serial: this.#diskSerial, failures: r.failures, firstError: r.firstError }, `saved copy written after ${r.failures} failed attempt(s)`);
  }

  /** The backoff is over: save the whole copy again, once no refresh runs (one save at a time). */
  #retrySave(): void {
    const r = this.#saveRetry;
    if (r === null || this.#stopped || this.#copy === null) return;
    r.timer = null;
    if (this.#running !== null) {
      r.timer = this.#deps.setTimer(() => this.#retrySave(), 1000);
      return;
    }
    const zone = this.#copy;
    this.#occupy(this.#saveWhole(zone).then(() => this.#saved(), (e: unknown) => this.#saveFailed(e, 'could not save the zone')));
  }

  async #upToDate(current: Zone, target: string): Promise<void> {
    const o = this.#opts;
    const t = this.#timers(current);
    const now = this.#deps.now();
    this.#state = { serial: current.serial, lastRefresh: now, expiresAt: now + t.expire * 1000, primary: target };
    this.#last = { at: now, result: 'up to date', kind: null, peer: target, serial: current.serial, error: null };
    o.log.info({ zone: this.#zoneText(), peer: target, serial: current.serial }, 'zone is up to date');
    if (this.#expired) {
      this.#expired = false;
      o.onZone(current, `refreshed from ${target} after expiry`);
    }
    this.#scheduleExpire();
    this.#scheduleRefresh(nextDelay('refresh', t, () => this.#deps.random()));
    // The state file describes the copy on disk: while that is an older version (a save to retry), it is left alone.
    if (this.#diskSerial !== current.serial) return;
    // No state write unless it changed: a check that finds the same serial only moves the clock on (see STATE_TIME_WRITE_MS).
    const w = this.#stateWritten;
    if (w !== null && w.serial === current.serial && w.primary === target && now - w.lastRefresh < STATE_TIME_WRITE_MS) return;
    try {
      await saveState(o.file, this.#state);
      this.#stateWritten = this.#state;
    } catch (e) {
      o.log.error({ zone: this.#zoneText(), file: o.file, err: e }, 'could not save the zone state');
    }
  }
}
