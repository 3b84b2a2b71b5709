/**
 * ZoneRegistry: the set of primary zones loaded from their files, each
 * reloaded when its files or the configuration change. (Named so as not to
 * be confused with RFC 9432 catalog zones.)
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { defaultZoneMemoryBudget } from './zone-memory-budget.js';
import type { Config, ZoneSettings } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { formatDiagnostic, Name, setSoaSerial, soaSameButSerial, type Diagnostic } from '../wire/index.js';
import { ContentDigest, runStepsInSlices, type LoadResult, type SerialPolicy, type Zone } from '../zone/index.js';
import { diffZonesAsync } from '../xfr/compute-zone-diff.js';
import { StorageError } from '../xfr/storage-error.js';
import type { ZoneDiff } from '../xfr/zone-diff.js';
import { filePrints, samePrints, type FilePrints } from './file-print.js';
import { loadZoneFileAsync } from './load-zone-async.js';
import { ZoneLoadError } from './zone-load-error.js';
import { decideSerial } from './serial-policy.js';
import { folderProblem } from './storage-check.js';
import type { ZoneHistories, ZoneHistory } from './zone-history.js';

/** A zone being served and what it was loaded from. */
interface Loaded {
  zone: Zone;
  /** ContentDigest of `zone` (its serial aside). */
  digest: ContentDigest;
  file: string;
  /** The zone file and every file it $INCLUDEs, as they were when read. */
  prints: FilePrints;
  /** When this version was swapped in (ms epoch), and the serial its file gave (the served one may be raised). */
  loadedAt: number;
  fileSerial: number;
}

/** How a zone's last load ended, for the control socket (`tyne zonestatus`, `tyne reload`). */
export interface LoadOutcome {
  /** ms epoch. */
  at: number;
  ok: boolean;
  /** In a few words: `loaded`, `no change`, `not loaded`, `not reloaded; still serving the previous version`, `held`. */
  result: string;
  /** Each error as file:line:col: message (formatDiagnostic), or a message. */
  errors: string[];
}

/** What the registry knows of one primary zone (the control socket's zonestatus). */
export interface PrimaryZoneInfo {
  zone: Zone | null;
  file: string | null;
  fileSerial: number | null;
  loadedAt: number | null;
  lastLoad: LoadOutcome | null;
  loading: boolean;
  failed: boolean;
}

/** A version read from the files but not (yet) served. */
interface Candidate {
  result: LoadResult & { zone: Zone };
  /** The files as they were just before they were read. */
  prints: FilePrints;
  /** The difference from the version served (absent for a zone not served yet). */
  diff: ZoneDiff | undefined;
  /** For a zone not served yet: the digest of its records, made in slices beforehand (see #loadOnce). */
  digest?: ContentDigest;
  started: number;
}

/** An edit held back because it looks like a half-written file (see `#holdsBack`). */
interface Held {
  candidate: Candidate;
  timer: NodeJS.Timeout;
}

/** Hears of every version swapped in: the first (`old` undefined) and each later one. */
export type ZoneLoadedListener = (old: Zone | undefined, zone: Zone) => void;

export interface ZoneRegistryOptions {
  /** How long a held edit must stay unchanged before it is applied (server.watch-hold), read at each hold. */
  holdMs: () => number;
  /** `server.zone-memory-budget` (null: a quarter of the heap limit), read at each load. */
  memoryBudget?: () => number | null;
  /**
   * What is served changed on its own: a zone loaded (or failed its first
   * load) in the background, after the call that started it returned.
   */
  onChanged?: () => void;
  /**
   * Called with each new version once its serial is final, before it is
   * served (the serving threads write a large zone's image ahead, in slices).
   */
  beforeServe?: (zone: Zone) => Promise<void>;
}

/**
 * Longest stretch of main-thread work of a zone load (adding the records
 * received, building, diffing, the first digest) between two turns of the
 * event loop, in ms: queries to other zones wait at most about this.
 */
const LOAD_SLICE_MS = 3;

