/**
 * The durable history of each primary zone: its IXFR journal and the
 * serial (with a digest of the content) it last served. This is what keeps
 * a served serial from ever going back or being reused for other content,
 * across reloads, restarts, and a zone removed from the configuration and
 * added again.
 *
 * A version is recorded (journal entry, then state file, each durable)
 * before it is served; a version that cannot be recorded is not served.
 * Histories are kept for zones that left the configuration, so a zone that
 * comes back continues above its old serial.
 */
import { join } from 'node:path';
import type { Config, ZoneSettings } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { Name } from '../wire/index.js';
import { ContentDigest, type Zone } from '../zone/index.js';
import { Journal, JournalCorruptError } from '../xfr/journal.js';
import { readServedState, writeServedState, type ServedState } from '../xfr/served-state.js';
import { compareSerial } from '../xfr/serial.js';
import { StorageError } from '../xfr/storage-error.js';
import type { ZoneDiff } from '../xfr/zone-diff.js';
import { setAsideDamaged } from '../xfr/damaged-file.js';
import { zoneFileName } from './zone-file-name.js';

/** What was served before, as far as anything recorded tells. */
export interface Recalled {
  /** The latest serial recorded anywhere (state file, journal, this process); null when nothing is. */
  serial: number | null;
  /** The content digest served under `serial`, when it is known; null means "assume the content differs". */
  digest: ContentDigest | null;
  /** Files found damaged (each already logged and set aside). */
  damaged: string[];
}

/** Where a zone's journal and state live. */
export interface HistoryPaths {
  journal: string;
  state: string;
}

/**
 * Beside the zone file by default (`<file>.jnl`, `<file>.served.json`); in
 * `server.data-dir`, when set, under the zone's name, so zone files can sit
 * in a read-only folder.
 */
export function historyPaths(config: Config, z: ZoneSettings): HistoryPaths {
  const dataDir = config.server.dataDir;
  if (dataDir === null) return { journal: `${z.file}.jnl`, state: `${z.file}.served.json` };
  const base = join(dataDir, zoneFileName(z.name));
  return { journal: `${base}.jnl`, state: `${base}.served.json` };
}

/** The later of two serials (RFC 1982); `a` when they cannot be ordered. */
function later(a: number, b: number): number {
  return compareSerial(b, a) > 0 ? b >>> 0 : a >>> 0;
}

/** One primary zone's history. */
export class ZoneHistory {
  readonly origin: string;
  readonly paths: HistoryPaths;
  readonly #log: Logger;
  #journal: Journal | null = null;
  /** Damaged files that could not be moved aside, already reported. */
  readonly #unmovable = new Set<string>();
  /** Last recorded in this process (survives a change of paths, and files removed behind our back). */
  #last: { serial: number; digest: ContentDigest } | null;

  constructor(origin: string, paths: HistoryPaths, log: Logger, carried: { serial: number; digest: ContentDigest } | null = null) {
    this.origin = origin;
    this.paths = paths;
    this.#log = log;
    this.#last = carried;
  }

  /** What this process last recorded, if anything. */
  get last(): { serial: number; digest: ContentDigest } | null {
    return this.#last;
  }

