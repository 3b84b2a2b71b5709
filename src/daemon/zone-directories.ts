/**
 * Zone directories (`zone-directories:`, issue 14 §1): every matching file
 * directly in a folder is a primary zone named after its file. This keeps
 * the zones found, scans again when the folder's watch reports a change
 * (after `watch-settle`) and every RESCAN_EVERY_MS as a fallback, and says
 * what changed: zones added, removed, moved to another file, and the files
 * of kept zones that changed. It never removes by accident: a folder that
 * cannot be read, or that is suddenly empty, removes nothing; a scan that
 * would remove more than `max-removals` zones at once holds those removals
 * (logged at error level) until SIGHUP (`rescan({ force: true })`), while
 * its additions go ahead.
 *
 * One fs.watch per folder (one inotify watch, whatever the number of
 * files), not one per file: 10,000 customer zones cost one handle.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { basename, join } from 'node:path';
import type { Config, ZoneDirectorySettings, ZoneSettings } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { ignoredZoneFileName, originFromFileName } from './zone-file-origin.js';
import { ZoneDirectoryError } from './zone-directory-error.js';

/** The fallback rescan of every zone directory, for changes a watch did not report (issue 14: every 60 s). */
export const RESCAN_EVERY_MS = 60_000;

/** A folder that is missing or unreadable is looked at this often until it is back (and its watch armed again). */
export const RETRY_PROBLEM_MS = 1000;

/** What a scan changed. */
export interface DirectoryChanges {
  /** Zones found for the first time (or again). */
  added: ZoneSettings[];
  /** Zones whose file is gone (or no longer matches). */
  removed: ZoneSettings[];
  /** Zones that stay, now read from another file of the same name (letter case aside). */
  moved: ZoneSettings[];
  /** Files of kept zones that the watch reported changed. */
  touched: string[];
}

/** A zone found in a folder: its key (origin, lower case) and settings. */
interface Found {
  key: string;
  zone: ZoneSettings;
}

interface DirectoryState {
  settings: ZoneDirectorySettings;
  /** The zones served from this folder, by key. */
  zones: Map<string, ZoneSettings>;
  watcher: FSWatcher | null;
  /** The folder's inode when its watch was armed: a folder replaced (renamed away, made anew) needs a new watch. */
  watchedIno: number | null;
  /** The folder's inode at the last scan. */
  ino: number | null;
  /** The last problem logged for the folder as a whole (logged again only when it changes). */
  problem: string | null;
  /** Files refused, with the reason logged (logged again only when it changes). */
  refused: Map<string, string>;
  /** The removals held, as logged (logged again only when the set changes). */
  held: string | null;
  /** File names the watch reported since the last scan. */
  touched: Set<string>;
  /** What each matching file name of the last scan gives: its path and zone name, or why it gives none (names are parsed once, not at every scan of thousands). */
  names: Map<string, NameOf>;
}

/** A matching file name's path, and the zone name it gives (or why it gives none). */
type NameOf = { file: string; origin: string; error: null } | { file: string; origin: null; error: string };

/** True when a scan changed nothing. */
function noChange(c: DirectoryChanges): boolean {
  return c.added.length === 0 && c.removed.length === 0 && c.moved.length === 0 && c.touched.length === 0;
}

export class ZoneDirectories {
  readonly #log: Logger;
  readonly #onChanges: (c: DirectoryChanges) => void;
  #dirs: DirectoryState[] = [];
  /** Keys of the zones listed in `zones:`, which a file never replaces. */
  #configured = new Set<string>();
  #settleMs = 100;
  #watching = true;
  #timer: NodeJS.Timeout | null = null;
  #settle: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;
  /** One scan at a time; a change reported meanwhile is scanned after it. */
  #scanning: Promise<void> = Promise.resolve();
  #closed = false;

  /** `onChanges`: what a scan the folder watch or the rescan timer started changed. */
  constructor(log: Logger, onChanges: (c: DirectoryChanges) => void) {
    this.#log = log;
    this.#onChanges = onChanges;
  }