/** How long reloadConfig waits for the zones it reloads; slower ones go on loading and are served when done (onChanged). */
export const CONFIG_RELOAD_WAIT_MS = 5000;


/** An edit that leaves out more than this share of a zone's records is held (a half-written file looks like that). */
export const HOLD_REMOVED_SHARE = 0.1;

/**
 * The primary zones named in the configuration, as last loaded. A load
 * that finds errors logs every one and keeps the version already served,
 * if there is one (a bad edit never replaces a good zone); a zone that has
 * never loaded (its file missing, say) is not served, and the others
 * still are.
 *
 * Serials come from the zone's history (src/daemon/zone-history.ts): what
 * was served before, across restarts and removals, decides the serial of a
 * new version with the zone's serial policy, and the version is recorded
 * before it is served.
 *
 * Every load, the first (at startup) too, parses in a worker thread,
 * builds and diffs in short slices, and only then swaps the new version
 * in, so queries are answered all along, whatever the file (issue 12 item
 * 2). A zone not loaded yet at startup is `loading()` (answered SERVFAIL,
 * as BIND answers a zone it has not loaded). A change of a zone's files
 * while it is being read stops that read and starts again, so a file
 * stuck in its worker ($INCLUDE fan-out) can always be fixed; a load over
 * the memory budget is abandoned (ZONE_MEMORY_BUDGET) and the version
 * served stays. An edit that would remove more than 10 % of the zone's
 * records is held until its files have been unchanged for `holdMs`.
 */
export class ZoneRegistry {
  readonly #loaded = new Map<string, Loaded>();
  /** Zones that did not load, with their files as they were then (so a file that appears or changes is noticed). */
  readonly #failed = new Map<string, FilePrints>();
  readonly #held = new Map<string, Held>();
  readonly #log: Logger;
  readonly #histories: ZoneHistories;
  readonly #onLoaded: ZoneLoadedListener;
  readonly #opts: ZoneRegistryOptions;
  /** One reload at a time per zone: the running one, whether another was asked for meanwhile, and how to stop its read. */
  readonly #running = new Map<string, { done: Promise<boolean>; again: boolean; force: boolean; origin: Name; abort: AbortController | null }>();
  /** The zones (keys) the configuration lists now: a load that finishes after its zone was removed serves nothing. */
  readonly #wanted = new Set<string>();
  /** Extra fields of a zone's first `zone loaded` line (a folder found not writable at startup). */
  readonly #firstExtra = new Map<string, Record<string, unknown>>();
  /** How each zone's last load ended (see outcome()). */
  readonly #outcomes = new Map<string, LoadOutcome>();

  constructor(log: Logger, histories: ZoneHistories, onLoaded: ZoneLoadedListener = () => {}, opts: ZoneRegistryOptions = { holdMs: () => 5000 }) {
    this.#log = log;
    this.#histories = histories;
    this.#onLoaded = onLoaded;
    this.#opts = opts;
  }

  /** The zones being served. */
  zones(): Zone[] {
    return [...this.#loaded.values()].map((l) => l.zone);
  }

  // --- read-only accessors for the control socket (src/daemon/daemon-control.ts) ---

  /** What is known of the primary zone `name` (served, loading, failed, last load); null when the registry never heard of it. */
  info(name: string): PrimaryZoneInfo | null {
    const key = zoneKey(name);
    const l = this.#loaded.get(key);
    const lastLoad = this.#outcomes.get(key) ?? null;
    const loading = this.#running.has(key);
    const failed = this.#failed.has(key);
    if (l === undefined && lastLoad === null && !loading && !failed) return null;
    return { zone: l?.zone ?? null, file: l?.file ?? null, fileSerial: l?.fileSerial ?? null, loadedAt: l?.loadedAt ?? null, lastLoad, loading, failed };
  }

  /** How the last load of `name` ended; null before the first one ends. */
  outcome(name: string): LoadOutcome | null {
    return this.#outcomes.get(zoneKey(name)) ?? null;
  }

  /** Zones never loaded because their files failed. */
  failedCount(): number {
    return this.#failed.size;
  }

  /** Reads the zone `z` again now (a `tyne reload ZONE`: nothing is held); resolves with true when a new version is served. */
  reloadZone(z: ZoneSettings, config: Config): Promise<boolean> {
    return this.#reload(zoneKey(z.name), z, config, true, true);
  }

  #outcome(key: string, ok: boolean, result: string, errors: string[] = []): void {
    this.#outcomes.set(key, { at: Date.now(), ok, result, errors });
  }

