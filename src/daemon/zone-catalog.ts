import { statSync } from 'node:fs';
import type { Config, ZoneSettings } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { formatDiagnostic, Name, soaSameButSerial, type Diagnostic } from '../wire/index.js';
import type { Zone } from '../zone/index.js';
import { diffZonesAsync } from '../xfr/diff-zones.js';
import type { ZoneDiff } from '../xfr/zone-diff.js';
import { loadZoneFile } from './load-zone.js';
import { loadZoneFileAsync } from './load-zone-async.js';
import { decideSerial, type SerialPolicy } from './serial-policy.js';

/** A zone being served and what it was loaded from. */
interface Loaded {
  zone: Zone;
  file: string;
  /** The zone file and every file it $INCLUDEs. */
  files: string[];
  mtimeMs: number;
  size: number;
}

/** Hears of every version swapped in: the first (`old` and `diff` undefined) and each later one, with its difference. */
export type ZoneLoadedListener = (old: Zone | undefined, zone: Zone, diff: ZoneDiff | undefined) => void;

/**
 * The primary zones named in the configuration, as last loaded. A load
 * that finds errors logs every one and keeps the version already served,
 * if there is one (a bad edit never replaces a good zone); a zone that has
 * never loaded is not served, and the others still are.
 *
 * The first load (at startup) is synchronous. Every later one (a file
 * changed, SIGHUP) parses in a worker thread, builds and diffs in short
 * slices, applies the zone's serial policy, and only then swaps the new
 * version in, so queries are answered all along.
 */
export class ZoneCatalog {
  readonly #loaded = new Map<string, Loaded>();
  readonly #log: Logger;
  readonly #onLoaded: ZoneLoadedListener;
  /** One reload at a time per zone: the running one, and whether another was asked for meanwhile. */
  readonly #running = new Map<string, { done: Promise<boolean>; again: boolean }>();

  constructor(log: Logger, onLoaded: ZoneLoadedListener = () => {}) {
    this.#log = log;
    this.#onLoaded = onLoaded;
  }