  /** Every zone found, in every folder. */
  zones(): ZoneSettings[] {
    const out: ZoneSettings[] = [];
    for (const d of this.#dirs) out.push(...d.zones.values());
    return out;
  }

  /**
   * Takes the folders of `config` (a folder no longer listed drops its
   * zones; a listed one keeps them and takes its new settings), scans them
   * all, and arms their watches. `force` (SIGHUP) releases held removals.
   * Resolves with what changed.
   */
  async configure(config: Config, opts: { force?: boolean } = {}): Promise<DirectoryChanges> {
    this.#settleMs = config.server.watchSettleMs;
    this.#watching = config.server.watch;
    this.#configured = new Set(config.zones.map((z) => zoneKey(z.name)));
    const old = new Map(this.#dirs.map((d) => [d.settings.path, d]));
    const removed: ZoneSettings[] = [];
    const next: DirectoryState[] = [];
    for (const settings of config.zoneDirectories) {
      const d = old.get(settings.path);
      old.delete(settings.path);
      if (d === undefined) {
        next.push({ settings, zones: new Map(), watcher: null, watchedIno: null, ino: null, problem: null, refused: new Map(), held: null, touched: new Set(), names: new Map() });
        continue;
      }
      d.settings = settings;
      // The pattern may have changed: file names are parsed again.
      d.names = new Map();
      // New settings (notify, catalog, limits...) for every zone already found.
      for (const [key, z] of d.zones) d.zones.set(key, zoneOf(settings, z.name, z.file));
      next.push(d);
    }
    for (const d of old.values()) {
      d.watcher?.close();
      removed.push(...d.zones.values());
      this.#log.info({ folder: d.settings.path, zones: d.zones.size }, 'zone directory no longer configured: its zones are removed');
    }
    this.#dirs = next;
    const changes = await this.#scanAll(opts.force === true);
    changes.removed.push(...removed);
    this.#arm();
    return changes;
  }

  /** Scans every folder again (SIGHUP: `force` releases held removals). Resolves with what changed. */
  rescan(opts: { force?: boolean } = {}): Promise<DirectoryChanges> {
    return this.#scanAll(opts.force === true);
  }

  /** The folders whose guard holds removals back (max-removals, or the folder emptied), for the control socket. */
  holds(): { path: string; zones: number | null; reason: string }[] {
    const out: { path: string; zones: number | null; reason: string }[] = [];
    for (const d of this.#dirs) {
      if (d.held !== null) out.push({ path: d.settings.path, zones: d.held.split(',').length, reason: 'more removals at once than max-removals' });
      else if (d.problem === 'ZONE_DIRECTORY_EMPTIED') out.push({ path: d.settings.path, zones: d.zones.size, reason: 'the folder holds no zone file now' });
    }
    return out;
  }

  /** True when a zone directory is configured at `path` (absolute). */
  has(path: string): boolean {
    return this.#dirs.some((d) => d.settings.path === path);
  }

  /**
   * `tyne release DIR`: scans the folder `path` alone, with its held
   * removals applied (what SIGHUP does for every folder). Resolves with
   * what changed (the caller applies it, as it does a watch's scan).
   */
  release(path: string): Promise<DirectoryChanges> {
    const run = this.#scanning.then(async () => {
      const taken = new Map<string, DirectoryState>();
      for (const d of this.#dirs) for (const key of d.zones.keys()) taken.set(key, d);
      const d = this.#dirs.find((x) => x.settings.path === path);
      return d === undefined ? { added: [], removed: [], moved: [], touched: [] } : await this.#scan(d, taken, true);
    });
    this.#scanning = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Stops the watches and timers. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    if (this.#settle !== null) clearTimeout(this.#settle);
    if (this.#retry !== null) clearTimeout(this.#retry);
    for (const d of this.#dirs) d.watcher?.close();
  }

  /** The watches of every folder not watched yet (a missing folder is tried again at each scan), and the rescan timer. */
  #arm(): void {
    if (this.#closed) return;
    if (this.#timer === null && this.#dirs.length > 0) {
      this.#timer = setInterval(() => this.#background(), RESCAN_EVERY_MS);
      this.#timer.unref();
    }
    for (const d of this.#dirs) {
      // Replaced since its watch was armed (or gone): the watch follows the old folder, so it is made anew.
      if (d.watcher !== null && (!this.#watching || d.watchedIno !== d.ino)) {
        d.watcher.close();
        d.watcher = null;
      }
      if (!this.#watching || d.watcher !== null || d.ino === null) continue;
      try {
        const folderName = basename(d.settings.path);
        const w = watch(d.settings.path, { persistent: false }, (_event, name) => {
          // A file that cannot be a zone (a log beside the zones, an editor's temporary file) changes no scan:
          // its events cost a test of the name, and do not put the scan off (issue 16 §1: dnsperf's output).
          if (name !== null && name !== folderName && !d.names.has(name) && zoneStem(d.settings, name) === null) return;
          if (name !== null) d.touched.add(name);
          this.#changed();
        });
        w.on('error', () => {
          // The folder went away (or was replaced): watched again at the next scan that finds it.
          w.close();
          if (d.watcher === w) d.watcher = null;
          this.#changed();
        });
        d.watcher = w;
        d.watchedIno = d.ino;
      } catch {
        // Not there (yet): the scan has logged it; the next one arms the watch.
      }
    }
    // A folder with a problem is looked at again soon, not only at the next rescan.
    if (this.#retry === null && this.#dirs.some((d) => d.ino === null)) {
      this.#retry = setTimeout(() => {
        this.#retry = null;
        this.#background();
      }, RETRY_PROBLEM_MS);
      this.#retry.unref();
    }
  }

  /** A watch reported a change: scan once the folder has been quiet for `watch-settle`. */
  #changed(): void {
    if (this.#closed) return;
    if (this.#settle !== null) clearTimeout(this.#settle);
    this.#settle = setTimeout(() => {
      this.#settle = null;
      this.#background();
    }, this.#settleMs);
  }

  /** A scan of the watch or the timer: its changes go to onChanges. */
  #background(): void {
    void this.#scanAll(false).then(
      (c) => {
        this.#arm();
        if (!noChange(c) && !this.#closed) this.#onChanges(c);
      },
      (err: unknown) => this.#log.error({ err }, `zone directory scan failed: ${(err as Error).message}`),
    );
  }

  #scanAll(force: boolean): Promise<DirectoryChanges> {
    const run = this.#scanning.then(async () => {
      const all: DirectoryChanges = { added: [], removed: [], moved: [], touched: [] };
      // Keys served from any folder: a name is served from one file only, the one that had it first.
      const taken = new Map<string, DirectoryState>();
      for (const d of this.#dirs) for (const key of d.zones.keys()) taken.set(key, d);
      for (const d of this.#dirs) {
        const c = await this.#scan(d, taken, force);
        all.added.push(...c.added);
        all.removed.push(...c.removed);
        all.moved.push(...c.moved);
        all.touched.push(...c.touched);
      }
      return all;
    });
    this.#scanning = run.then(() => undefined, () => undefined);
    return run;
  }