  /** Zones configured and being loaded for the first time (none served, none failed yet): answered SERVFAIL meanwhile. */
  loading(): Name[] {
    const out: Name[] = [];
    for (const [key, r] of this.#running) if (!this.#loaded.has(key) && !this.#failed.has(key)) out.push(r.origin);
    return out;
  }

  /**
   * Every file to watch: each primary zone's file and what it $INCLUDEs
   * (also files of zones that did not load). The file of a zone found in a
   * zone directory is left out: its folder's watch covers it.
   */
  watchedFiles(config: Config): string[] {
    const files = new Set<string>();
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      if (z.directory === null) files.add(z.file);
      const prints = this.#seen(zoneKey(z.name));
      // A zone directory's file alone (no $INCLUDE): its folder's watch covers it.
      if (prints === undefined || (z.directory !== null && prints.size === 1 && prints.has(z.file))) continue;
      for (const f of prints.keys()) if (f !== z.file || z.directory === null) files.add(f);
    }
    return [...files];
  }

  /**
   * Startup: starts loading every primary zone of `config` (nothing is
   * served yet), in the background: each is served as soon as it is
   * loaded (onChanged), and is `loading()` until then. Resolves once each
   * has loaded or failed.
   */
  loadAll(config: Config): Promise<void> {
    const work: Promise<boolean>[] = [];
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      const key = zoneKey(z.name);
      this.#wanted.add(key);
      if (this.#loaded.has(key)) continue;
      const origin = originOf(z);
      const history = this.#histories.of(config, z);
      const storage = folderProblem(dirname(history.paths.state), 'the journal and served-serial state', 'a new serial cannot be recorded, so edits will not be served');
      if (storage !== null) {
        this.#log.error({ zone: origin.toText(), folder: dirname(history.paths.state), err: storage }, storage.message);
        this.#firstExtra.set(key, { storage: 'not writable' });
      }
      work.push(this.#reload(key, z, config, false, false));
    }
    return Promise.all(work).then(() => undefined);
  }

  /**
   * After a configuration change (or SIGHUP): drops zones no longer listed and
   * reloads, in the background, every zone that is new, did not load, or
   * whose files changed. `force` (SIGHUP: the operator says the files are
   * ready) applies held edits and holds nothing. Resolves with true when the
   * set of zones served changed.
   */
  async reloadConfig(config: Config, opts: { force?: boolean } = {}): Promise<boolean> {
    let changed = false;
    const listed = new Set<string>();
    const work: Promise<boolean>[] = [];
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      const key = zoneKey(z.name);
      listed.add(key);
      const old = this.#loaded.get(key);
      if (old !== undefined && old.file === z.file && samePrints(old.prints)) {
        if (opts.force === true && this.#held.has(key)) work.push(this.#reload(key, z, config, true, false));
        continue;
      }
      // A zone whose file changed (or moved) while it is being read is read again from the start.
      work.push(this.#reload(key, z, config, opts.force === true, old === undefined || old.file !== z.file || !samePrints(old.prints)));
    }
    for (const key of new Set([...this.#loaded.keys(), ...this.#failed.keys(), ...this.#running.keys()])) {
      if (!listed.has(key)) changed = this.#drop(key, 'the zone was removed from the configuration') || changed;
    }
    this.#wanted.clear();
    for (const key of listed) this.#wanted.add(key);
    // Zones that take long go on loading and are served when done (onChanged): a configuration reload is not held up by one slow file.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), CONFIG_RELOAD_WAIT_MS);
      timer.unref();
    });
    const all = await Promise.race([Promise.all(work), late]);
    clearTimeout(timer);
    if (all === 'late') return true;
    for (const r of all) changed ||= r;
    return changed;
  }

  /**
   * A zone directory's scan (src/daemon/zone-directories.ts) found zones
   * added, removed, moved to another file, or files changed: drops the
   * removed ones at once and starts loading the others in the background
   * (each is served when loaded: onChanged). Returns true when a zone
   * served was dropped.
   */
  applyDirectoryChanges(config: Config, c: { added: readonly ZoneSettings[]; removed: readonly ZoneSettings[]; moved: readonly ZoneSettings[]; touched: readonly string[] }): boolean {
    let changed = false;
    for (const z of c.removed) changed = this.#drop(zoneKey(z.name), 'its file left the zone directory') || changed;
    for (const z of [...c.added, ...c.moved]) {
      const key = zoneKey(z.name);
      this.#wanted.add(key);
      // A moved zone's read under way is of the old file: it starts again.
      void this.#reload(key, z, config, false, true).catch((err: unknown) => this.#log.error({ zone: z.name, err }, 'zone load failed'));
    }
    if (c.touched.length > 0) void this.reloadFiles(c.touched, config).catch((err: unknown) => this.#log.error({ err }, 'zone reload failed'));
    return changed;
  }

  /**
   * Stops serving a zone (it left the configuration or its folder): a read
   * under way stops, a held edit is dropped. Its history stays
   * (ZoneHistories), so if it comes back it continues above its serial.
   * Returns true when it was being served.
   */
  #drop(key: string, why: string): boolean {
    this.#wanted.delete(key);
    this.#running.get(key)?.abort?.abort(new Error(why));
    this.#failed.delete(key);
    this.#outcomes.delete(key);
    this.#unhold(key);
    const l = this.#loaded.get(key);
    if (l === undefined) return false;
    this.#log.info({ zone: l.zone.origin.toText(), serial: l.zone.serial, reason: why }, 'zone removed');
    this.#loaded.delete(key);
    return true;
  }

  /** Files changed on disk: reloads (in the background) each zone that read one of them. Resolves with true when a new version was swapped in. */
  async reloadFiles(paths: readonly string[], config: Config): Promise<boolean> {
    const work: Promise<boolean>[] = [];
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      const key = zoneKey(z.name);
      const prints = this.#seen(key);
      // Its files changed: a read under way is stale, and starts again (a file stuck in its worker can be fixed).
      if (paths.some((p) => p === z.file || (prints?.has(p) ?? false))) work.push(this.#reload(key, z, config, false, true));
    }
    let changed = false;
    for (const r of await Promise.all(work)) changed ||= r;
    return changed;
  }

  /**
   * Zones whose files differ (size, modification time, inode) from when
   * they were read, or did not load and whose file has changed since: what
   * an edit made between reading a file and arming its watch looks like.
   * With `fresh`, only zones that read one of those files (the files just
   * watched) are looked at. Reloads them; resolves with true when a new
   * version was swapped in.
   */
  async reloadStale(config: Config, fresh?: ReadonlySet<string>): Promise<boolean> {
    const stale: string[] = [];
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      const key = zoneKey(z.name);
      if (this.#running.has(key)) continue;
      const prints = this.#seen(key);
      if (prints === undefined) continue;
      // Only files just watched can have changed unseen (a zone directory's own files are its folder watch's).
      if (fresh !== undefined && !readsOneOf(prints, fresh)) continue;
      if (!samePrints(prints)) stale.push(z.file);
    }
    if (stale.length > 0) this.#log.info({ files: stale.length }, 'zone files changed while they were being read: reading them again');
    return stale.length === 0 ? false : this.reloadFiles(stale, config);
  }

  /** Files that vanished: the zones reading them keep their last good version, and say so. */
  filesRemoved(paths: readonly string[], config: Config): void {
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      const l = this.#loaded.get(zoneKey(z.name));
      const gone = paths.filter((p) => p === z.file || (l?.prints.has(p) ?? false));
      if (gone.length === 0) continue;
      this.#log.error(
        { zone: originOf(z).toText(), files: gone, serial: l?.zone.serial ?? null },
        l === undefined ? 'zone file removed; the zone is not served' : 'zone file removed; still serving the last good version',
      );
    }
  }

