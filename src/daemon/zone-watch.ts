/**
 * The daemon's watch over its files: every primary zone file, what those
 * $INCLUDE, and the configuration file itself. It follows the settings:
 * `server.watch: false` turns it off (then only SIGHUP reloads), and
 * `server.watch-settle` is how long a file must be quiet before it is read.
 * Each time the watch is (re)armed, `onArmed` runs, so a change made
 * between reading a file and watching it is still seen.
 */
import type { Config } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { FileWatcher } from './file-watcher.js';

export interface ZoneWatchOptions {
  log: Logger;
  /** The files to watch now (the configuration file among them). */
  files(): string[];
  /** Zone files (or their $INCLUDEs) changed: resolves when they have been dealt with. */
  onZoneFiles(paths: string[]): Promise<void>;
  onZoneFilesRemoved(paths: string[]): void;
  onConfig(): void;
  /** The watch is in place for the files last given: look for changes it cannot have seen, in `fresh`, the files newly watched. */
  onArmed(fresh: ReadonlySet<string>): Promise<void>;
}

export class ZoneWatch {
  readonly #opts: ZoneWatchOptions;
  #watcher: FileWatcher | null = null;
  #settleMs = -1;
  #configPath = '';
  #closed = false;

  constructor(opts: ZoneWatchOptions) {
    this.#opts = opts;
  }

  /** Takes the settings of `config` (on or off, settle time) and arms the watch for the current files. */
  configure(config: Config): void {
    if (this.#closed) return;
    this.#configPath = config.path;
    const s = config.server;
    if (this.#watcher !== null && (!s.watch || s.watchSettleMs !== this.#settleMs)) {
      void this.#watcher.close();
      this.#watcher = null;
    }
    if (!s.watch) return;
    if (this.#watcher === null) {
      this.#settleMs = s.watchSettleMs;
      this.#watcher = this.#make(s.watchSettleMs);
    }
    this.#arm();
  }

  async close(): Promise<void> {
    this.#closed = true;
    const w = this.#watcher;
    this.#watcher = null;
    if (w !== null) await w.close();
  }

  /** Watches the current files; once the watch is ready, asks for the files that changed without it seeing. */
  #arm(): void {
    const w = this.#watcher;
    if (w === null || this.#closed) return;
    const fresh = new Set(w.setFiles(this.#opts.files()));
    void w
      .ready()
      .then(() => (this.#watcher === w && !this.#closed ? this.#opts.onArmed(fresh) : undefined))
      .catch((err: unknown) => this.#opts.log.error({ err }, 'looking for files changed before the watch was armed failed'));
  }

  #make(settleMs: number): FileWatcher {
    const log = this.#opts.log;
    const isConfig = (p: string): boolean => p === this.#configPath;
    return new FileWatcher({
      // A file is read once it has had no change for `watch-settle`; a writer that pauses longer meets the hold rules instead.
      debounceMs: settleMs,
      onChange: (paths) => {
        if (paths.some(isConfig)) {
          this.#opts.onConfig();
          return;
        }
        // A reload may bring new $INCLUDEs: arm the watch for them too.
        void this.#opts.onZoneFiles(paths).then(() => this.#arm(), (err: unknown) => log.error({ err }, 'zone reload failed'));
      },
      onRemove: (paths) => {
        if (paths.some(isConfig)) log.error({ file: this.#configPath }, 'configuration file removed; keeping the running configuration');
        const zoneFiles = paths.filter((p) => !isConfig(p));
        if (zoneFiles.length > 0) this.#opts.onZoneFilesRemoved(zoneFiles);
      },
      onError: (err) => log.error({ err }, `file watching: ${(err as Error)?.message ?? String(err)}`),
    });
  }
}