  async #scan(d: DirectoryState, taken: Map<string, DirectoryState>, force: boolean): Promise<DirectoryChanges> {
    const none: DirectoryChanges = { added: [], removed: [], moved: [], touched: [] };
    const s = d.settings;
    const touchedNames = d.touched;
    d.touched = new Set();
    let names: Dirent[];
    try {
      d.ino = (await stat(s.path)).ino;
      names = await readdir(s.path, { withFileTypes: true });
    } catch (err) {
      d.ino = null;
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      const why = code === 'ENOENT' ? 'is missing' : code === 'ENOTDIR' ? 'is not a folder' : `cannot be read (${code})`;
      this.#problem(d, new ZoneDirectoryError('ZONE_DIRECTORY_UNREADABLE', s.path, `zone directory ${s.path} ${why}: its ${d.zones.size} zone(s) keep serving; make it readable (or fix zone-directories[].path)`, { cause: err }));
      return none;
    }
    const found = await this.#found(d, names, taken);
    // Suddenly empty: more than one zone gone at once, none left (the last one removed alone is an ordinary removal).
    if (found.size === 0 && d.zones.size > 1 && !force) {
      this.#problem(d, new ZoneDirectoryError('ZONE_DIRECTORY_EMPTIED', s.path, `zone directory ${s.path} holds no zone file now: its ${d.zones.size} zones keep serving, as a folder being replaced looks like this; send SIGHUP to remove them`));
      return none;
    }
    if (d.problem !== null) {
      this.#log.info({ folder: s.path, zones: found.size }, 'zone directory readable again');
      d.problem = null;
    }
    const c: DirectoryChanges = { added: [], removed: [], moved: [], touched: [] };
    // The files the watch reported, as paths (one lookup per zone below, not one per name reported).
    const touched = new Set([...touchedNames].map((n) => join(s.path, n)));
    const gone = [...d.zones.values()].filter((z) => !found.has(zoneKey(z.name)));
    const limit = Math.max(Math.floor(s.maxRemovals.share * d.zones.size), s.maxRemovals.atLeast);
    const holding = gone.length > limit && !force;
    if (holding) {
      const names = gone.map((z) => z.name).sort();
      const key = names.join(',');
      if (d.held !== key) {
        d.held = key;
        const err = new ZoneDirectoryError(
          'ZONE_DIRECTORY_REMOVALS_HELD', s.path,
          `zone directory ${s.path}: a scan would remove ${gone.length} of ${d.zones.size} zones at once (more than max-removals, ${limit}); they keep serving; send SIGHUP to remove them`,
        );
        this.#log.error({ folder: s.path, removed: gone.length, zones: names.slice(0, 20), limit, err }, err.message);
      }
    } else {
      if (d.held !== null && force) this.#log.warn({ folder: s.path, removed: gone.length }, 'held zone removals applied (SIGHUP)');
      d.held = null;
      for (const z of gone) {
        d.zones.delete(zoneKey(z.name));
        taken.delete(zoneKey(z.name));
        c.removed.push(z);
      }
    }
    for (const [key, f] of found) {
      const had = d.zones.get(key);
      if (had === undefined) {
        d.zones.set(key, f.zone);
        taken.set(key, d);
        c.added.push(f.zone);
      } else if (had.file !== f.zone.file) {
        d.zones.set(key, f.zone);
        c.moved.push(f.zone);
      } else if (touched.has(had.file)) {
        c.touched.push(had.file);
      }
    }
    return c;
  }

  /**
   * The zone files among `names`, by key: matching regular files (symbolic
   * links to them too), not ignored, whose name gives a zone not served
   * from elsewhere. A refused file is logged (once while its reason stays).
   */
  async #found(d: DirectoryState, entries: Dirent[], taken: Map<string, DirectoryState>): Promise<Map<string, Found>> {
    const s = d.settings;
    const out = new Map<string, Found>();
    const refused = new Map<string, string>();
    const names = new Map<string, NameOf>();
    // In name order (UTF-16 code units), so the same folder gives the same choice on every host.
    const byName = new Map<string, Dirent>();
    for (const e of entries) byName.set(e.name, e);
    for (const name of [...byName.keys()].sort()) {
      const entry = byName.get(name)!;
      let of = d.names.get(name);
      if (of === undefined) {
        const stem = zoneStem(s, name);
        if (stem === null) continue;
        of = nameOf(join(s.path, name), stem);
      }
      names.set(name, of);
      const file = of.file;
      // Subfolders are not zones; a symbolic link is followed (a dangling one is as if not there).
      if (!entry.isFile() && !(entry.isSymbolicLink() && (await isFile(file)))) continue;
      if (of.origin === null) {
        refused.set(name, of.error);
        continue;
      }
      const origin = of.origin;
      const key = origin.toLowerCase();
      const owner = taken.get(key);
      const mine = d.zones.get(key);
      if (this.#configured.has(key)) {
        refused.set(name, `zone ${origin} is listed in zones:, which keeps it; remove the file or the entry`);
      } else if (owner !== undefined && owner !== d) {
        refused.set(name, `zone ${origin} is already served from ${owner.zones.get(key)?.file ?? owner.settings.path}; remove one of the two files`);
      } else if (out.has(key)) {
        const first = out.get(key)!;
        // Two files for one name (letter case aside): the one served already stays.
        if (mine !== undefined && mine.file === file) {
          refused.set(first.zone.file.slice(s.path.length + 1), `zone ${origin} is already served from ${file}; remove one of the two files`);
          out.set(key, { key, zone: zoneOf(s, origin, file) });
        } else {
          refused.set(name, `zone ${origin} is already served from ${first.zone.file}; remove one of the two files`);
        }
      } else {
        out.set(key, { key, zone: mine !== undefined && mine.file === file ? mine : zoneOf(s, origin, file) });
      }
    }
    for (const [name, why] of refused) {
      if (d.refused.get(name) === why) continue;
      const err = new ZoneDirectoryError('ZONE_DIRECTORY_FILE_REFUSED', join(s.path, name), `zone file ${join(s.path, name)} refused: ${why}`);
      this.#log.error({ folder: s.path, file: err.path, err }, err.message);
    }
    d.refused = refused;
    d.names = names;
    return out;
  }

  /** A problem with the folder as a whole: logged once while it stays. */
  #problem(d: DirectoryState, err: ZoneDirectoryError): void {
    if (d.problem === err.code) return;
    d.problem = err.code;
    this.#log.error({ folder: d.settings.path, zones: d.zones.size, err }, err.message);
  }
}

/** The part of a file name the folder's pattern takes as the zone name; null when the name cannot be a zone (ignored, or not matching). */
function zoneStem(s: ZoneDirectorySettings, name: string): string | null {
  if (ignoredZoneFileName(name)) return null;
  const m = s.match.exec(name);
  return m?.[1] ?? null;
}

/** What the matching file name `file` gives (`stem`: the part its folder's pattern takes as the zone name). */
function nameOf(file: string, stem: string): NameOf {
  try {
    return { file, origin: originFromFileName(stem).toText(), error: null };
  } catch (err) {
    return { file, origin: null, error: `its name does not give a zone name (${(err as Error).message}); rename it` };
  }
}

/** The settings of the zone `name` read from `file`, as its folder's entry says. */
function zoneOf(dir: ZoneDirectorySettings, name: string, file: string): ZoneSettings {
  return { ...dir.template, name, file };
}

function zoneKey(name: string): string {
  return (name.endsWith('.') ? name : `${name}.`).toLowerCase();
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