  /** The zone's files as last read: a held edit's, else the served version's, else those of a zone that did not load. */
  #seen(key: string): FilePrints | undefined {
    return this.#held.get(key)?.candidate.prints ?? this.#loaded.get(key)?.prints ?? this.#failed.get(key);
  }

  /** Stops the hold timers and the reads under way. */
  stop(): void {
    for (const key of [...this.#held.keys()]) this.#unhold(key);
    for (const r of this.#running.values()) r.abort?.abort(new Error('the server is stopping'));
  }

  /**
   * One reload of `key` at a time; asks made while one runs are folded
   * into one more run after it. `restart` (its files changed) also stops
   * the read under way, which is then started again.
   */
  #reload(key: string, z: ZoneSettings, config: Config, force: boolean, restart: boolean): Promise<boolean> {
    const running = this.#running.get(key);
    if (running !== undefined) {
      running.again = true;
      running.force ||= force;
      if (restart) running.abort?.abort(new Error('its files changed while they were read'));
      return running.done;
    }
    const slot: { done: Promise<boolean>; again: boolean; force: boolean; origin: Name; abort: AbortController | null } = {
      done: Promise.resolve(false),
      again: false,
      force,
      origin: originOf(z),
      abort: null,
    };
    slot.done = (async () => {
      let changed = false;
      try {
        do {
          slot.again = false;
          const f = slot.force;
          slot.force = false;
          changed = (await this.#reloadOnce(key, z, config, f, slot)) || changed;
        } while (slot.again);
      } finally {
        this.#running.delete(key);
      }
      return changed;
    })();
    this.#running.set(key, slot);
    return slot.done;
  }

  async #reloadOnce(key: string, z: ZoneSettings, config: Config, force: boolean, slot: { abort: AbortController | null }): Promise<boolean> {
    const firstTry = !this.#loaded.has(key) && !this.#failed.has(key);
    const changed = await this.#loadOnce(key, z, config, force, slot);
    // A zone that was loading (SERVFAIL) and now is served, or failed: what is answered changed.
    if (changed || (firstTry && (this.#loaded.has(key) || this.#failed.has(key)))) this.#opts.onChanged?.();
    return changed;
  }

  async #loadOnce(key: string, z: ZoneSettings, config: Config, force: boolean, slot: { abort: AbortController | null }): Promise<boolean> {
    const held = this.#held.get(key);
    this.#unhold(key);
    const origin = originOf(z);
    const old = this.#loaded.get(key);
    // A forced reload of a held edit whose files are still as they were applies it without reading them again.
    if (force && held !== undefined && samePrints(held.candidate.prints)) {
      return await this.#serve(key, z, this.#histories.of(config, z), this.#loaded.get(key), held.candidate, {});
    }
    const started = performance.now();
    const prints = filePrints([z.file, ...(old?.prints.keys() ?? [])]);
    let result: LoadResult;
    const abort = new AbortController();
    slot.abort = abort;
    const budget = this.#opts.memoryBudget?.() ?? defaultZoneMemoryBudget();
    try {
      // Always in the worker, whatever the file's size: what a file costs to read
      // ($INCLUDE fan-out, $GENERATE) cannot be told from its size.
      // The version served tells how many owners to expect: the builder's table is sized once (no rehash mid-read).
      result = await loadZoneFileAsync(z.file, origin, {
        ...readOptions(z), signal: abort.signal, memoryBudget: budget, sliceMs: LOAD_SLICE_MS, ...(old === undefined ? {} : { expectedNodes: old.zone.nodeCount }),
      });
    } catch (err) {
      if (err instanceof ZoneLoadError && err.code === 'ZONE_LOAD_ABORTED') {
        // Read again at once by #reload (its files changed), or not at all (removed, stopping).
        this.#log.info({ zone: origin.toText(), file: z.file, reason: (abort.signal.reason as Error | undefined)?.message }, 'zone read stopped');
        return false;
      }
      if (old === undefined) this.#failed.set(key, prints);
      this.#outcome(key, false, old === undefined ? 'not loaded' : 'not reloaded; still serving the previous version', [`${z.file}: ${(err as Error)?.message ?? String(err)}`]);
      const fields = err instanceof ZoneLoadError && err.code === 'ZONE_MEMORY_BUDGET' ? { budget } : {};
      this.#log.error({ zone: origin.toText(), file: z.file, ...fields, err }, old === undefined ? 'zone not loaded' : 'zone not reloaded; still serving the previous version');
      return false;
    } finally {
      slot.abort = null;
    }
    // The files it read (the $INCLUDEs may have changed) as they were before the read.
    const read = filePrints(result.files, prints);
    if (!this.#report(origin, result.errors, result.warnings, old) || result.zone === null) {
      this.#outcome(key, false, old === undefined ? 'not loaded' : 'not reloaded; still serving the previous version', result.errors.map(formatDiagnostic));
      if (old === undefined) this.#failed.set(key, read);
      else this.#loaded.set(key, { ...old, prints: mergePrints(old.prints, read) });
      return false;
    }
    // Reloads of one zone run one at a time (#reload), so `old` is still the version served when the diff is done.
    const diff = old === undefined ? undefined : await diffZonesAsync(old.zone, result.zone, LOAD_SLICE_MS);
    const c = this.#candidate(result, read, diff, started)!;
    // A first version's digest walks every record (half a second at a million): in slices, not inside #serve.
    if (old === undefined) c.digest = await runStepsInSlices(ContentDigest.ofZoneSteps(result.zone), LOAD_SLICE_MS);
    // Removed from the configuration (or its folder) while it was built: nothing to serve.
    if (!this.#wanted.has(key)) return false;
    if (old !== undefined && !force && this.#holdsBack(old.zone, result.zone)) {
      this.#hold(key, z, config, c, old.zone);
      this.#outcome(key, true, `held: it removes more than ${HOLD_REMOVED_SHARE * 100} % of the records (applied after watch-hold, or by tyne reload)`);
      return false;
    }
    const extra = old === undefined ? (this.#firstExtra.get(key) ?? {}) : {};
    this.#firstExtra.delete(key);
    return await this.#serve(key, z, this.#histories.of(config, z), old, c, extra);
  }

  #candidate(result: LoadResult, prints: FilePrints, diff: ZoneDiff | undefined, started: number): Candidate | null {
    if (result.zone === null) return null;
    return { result: result as LoadResult & { zone: Zone }, prints, diff, started };
  }

  /**
   * True for an edit that leaves the zone with fewer records than the served
   * version by more than HOLD_REMOVED_SHARE of them: what a file read
   * before its writer finished looks like. A changed record (removed and
   * added again) is not a loss.
   */
  #holdsBack(served: Zone, next: Zone): boolean {
    return served.recordCount - next.recordCount > served.recordCount * HOLD_REMOVED_SHARE;
  }

  #hold(key: string, z: ZoneSettings, config: Config, c: Candidate, served: Zone): void {
    const holdMs = this.#opts.holdMs();
    const removed = served.recordCount - c.result.zone.recordCount;
    const counts = { zone: served.origin.toText(), removed, records: served.recordCount, now: c.result.zone.recordCount, holdMs };
    this.#log.warn(counts, `zone edit held: it would leave ${removed} of ${served.recordCount} records out (more than ${HOLD_REMOVED_SHARE * 100} %), as a file read before its writer finished would; it is applied once the file has been unchanged for ${holdMs} ms (or at SIGHUP)`);
    const timer = setTimeout(() => {
      if (this.#held.get(key)?.timer !== timer) return;
      // The files changed since they were read: the watch reports that change, and it is read anew.
      if (!samePrints(c.prints)) {
        this.#held.delete(key);
        return;
      }
      this.#log.warn(counts, `held zone edit applied: the file was unchanged for ${holdMs} ms`);
      // A forced reload finds the held candidate (files unchanged) and serves it.
      void this.#reload(key, z, config, true, false).then((changed) => {
        if (changed) this.#afterHeld?.();
      }, (err: unknown) => this.#log.error({ zone: counts.zone, err }, 'held zone edit not applied'));
    }, holdMs);
    timer.unref();
    this.#held.set(key, { candidate: c, timer });
  }

  /** Called when a held edit was applied on its timer (the daemon rebuilds what it serves). */
  #afterHeld: (() => void) | null = null;

  /** Sets what to do when a held edit is applied on its own timer. */
  onHeldApplied(fn: () => void): void {
    this.#afterHeld = fn;
  }

  #unhold(key: string): void {
    const h = this.#held.get(key);
    if (h === undefined) return;
    clearTimeout(h.timer);
    this.#held.delete(key);
  }

  /**
   * Decides the serial of a new version (serial policy, over what the
   * history says was served), records it, and swaps it in. A version that
   * cannot be recorded is not served. Resolves with true when a new
   * version is served. The record is written off the event loop (queries
   * are answered meanwhile); the version served until then stays.
   */
  async #serve(key: string, z: ZoneSettings, history: ZoneHistory, old: Loaded | undefined, c: Candidate, extra: Record<string, unknown>): Promise<boolean> {
    const zone = c.result.zone;
    const origin = zone.origin.toText();
    const policy: SerialPolicy = z.serialPolicy;
    const fileSerial = zone.serial;
    let served: number | null;
    let changed: boolean;
    let digest: ContentDigest;
    let diff = c.diff;
    if (old !== undefined) {
      served = old.zone.serial;
      changed = contentChanged(diff!);
      digest = old.digest.clone().update(diff!.removed, diff!.added);
    } else {
      const recalled = history.recall();
      served = recalled.serial;
      digest = c.digest ?? ContentDigest.ofZone(zone);
      changed = recalled.digest === null || !recalled.digest.equals(digest);
    }
    const d = decideSerial(policy, fileSerial, served, changed, new Date());
    if (d.alert !== null) this.#log.error({ zone: origin, fileSerial, served, policy }, d.alert);
    const same = served !== null && d.serial === served >>> 0 && !changed;
    if (same && old !== undefined) {
      // Nothing to serve anew (a comment, a touch): keep the version served.
      this.#loaded.set(key, { ...old, prints: c.prints });
      this.#log.info({ zone: origin, serial: old.zone.serial }, 'zone file read again: no change');
      this.#outcome(key, true, 'no change');
      return false;
    }
    if (d.serial !== fileSerial) zone.setSerialBeforeServing(d.serial);
    if (diff !== undefined) {
      diff.toSerial = d.serial;
      diff.added[0] = { ...diff.added[0]!, rdata: zone.soa.rdatas[0]!.slice() };
    } else if (served !== null && !changed && d.serial !== served >>> 0) {
      // The same content under a newer serial: the journal gets the SOA change alone (RFC 1995 §4).
      const before = zone.soa.rdatas[0]!.slice();
      setSoaSerial(before, served);
      const soa = { name: zone.origin, type: zone.soa.type, class: zone.soa.class, ttl: zone.soa.ttl };
      diff = { fromSerial: served >>> 0, toSerial: d.serial, removed: [{ ...soa, rdata: before }], added: [{ ...soa, rdata: zone.soa.rdatas[0]!.slice() }] };
    }
    if (!same) {
      try {
        await history.record(zone, digest, fileSerial, diff ?? null);
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        const what = old === undefined ? 'zone not loaded' : 'zone not reloaded; still serving the previous version';
        this.#log.error(
          { zone: origin, serial: d.serial, file: err.file, err },
          `${what}: its serial ${d.serial} cannot be recorded (${err.message}); make the folder writable or set server.data-dir`,
        );
        if (old === undefined) this.#failed.set(key, c.prints);
        this.#outcome(key, false, old === undefined ? 'not loaded' : 'not reloaded; still serving the previous version', [`serial ${d.serial} cannot be recorded: ${err.message}`]);
        return false;
      }
    }
    if (d.serial !== fileSerial) {
      this.#log.info({ zone: origin, fileSerial, serial: d.serial, policy, reason: d.reason }, 'serial raised');
    }
    await this.#opts.beforeServe?.(zone);
    // Removed while its record (or its image) was written: recorded (a return continues above it), not served.
    if (!this.#wanted.has(key)) return false;
    this.#failed.delete(key);
    this.#loaded.set(key, { zone, digest, file: z.file, prints: c.prints, loadedAt: Date.now(), fileSerial });
    this.#outcome(key, true, old === undefined ? 'loaded' : 'reloaded');
    this.#onLoaded(old?.zone, zone);
    const ms = Math.round(performance.now() - c.started);
    if (old === undefined) {
      // The file's serial is shown beside the served one when they differ.
      const serials = d.serial === fileSerial ? { serial: zone.serial } : { serial: zone.serial, fileSerial };
      this.#log.info({ zone: origin, ...serials, records: zone.recordCount, file: z.file, ms, ...extra }, 'zone loaded');
    } else {
      this.#log.info(
        { zone: origin, serial: { from: old.zone.serial, to: zone.serial }, added: diff!.added.length - 1, removed: diff!.removed.length - 1, records: zone.recordCount, ms },
        'zone reloaded',
      );
    }
    return true;
  }

  /** Logs warnings and errors; false when there are errors (the zone must not be used). */
  #report(origin: Name, errors: Diagnostic[], warnings: Diagnostic[], old: Loaded | undefined): boolean {
    for (const w of warnings) this.#log.warn({ zone: origin.toText() }, formatDiagnostic(w));
    if (errors.length === 0) return true;
    for (const e of errors) this.#log.error({ zone: origin.toText(), code: e.code }, formatDiagnostic(e));
    if (old !== undefined) {
      this.#log.error({ zone: origin.toText(), errors: errors.length, serial: old.zone.serial }, 'zone not reloaded; still serving the previous version');
    } else {
      this.#log.error({ zone: origin.toText(), errors: errors.length }, 'zone not loaded; not serving it');
    }
    return false;
  }
}

