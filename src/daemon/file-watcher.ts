// Watches a set of files for changes on top of chokidar.
//
// Design: the *folders* holding the files are watched (depth 0), one chokidar
// instance per folder, and everything except the wanted files is ignored. A
// folder watch survives the ways editors save: in-place writes, a temp file
// renamed over the target (the inode changes, so a plain file watch would go
// deaf), delete + re-create, and files that do not exist yet.
//
// chokidar events only mark a path as "touched". After a quiet period
// (debounceMs) the touched paths are stat'ed: a path that exists is reported
// through onChange, a missing one through onRemove. So a rename-over or a
// delete followed by a re-create inside the window is a change, never a
// removal, whatever sequence of raw events the platform produced.

import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

export interface FileWatcherOptions {
  /** Quiet time after the last event before reporting (default 100 ms): a burst of events is one report. */
  debounceMs?: number;
  /** chokidar awaitWriteFinish.stabilityThreshold (default 50 ms, pollInterval 10 ms): wait until a file stops changing before reporting it; 0 turns it off (the debounce alone decides). */
  stabilityMs?: number;
  /** Absolute paths that changed, were created, or were replaced by a rename (deduplicated, sorted). */
  onChange(paths: string[]): void;
  /** Absolute paths that are gone (after the debounce; a rename-over that re-creates the path is a change, not a removal). */
  onRemove?(paths: string[]): void;
  onError?(err: unknown): void;
}

interface DirWatch {
  /** The wanted files in this folder when the watch was made (sorted, joined): a different set means a new watch. */
  readonly key: string;
  readonly watcher: FSWatcher;
  readonly ready: Promise<void>;
  /** Resolves `ready` (used when the watch is closed before it became ready). */
  readonly settle: () => void;
}

const DEFAULT_DEBOUNCE_MS = 100;
const DEFAULT_STABILITY_MS = 50;
const POLL_INTERVAL_MS = 10;
/** A continuous stream of events still produces a report at least this often (in debounce periods). */
const MAX_WAIT_FACTOR = 10;

export class FileWatcher {
  private readonly debounceMs: number;
  private readonly stabilityMs: number;
  private readonly maxWaitMs: number;
  private readonly opts: FileWatcherOptions;

  /** The wanted files (absolute, normalised). */
  private files = new Set<string>();
  /** Folder → its chokidar watch. */
  private readonly dirs = new Map<string, DirWatch>();
  /** Paths touched since the last report. */
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** When the first event of the current batch arrived (for the max-wait bound). */
  private batchStart = 0;
  /** Serialises reports so they arrive in order. */
  private flushing: Promise<void> = Promise.resolve();
  /** Folder watches being closed (awaited by close()). */
  private closing = new Set<Promise<void>>();
  private closed = false;