  /** The zones being served. */
  zones(): Zone[] {
    return [...this.#loaded.values()].map((l) => l.zone);
  }

  /** Every file to watch: each primary zone's file and what it $INCLUDEs (also files of zones that did not load). */
  watchedFiles(config: Config): string[] {
    const files = new Set<string>();
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      files.add(z.file);
      for (const f of this.#loaded.get(zoneKey(z.name))?.files ?? []) files.add(f);
    }
    return [...files];
  }

  /** Startup: loads every primary zone of `config` at once (nothing is served yet). Returns the zones to serve. */
  loadAll(config: Config): Zone[] {
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      const key = zoneKey(z.name);
      if (this.#loaded.has(key)) continue;
      const origin = originOf(z);
      const stat = fileStat(z.file);
      const started = performance.now();
      let result;
      try {
        result = loadZoneFile(z.file, origin);
      } catch (err) {
        this.#log.error({ zone: origin.toText(), file: z.file, err }, 'zone not loaded');
        continue;
      }
      if (!this.#report(origin, result.errors, result.warnings, undefined) || result.zone === null) continue;
      const zone = result.zone;
      const d = decideSerial(policyOf(z), zone.serial, null, true, new Date());
      if (d.serial !== zone.serial) {
        this.#log.info({ zone: origin.toText(), file: zone.serial, serving: d.serial, reason: d.reason }, 'serial raised');
        zone.setSerialBeforeServing(d.serial);
      }
      this.#loaded.set(key, { zone, file: z.file, files: result.files, ...stat });
      this.#onLoaded(undefined, zone, undefined);
      this.#log.info(
        { zone: origin.toText(), serial: zone.serial, records: zone.recordCount, file: z.file, ms: Math.round(performance.now() - started) },
        'zone loaded',
      );
    }
    return this.zones();
  }

  /**
   * After a configuration change (or SIGHUP): drops zones no longer listed and
   * reloads, in the background, every zone that is new or whose file changed
   * (size or modification time). Resolves with true when the set of zones
   * served changed.
   */
  async reloadConfig(config: Config): Promise<boolean> {
    let changed = false;
    const listed = new Set<string>();
    const work: Promise<boolean>[] = [];
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      const key = zoneKey(z.name);
      listed.add(key);
      const old = this.#loaded.get(key);
      const stat = fileStat(z.file);
      if (old !== undefined && old.file === z.file && old.mtimeMs === stat.mtimeMs && old.size === stat.size) continue;
      work.push(this.#reload(key, z));
    }
    for (const key of [...this.#loaded.keys()]) {
      if (listed.has(key)) continue;
      this.#log.info({ zone: this.#loaded.get(key)!.zone.origin.toText() }, 'zone removed');
      this.#loaded.delete(key);
      changed = true;
    }
    for (const r of await Promise.all(work)) changed ||= r;
    return changed;
  }

  /** Files changed on disk: reloads (in the background) each zone that read one of them. Resolves with true when a new version was swapped in. */
  async reloadFiles(paths: readonly string[], config: Config): Promise<boolean> {
    const work: Promise<boolean>[] = [];
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      const key = zoneKey(z.name);
      const files = this.#loaded.get(key)?.files ?? [z.file];
      if (paths.some((p) => p === z.file || files.includes(p))) work.push(this.#reload(key, z));
    }
    let changed = false;
    for (const r of await Promise.all(work)) changed ||= r;
    return changed;
  }

  /** Files that vanished: the zones reading them keep their last good version, and say so. */
  filesRemoved(paths: readonly string[], config: Config): void {
    for (const z of config.zones) {
      if (z.type !== 'primary') continue;
      const l = this.#loaded.get(zoneKey(z.name));
      const gone = paths.filter((p) => p === z.file || (l?.files.includes(p) ?? false));
      if (gone.length === 0) continue;
      this.#log.error(
        { zone: originOf(z).toText(), files: gone, serial: l?.zone.serial ?? null },
        l === undefined ? 'zone file removed; the zone is not served' : 'zone file removed; still serving the last good version',
      );
    }
  }

  /** One reload of `key` at a time; asks made while one runs are folded into one more run after it. */
  #reload(key: string, z: ZoneSettings): Promise<boolean> {
    const running = this.#running.get(key);
    if (running !== undefined) {
      running.again = true;
      return running.done;
    }
    const slot = { done: Promise.resolve(false), again: false };
    slot.done = (async () => {
      let changed = false;
      try {
        do {
          slot.again = false;
          changed = (await this.#reloadOnce(key, z)) || changed;
        } while (slot.again);
      } finally {
        this.#running.delete(key);
      }
      return changed;
    })();
    this.#running.set(key, slot);
    return slot.done;
  }

  async #reloadOnce(key: string, z: ZoneSettings): Promise<boolean> {
    const origin = originOf(z);
    const old = this.#loaded.get(key);
    const stat = fileStat(z.file);
    const started = performance.now();
    let result;
    try {
      // A small file is read at once (a worker thread costs more to start than the parse);
      // a large one is parsed off the main thread so queries keep being answered.
      result = stat.size >= 0 && stat.size < SMALL_FILE ? loadZoneFile(z.file, origin) : await loadZoneFileAsync(z.file, origin);
    } catch (err) {
      this.#log.error({ zone: origin.toText(), file: z.file, err }, old === undefined ? 'zone not loaded' : 'zone not reloaded; still serving the previous version');
      return false;
    }
    if (!this.#report(origin, result.errors, result.warnings, old) || result.zone === null) return false;
    const zone = result.zone;
    const policy = policyOf(z);
    let diff: ZoneDiff | undefined;
    if (old === undefined) {
      const d = decideSerial(policy, zone.serial, null, true, new Date());
      if (d.serial !== zone.serial) zone.setSerialBeforeServing(d.serial);
    } else {
      diff = await diffZonesAsync(old.zone, zone);
      const changed = contentChanged(diff);
      const fileSerial = zone.serial;
      const d = decideSerial(policy, fileSerial, old.zone.serial, changed, new Date());
      if (d.warn !== null) this.#log.warn({ zone: origin.toText(), file: fileSerial, served: old.zone.serial, policy }, d.warn);
      if (!changed && d.serial === old.zone.serial) {
        // Nothing to serve anew (a comment, a touch): keep the version served.
        this.#loaded.set(key, { ...old, files: result.files, ...stat });
        this.#log.info({ zone: origin.toText(), serial: old.zone.serial }, 'zone file read again: no change');
        return false;
      }
      if (d.serial !== fileSerial) {
        zone.setSerialBeforeServing(d.serial);
        diff.toSerial = d.serial;
        diff.added[0] = { ...diff.added[0]!, rdata: zone.soa.rdatas[0]!.slice() };
        this.#log.info({ zone: origin.toText(), file: fileSerial, serving: d.serial, policy, reason: d.reason }, 'serial raised');
      }
    }
    this.#loaded.set(key, { zone, file: z.file, files: result.files, ...stat });
    this.#onLoaded(old?.zone, zone, diff);
    const ms = Math.round(performance.now() - started);
    if (old === undefined) {
      this.#log.info({ zone: origin.toText(), serial: zone.serial, records: zone.recordCount, file: z.file, ms }, 'zone loaded');
    } else {
      this.#log.info(
        { zone: origin.toText(), serial: { from: old.zone.serial, to: zone.serial }, added: diff!.added.length - 1, removed: diff!.removed.length - 1, records: zone.recordCount, ms },
        'zone reloaded',
      );
    }
    return true;
  }

  /** Logs warnings and errors; false when there are errors (the zone must not be used). */
  #report(origin: Name, errors: Diagnostic[], warnings: Diagnostic[], old: Loaded | undefined): boolean {
    for (const w of warnings) this.#log.warn({ zone: origin.toText() }, formatDiagnostic(w));
    if (errors.length === 0) return true;
    for (const e of errors) this.#log.error({ zone: origin.toText() }, formatDiagnostic(e));
    if (old !== undefined) {
      this.#log.error({ zone: origin.toText(), errors: errors.length, serial: old.zone.serial }, 'zone not reloaded; still serving the previous version');
    } else {
      this.#log.error({ zone: origin.toText(), errors: errors.length }, 'zone not loaded; not serving it');
    }
    return false;
  }
}

/** Zone files up to this size (and no $INCLUDE of a large one, in practice) are parsed on the main thread: about 2 ms. */
const SMALL_FILE = 64 * 1024;

/** True when the versions differ in more than the SOA serial. */
function contentChanged(diff: ZoneDiff): boolean {
  if (diff.removed.length > 1 || diff.added.length > 1) return true;
  const a = diff.removed[0]!;
  const b = diff.added[0]!;
  return a.ttl !== b.ttl || !soaSameButSerial(a.rdata, b.rdata);
}

function policyOf(z: ZoneSettings): SerialPolicy {
  return z.serialPolicy;
}

function originOf(z: ZoneSettings): Name {
  return Name.fromText(z.name.endsWith('.') ? z.name : `${z.name}.`);
}

function fileStat(path: string): { mtimeMs: number; size: number } {
  try {
    const st = statSync(path);
    return { mtimeMs: st.mtimeMs, size: st.size };
  } catch {
    return { mtimeMs: -1, size: -1 };
  }
}

function zoneKey(name: string): string {
  return (name.endsWith('.') ? name : `${name}.`).toLowerCase();
}