/** True when the versions differ in more than the SOA serial. */
function contentChanged(diff: ZoneDiff): boolean {
  if (diff.removed.length > 1 || diff.added.length > 1) return true;
  const a = diff.removed[0]!;
  const b = diff.added[0]!;
  return a.ttl !== b.ttl || !soaSameButSerial(a.rdata, b.rdata);
}

/** `a` with the entries of `b` put over it. */
function mergePrints(a: FilePrints, b: FilePrints): FilePrints {
  return new Map([...a, ...b]);
}

/** The zone's read limits and include-confine, for the parser. */
function readOptions(z: ZoneSettings): { limits: ZoneSettings['limits']; confineIncludes: boolean } {
  return { limits: z.limits, confineIncludes: z.includeConfine };
}

function originOf(z: ZoneSettings): Name {
  return Name.fromText(z.name.endsWith('.') ? z.name : `${z.name}.`);
}

/** zoneKey's answers: each change of thousands of zones looks each of them up again. */
const KEYS = new Map<string, string>();
/** KEYS is emptied when it grows past this (names of zones long gone are not kept forever). */
const MAX_KEYS = 200_000;

function zoneKey(name: string): string {
  let key = KEYS.get(name);
  if (key === undefined) {
    key = (name.endsWith('.') ? name : `${name}.`).toLowerCase();
    if (KEYS.size >= MAX_KEYS) KEYS.clear();
    KEYS.set(name, key);
  }
  return key;
}

/** True when one of the files in `prints` is in `paths` (absolute). */
function readsOneOf(prints: FilePrints, paths: ReadonlySet<string>): boolean {
  for (const f of prints.keys()) if (paths.has(isAbsolute(f) ? f : resolve(f))) return true;
  return false;
}