  /**
   * Reads the state file and the journal: what was served before. Damaged
   * files are logged at error level (naming the file), moved aside, and
   * their readable serials still count, so the next serial is above every
   * one recorded anywhere.
   */
  recall(): Recalled {
    const damaged: string[] = [];
    const serials: number[] = [];
    let state: ServedState | null = null;
    try {
      state = readServedState(this.paths.state, this.origin);
    } catch (err) {
      this.#damaged(err as StorageError);
      damaged.push(this.paths.state);
    }
    if (state !== null) serials.push(state.serial);
    try {
      serials.push(...this.journal().serials());
    } catch (err) {
      // journal() sets a damaged file aside and starts afresh; its whole entries still count.
      if (!(err instanceof JournalCorruptError)) throw err;
      damaged.push(this.paths.journal);
      serials.push(...err.serials);
    }
    if (this.#last !== null) serials.push(this.#last.serial);
    if (serials.length === 0) return { serial: null, digest: null, damaged };
    const serial = serials.reduce(later);
    let digest: ContentDigest | null = null;
    if (damaged.length === 0) {
      if (this.#last !== null && this.#last.serial === serial) digest = this.#last.digest;
      else if (state !== null && state.serial === serial) digest = ContentDigest.fromText(state.digest);
    }
    return { serial, digest, damaged };
  }

  /**
   * The journal (opened on first use). A damaged one is logged, moved aside
   * and replaced by an empty journal; the JournalCorruptError is thrown
   * once so the caller can count its serials.
   */
  journal(): Journal {
    if (this.#journal !== null) return this.#journal;
    try {
      this.#journal = Journal.open(this.paths.journal);
    } catch (err) {
      if (!(err instanceof JournalCorruptError)) throw err;
      this.#damaged(err);
      this.#journal = Journal.open(this.paths.journal);
      this.#watch(this.#journal);
      throw err;
    }
    this.#watch(this.#journal);
    return this.#journal;
  }

  /**
   * Makes a version durable before it is served: the difference from the
   * previous version goes into the journal when it continues the chain
   * (else the journal is emptied, so no entry is ever applied to a version
   * it was not made from), then the state file is replaced. Rejects with
   * StorageError when either cannot be written: the version must then not
   * be served. Calls for one zone must not overlap (ZoneRegistry runs one
   * load of a zone at a time).
   */
  async record(zone: Zone, digest: ContentDigest, fileSerial: number, diff: ZoneDiff | null): Promise<void> {
    let journal: Journal;
    try {
      journal = this.journal();
    } catch (err) {
      // Damaged: journal() has logged it, set it aside and opened an empty one in its place.
      if (!(err instanceof JournalCorruptError)) throw err;
      journal = this.journal();
    }
    try {
      // RFC 1995 §5: only a step forward is journaled; a diff from elsewhere starts a new journal (Journal.append).
      if (diff !== null && compareSerial(diff.toSerial, diff.fromSerial) > 0) {
        // The write and its fsync run off the event loop: queries to every zone are answered meanwhile.
        await journal.appendAsync(diff);
        this.#log.info({ zone: this.origin, from: diff.fromSerial, to: diff.toSerial, removed: diff.removed.length - 1, added: diff.added.length - 1 }, 'journal updated');
      } else if (journal.length > 0) {
        journal.reset();
        const why = diff === null ? 'no difference from the version before is known' : `serial ${diff.toSerial} does not follow ${diff.fromSerial}`;
        this.#log.info({ zone: this.origin, serial: zone.serial, reason: why }, 'journal emptied: IXFR clients get the whole zone until the next change');
      }
    } catch (err) {
      if (err instanceof StorageError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new StorageError('STORAGE_UNWRITABLE', this.paths.journal, `journal cannot be written (${code})`, { cause: err });
    }
    await writeServedState(this.paths.state, {
      zone: this.origin, serial: zone.serial, digest: digest.toString(), fileSerial, recorded: new Date().toISOString(),
    });
    this.#last = { serial: zone.serial, digest };
  }

  #watch(j: Journal): void {
    j.onCorrupt = (err) => {
      this.#damaged(err);
      // Later IXFRs get the whole zone (no chain reaches the current serial) until the next version starts a new one.
      this.#journal = null;
    };
  }

  /** Logs a damaged file at error level and moves it aside (`<file>.damaged-<UTC time>`), so it is kept for a look and never read again. */
  #damaged(err: StorageError): void {
    const moved = setAsideDamaged(err.file);
    // One that cannot be moved aside is met again at every use: reported once.
    if (moved === null) {
      if (this.#unmovable.has(err.file)) return;
      this.#unmovable.add(err.file);
    }
    this.#log.error({ zone: this.origin, file: err.file, movedTo: moved, err }, `${err.message}; the zone's next serial will be above every serial recorded`);
  }
}

/** Every primary zone's history, kept for zones that left the configuration too. */
export class ZoneHistories {
  readonly #log: Logger;
  readonly #byZone = new Map<string, ZoneHistory>();

  constructor(log: Logger) {
    this.#log = log;
  }

  /** The history of `z` under `config` (a new one when its files moved, carrying what this process recorded). */
  of(config: Config, z: ZoneSettings): ZoneHistory {
    const origin = Name.fromText(z.name.endsWith('.') ? z.name : `${z.name}.`);
    const key = origin.key;
    const paths = historyPaths(config, z);
    const h = this.#byZone.get(key);
    if (h !== undefined && h.paths.journal === paths.journal && h.paths.state === paths.state) return h;
    const next = new ZoneHistory(origin.toText(), paths, this.#log, h?.last ?? null);
    this.#byZone.set(key, next);
    return next;
  }

  /** The history of a zone being served (by origin key), if it has one. */
  byKey(key: string): ZoneHistory | undefined {
    return this.#byZone.get(key);
  }
}
