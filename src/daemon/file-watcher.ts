/**
 * Watches a set of files for changes: one `fs.watch` (one inotify watch)
 * per folder that holds them, whatever the number of files, with its events
 * filtered by file name.
 *
 * A folder watch survives the ways editors save: in-place writes, a temp file
 * renamed over the target (the inode changes, so a plain file watch would go
 * deaf), delete and re-create, and files that do not exist yet. An event for
 * another file of the folder (a log, a journal, dnsperf's output) costs a
 * lookup of its name and nothing more: no timer, no stat, no read of the
 * folder. (chokidar, used before, read the whole folder again and stat'ed
 * every file in it after each such event, back to back while a neighbour
 * was being written: a third of a core for a log written 1,200 times a
 * second.)
 *
 * A wanted file that is a symbolic link, or a file with other hard links,
 * also gets a watch of its own, on its inode: an edit of a link's target in
 * another folder is seen, and so is a link re-pointed elsewhere (its old
 * target is left or deleted), and an edit through another name of the file.
 *
 * Events only mark a path as "touched". After a quiet period (debounceMs)
 * the touched paths are stat'ed: a path that exists is reported through
 * onChange, a missing one through onRemove. So a rename-over or a delete
 * followed by a re-create inside the window is a change, never a removal,
 * whatever sequence of raw events the platform produced.
 *
 * A folder that is missing (or goes away) is looked for every second; once
 * it is there, it is watched and its wanted files are reported as changed.
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

export interface FileWatcherOptions {
  /** Quiet time after the last event before reporting (default 100 ms): a burst of events is one report. */
  debounceMs?: number;
  /** Absolute paths that changed, were created, or were replaced by a rename (deduplicated, sorted). */
  onChange(paths: string[]): void;
  /** Absolute paths that are gone (after the debounce; a rename-over that re-creates the path is a change, not a removal). */
  onRemove?(paths: string[]): void;
  onError?(err: unknown): void;
}

/** The watch of one folder. */
interface FolderWatch {
  readonly path: string;
  /** The folder's own name, which Linux gives the events of the folder itself. */
  readonly self: string;
  /** The wanted files in it, by name (replaced by setFiles; read at each event). */
  names: Map<string, string>;
  /** Null while the folder cannot be watched (missing, or gone since): tried again every RETRY_MS. */
  watcher: FSWatcher | null;
  /** The folder's inode when its watch was made (0: not known yet); another one means the folder was replaced. */
  ino: number;
  /** An event named as the folder itself came in: at the next report, look whether the folder is still the one watched. */
  suspect: boolean;
}

/** What the watcher has done (tests: events of other files cost no stat). */
export interface FileWatcherCounts {
  /** Events from the folder and link watches. */
  events: number;
  /** Events for a wanted file (or for a whole folder: a platform that gave no name). */
  touches: number;
  /** Files stat'ed to report them. */
  checks: number;
}

const DEFAULT_DEBOUNCE_MS = 100;
/** A continuous stream of events still produces a report at least this often (in debounce periods). */
const MAX_WAIT_FACTOR = 10;
/** A folder that cannot be watched is tried again this often. */
export const RETRY_MS = 1000;

export class FileWatcher {
  readonly #debounceMs: number;
  readonly #maxWaitMs: number;
  readonly #opts: FileWatcherOptions;

  /** The wanted files (absolute, normalised). */
  #files = new Set<string>();
  /** Folder → its watch. */
  readonly #folders = new Map<string, FolderWatch>();
  /** Wanted files that are symbolic links (or have other hard links) → the watch of their inode. */
  readonly #links = new Map<string, FSWatcher>();
  /** Paths touched since the last report. */
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #retry: NodeJS.Timeout | undefined;
  /** When the first event of the current batch arrived (for the max-wait bound). */
  #batchStart = 0;
  /** Serialises reports so they arrive in order. */
  #flushing: Promise<void> = Promise.resolve();
  /** The link watches and folder inodes being set up (awaited by ready()). */
  #arming: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #counts: FileWatcherCounts = { events: 0, touches: 0, checks: 0 };

  constructor(opts: FileWatcherOptions) {
    this.#opts = opts;
    this.#debounceMs = Math.max(0, opts.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    this.#maxWaitMs = Math.max(this.#debounceMs * MAX_WAIT_FACTOR, 1000);
  }