  constructor(opts: FileWatcherOptions) {
    this.opts = opts;
    this.debounceMs = Math.max(0, opts.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    this.stabilityMs = Math.max(0, opts.stabilityMs ?? DEFAULT_STABILITY_MS);
    this.maxWaitMs = Math.max(this.debounceMs * MAX_WAIT_FACTOR, 1000);
  }

  /**
   * Watch exactly these files; adding/removing relative to the previous set.
   * Files that do not exist yet are watched for creation. (A file whose folder
   * does not exist is not detected until setFiles is called again.)
   * Returns the files whose watch is new (a change to them before it is
   * ready may not be seen); the others stayed watched all along.
   */
  setFiles(paths: readonly string[]): string[] {
    if (this.closed) throw new Error('FileWatcher is closed');
    const next = new Set(paths.map((p) => resolve(p)));
    this.files = next;
    // Forget pending reports for files no longer wanted.
    for (const p of this.pending) if (!next.has(p)) this.pending.delete(p);

    // chokidar only sets up its per-file watch for entries that were not
    // ignored when the folder was scanned, so a folder whose subset of wanted
    // files changed gets a fresh watch (zone sets are small; this is cheap).
    const byDir = new Map<string, string[]>();
    for (const p of next) {
      const d = dirname(p);
      const list = byDir.get(d);
      if (list) list.push(p);
      else byDir.set(d, [p]);
    }
    const keys = new Map([...byDir].map(([d, list]) => [d, list.sort().join('\0')]));
    for (const [dir, dw] of this.dirs) {
      if (keys.get(dir) === dw.key) continue;
      this.dirs.delete(dir);
      this.closeWatch(dw);
    }
    const fresh: string[] = [];
    for (const [dir, key] of keys) {
      if (this.dirs.has(dir)) continue;
      this.dirs.set(dir, this.watchDir(dir, key));
      fresh.push(...byDir.get(dir)!);
    }
    return fresh;
  }

  /** Resolves when chokidar is ready (initial scan done) for the current set. */
  async ready(): Promise<void> {
    await Promise.all([...this.dirs.values()].map((d) => d.ready));
  }

  /** Stops watching and releases every handle and timer. Pending, unreported events are dropped. */
  async close(): Promise<void> {
    if (this.closed) {
      await Promise.all([...this.closing]);
      return;
    }
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    for (const dw of this.dirs.values()) this.closeWatch(dw);
    this.dirs.clear();
    await Promise.all([...this.closing]);
    await this.flushing;
  }

  private watchDir(dir: string, key: string): DirWatch {
    const watcher = watch(dir, {
      persistent: true,
      ignoreInitial: true,
      depth: 0,
      atomic: true,
      followSymlinks: true,
      awaitWriteFinish: this.stabilityMs > 0 ? { stabilityThreshold: this.stabilityMs, pollInterval: POLL_INTERVAL_MS } : false,
      // Only the folder itself and the wanted files in it; the set is read live.
      ignored: (p: string) => p !== dir && !(dirname(p) === dir && this.files.has(p)),
    });
    let settle!: () => void;
    const ready = new Promise<void>((res) => {
      settle = res;
    });
    watcher.once('ready', settle);
    const touch = (p: string): void => this.touch(resolve(p));
    watcher.on('add', touch);
    watcher.on('change', touch);
    watcher.on('unlink', touch);
    watcher.on('error', (err: unknown) => this.reportError(err));
    return { key, watcher, ready, settle };
  }

  private closeWatch(dw: DirWatch): void {
    const p = dw.watcher
      .close()
      .catch((err: unknown) => this.reportError(err))
      .finally(() => {
        // A closed watcher never becomes ready: do not leave ready() hanging.
        dw.settle();
        this.closing.delete(p);
      });
    this.closing.add(p);
  }

  private touch(path: string): void {
    if (this.closed || !this.files.has(path)) return;
    const now = Date.now();
    if (this.pending.size === 0) this.batchStart = now;
    this.pending.add(path);
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.min(this.debounceMs, Math.max(0, this.batchStart + this.maxWaitMs - now));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.closed || this.pending.size === 0) return;
    const batch = [...this.pending];
    this.pending = new Set();
    this.flushing = this.flushing.then(() => this.report(batch));
  }

  private async report(batch: string[]): Promise<void> {
    const states = await Promise.all(
      batch.map(async (p) => {
        try {
          await stat(p);
          return { p, exists: true };
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'ENOTDIR') return { p, exists: false };
          this.reportError(err);
          return { p, exists: true };
        }
      }),
    );
    // The set may have changed or the watcher closed while stat was running.
    if (this.closed) return;
    const live = states.filter((s) => this.files.has(s.p));
    const changed = live.filter((s) => s.exists).map((s) => s.p).sort();
    const removed = live.filter((s) => !s.exists).map((s) => s.p).sort();
    if (removed.length > 0 && this.opts.onRemove) this.call(() => this.opts.onRemove?.(removed));
    if (changed.length > 0) this.call(() => this.opts.onChange(changed));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.reportError(err);
    }
  }

  private reportError(err: unknown): void {
    if (this.closed) return;
    if (this.opts.onError) {
      try {
        this.opts.onError(err);
      } catch {
        // An error handler that throws has nowhere left to report to.
      }
    }
  }
}