  /**
   * Watch exactly these files; adding/removing relative to the previous set.
   * Files that do not exist yet are watched for creation. Returns the files
   * not watched before (a change to them before now may not have been seen);
   * the others stayed watched all along.
   */
  setFiles(paths: readonly string[]): string[] {
    if (this.#closed) throw new Error('FileWatcher is closed');
    const next = new Set(paths.map((p) => resolve(p)));
    const before = this.#files;
    this.#files = next;
    // Forget pending reports for files no longer wanted.
    for (const p of this.#pending) if (!next.has(p)) this.#pending.delete(p);
    for (const [p, w] of this.#links) {
      if (next.has(p)) continue;
      w.close();
      this.#links.delete(p);
    }
    const byFolder = new Map<string, Map<string, string>>();
    for (const p of next) {
      const d = dirname(p);
      let names = byFolder.get(d);
      if (names === undefined) byFolder.set(d, (names = new Map()));
      names.set(basename(p), p);
    }
    for (const [d, f] of this.#folders) {
      if (byFolder.has(d)) continue;
      f.watcher?.close();
      this.#folders.delete(d);
    }
    const fresh: string[] = [];
    const arm: FolderWatch[] = [];
    for (const [d, names] of byFolder) {
      let f = this.#folders.get(d);
      if (f === undefined) {
        f = { path: d, self: basename(d), names, watcher: null, ino: 0, suspect: false };
        this.#folders.set(d, f);
        this.#watchFolder(f);
        arm.push(f);
      } else {
        f.names = names; // the same watch, with the folder's new set of names
      }
      for (const p of names.values()) if (!before.has(p)) fresh.push(p);
    }
    this.#armInodes(fresh, arm);
    this.#scheduleRetry();
    return fresh;
  }

  /** Resolves once the watches of the current set are in place (the link watches are made after a stat). */
  async ready(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.#arming;
      await seen;
    } while (seen !== this.#arming);
  }

  /** What the watcher has done so far. */
  counts(): FileWatcherCounts {
    return { ...this.#counts };
  }

  /** Stops watching and releases every handle and timer. Pending, unreported events are dropped. */
  async close(): Promise<void> {
    if (this.#closed) {
      await this.#flushing;
      return;
    }
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#retry);
    this.#timer = undefined;
    this.#retry = undefined;
    this.#pending.clear();
    for (const f of this.#folders.values()) f.watcher?.close();
    this.#folders.clear();
    for (const w of this.#links.values()) w.close();
    this.#links.clear();
    await this.#arming.catch(() => undefined);
    await this.#flushing;
  }

  /** Makes the folder's watch; false when it cannot be made now (missing, not a folder, no permission). */
  #watchFolder(f: FolderWatch): boolean {
    let w: FSWatcher;
    try {
      w = watch(f.path, { persistent: true }, (_event, name) => this.#folderEvent(f, name));
    } catch {
      return false;
    }
    w.on('error', (err: unknown) => {
      // The folder went away (or can no longer be read): looked for again every RETRY_MS.
      w.close();
      if (f.watcher !== w) return;
      f.watcher = null;
      this.#reportError(err);
      for (const p of f.names.values()) this.#touch(p);
      this.#scheduleRetry();
    });
    f.watcher = w;
    f.ino = 0;
    f.suspect = false;
    return true;
  }

  #folderEvent(f: FolderWatch, name: string | null): void {
    this.#counts.events++;
    if (this.#closed) return;
    if (name === null) {
      // The platform did not say which file: any of them may have changed.
      for (const p of f.names.values()) this.#touch(p);
      return;
    }
    // Linux names events of the watched folder itself (deleted, moved) by the folder's own name.
    const p = f.names.get(name);
    if (name === f.self) {
      f.suspect = true;
      this.#schedule();
    }
    if (p !== undefined) this.#touch(p);
  }

  /** Stats the fresh files (a link gets a watch of its inode) and the new folders (their inodes). */
  #armInodes(paths: string[], folders: FolderWatch[]): void {
    if (paths.length === 0 && folders.length === 0) return;
    const work = async (): Promise<void> => {
      await Promise.all([...paths.map((p) => this.#followInode(p)), ...folders.map((f) => this.#readIno(f))]);
    };
    this.#arming = this.#arming.then(work, work);
  }

  async #readIno(f: FolderWatch): Promise<void> {
    const w = f.watcher;
    if (w === null) return;
    try {
      const s = await stat(f.path);
      if (f.watcher === w) f.ino = s.ino;
    } catch {
      // Gone already: the folder's events say so.
    }
  }

  /**
   * Watches the inode of `p` when it is a symbolic link (its target's) or has
   * other hard links (again: a link may point elsewhere now); else drops such a watch.
   */
  async #followInode(p: string): Promise<void> {
    let link = false;
    try {
      const s = await lstat(p);
      link = s.isSymbolicLink() || (s.isFile() && s.nlink > 1);
    } catch {
      // Missing: its folder's watch sees it come.
    }
    if (this.#closed || !this.#files.has(p)) return;
    const old = this.#links.get(p);
    old?.close();
    this.#links.delete(p);
    if (!link) return;
    try {
      const w = watch(p, { persistent: true }, () => {
        this.#counts.events++;
        this.#touch(p);
      });
      // The target went away: its folder's watch, or the next report, takes over.
      w.on('error', () => {
        w.close();
        if (this.#links.get(p) === w) this.#links.delete(p);
        this.#touch(p);
      });
      this.#links.set(p, w);
    } catch {
      // A dangling link: the folder's watch sees the link replaced.
    }
  }

  /** Tries the folders that have no watch every RETRY_MS (a timer that keeps the process alive, as a watch does); a folder watched again has its files reported. */
  #scheduleRetry(): void {
    if (this.#closed || this.#retry !== undefined) return;
    if (![...this.#folders.values()].some((f) => f.watcher === null)) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#closed) return;
      const armed: FolderWatch[] = [];
      for (const f of this.#folders.values()) {
        if (f.watcher !== null || !this.#watchFolder(f)) continue;
        armed.push(f);
        for (const p of f.names.values()) this.#touch(p);
      }
      this.#armInodes([], armed);
      this.#scheduleRetry();
    }, RETRY_MS);
  }

  #touch(path: string): void {
    if (this.#closed) return;
    this.#counts.touches++;
    if (!this.#files.has(path)) return;
    this.#pending.add(path);
    this.#schedule();
  }

  /** A report after `debounceMs` of quiet (at most #maxWaitMs after the first event of the batch). */
  #schedule(): void {
    const now = Date.now();
    if (this.#timer === undefined) this.#batchStart = now;
    clearTimeout(this.#timer);
    const wait = Math.min(this.#debounceMs, Math.max(0, this.#batchStart + this.#maxWaitMs - now));
    this.#timer = setTimeout(() => this.#flush(), wait);
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    const batch = [...this.#pending];
    this.#pending = new Set();
    this.#flushing = this.#flushing.then(() => this.#report(batch));
  }

  /** Folders whose own name came in an event: one replaced or gone gets a new watch (or is looked for until it is back). */
  async #checkFolders(): Promise<string[]> {
    const touched: string[] = [];
    for (const f of this.#folders.values()) {
      if (!f.suspect) continue;
      f.suspect = false;
      let ino = -1;
      try {
        ino = (await stat(f.path)).ino;
      } catch {
        // Gone: watched again once it is back.
      }
      if (this.#closed || this.#folders.get(f.path) !== f) continue;
      // Its inode not read yet (the watch is that new): the folder there now is the one watched.
      if (f.ino === 0 && ino >= 0 && f.watcher !== null) f.ino = ino;
      if (ino === f.ino && f.watcher !== null) continue;
      f.watcher?.close();
      f.watcher = null;
      if (ino >= 0 && this.#watchFolder(f)) f.ino = ino;
      touched.push(...f.names.values());
    }
    this.#scheduleRetry();
    return touched;
  }

  async #report(batch: string[]): Promise<void> {
    const all = new Set(batch);
    for (const p of await this.#checkFolders()) all.add(p);
    const states = await Promise.all(
      [...all].map(async (p) => {
        this.#counts.checks++;
        try {
          await stat(p);
          return { p, exists: true };
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'ENOTDIR') return { p, exists: false };
          this.#reportError(err);
          return { p, exists: true };
        }
      }),
    );
    // The set may have changed or the watcher closed while stat was running.
    if (this.#closed) return;
    const live = states.filter((s) => this.#files.has(s.p));
    // A link may point elsewhere now (or a file may have become a link): its own watch follows it again.
    this.#armInodes(live.map((s) => s.p), []);
    const changed = live.filter((s) => s.exists).map((s) => s.p).sort();
    const removed = live.filter((s) => !s.exists).map((s) => s.p).sort();
    if (removed.length > 0 && this.#opts.onRemove) this.#call(() => this.#opts.onRemove?.(removed));
    if (changed.length > 0) this.#call(() => this.#opts.onChange(changed));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#reportError(err);
    }
  }

  #reportError(err: unknown): void {
    if (this.#closed) return;
    if (this.#opts.onError) {
      try {
        this.#opts.onError(err);
      } catch {
        // An error handler that throws has nowhere left to report to.
      }
    }
  }
}
