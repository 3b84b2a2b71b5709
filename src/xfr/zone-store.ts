/**
 * The secondary's saved copy: the zone as a master file, a small JSON
 * state file beside it, and a journal of the IXFR changes made since the
 * copy was written (`<file>.jnl`, the same format as a primary's). The
 * files are replaced atomically (temp file in the same folder, fsync,
 * rename) and journal entries are fsync'd, so a crash leaves either the
 * old or the new version, never half of one. A change is journaled at
 * once and the copy rewritten later (zonefile-sync, as Knot does), so a
 * one-record IXFR into a large zone does not rewrite the whole file;
 * loading replays the journal over the copy.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldNow } from 'node:timers/promises';
import { formatDiagnostic, RRType, type Name } from '../wire/index.js';
import { ContentDigest, loadZoneFile, NodeFlags, rdataTtl, type LoadResult } from '../zone/index.js';
import { formatRecord, formatRecordAt, type ZoneLimits } from '../zonefile/index.js';
import type { Zone, ZoneNode } from '../zone/index.js';
import { applyDiffs } from './apply-diff.js';
import { writeFileAtomic } from './atomic-file.js';
import { setAsideDamaged } from './damaged-file.js';
import { Journal } from './journal.js';
import { StorageError } from './storage-error.js';
import type { ZoneDiff } from './zone-diff.js';

/** What a secondary remembers about its copy across restarts. */
export interface SecondaryState {
  /** The serial of the saved zone. */
  serial: number;
  /** ms epoch of the last successful refresh check or transfer (the expire clock starts here). */
  lastRefresh: number;
  /** ms epoch when the copy expires unless refreshed (lastRefresh + SOA EXPIRE). */
  expiresAt: number;
  /** The primary it came from (`host:port`). */
  primary: string;
}

export interface LoadSavedResult {
  /** The saved zone, or null when there is none or it does not load. */
  zone: Zone | null;
  /** The saved state, or null when there is none or it is unreadable. */
  state: SecondaryState | null;
  /** The serial of the copy file itself, before the journal was replayed (null when there is no copy). */
  copySerial: number | null;
  /** The journal beside the copy (for further changes); null when it cannot be used (damaged: see errors). */
  journal: Journal | null;
  /** Why a file present on disk was not used (one line each). */
  errors: string[];
  /**
   * The copy is ours but damaged (cut short, a record count or digest that
   * does not match its end marker): STORAGE_CORRUPT, the file already set
   * aside to `movedTo` (src/xfr/damaged-file.ts) so it is never read again.
   * The zone is then null: it is transferred again, never served from it.
   */
  corrupt: { error: StorageError; movedTo: string | null } | null;
  /** Copy written before the end marker held a digest (it was loaded unchecked; said in the log). */
  noDigest: boolean;
}

/** Loads a master file as src/zone/load-zone.ts does: the daemon gives one that parses in a worker (src/daemon/load-zone-async.ts). */
export type CopyLoader = (path: string, origin: Name) => Promise<LoadResult>;

/** `path + '.jnl'`: the changes made since the copy was written. */
export function journalPath(path: string): string {
  return `${path}.jnl`;
}

/** `path + '.state.json'`. */
export function statePath(path: string): string {
  return `${path}.state.json`;
}

/**
 * First line of a file we write; such a file must end with END_MARK, its
 * record count and (since issue 12) the ContentDigest of its records:
 * `; end of zone, records: 1234, digest: <32 hex digits>`.
 */
const HEAD_MARK = '; saved by tyne (secondary copy),';
const END_MARK = '; end of zone, records: ';

/** What the markers of a file we wrote promise. */
interface Marks {
  /** The file starts with HEAD_MARK. */
  tyne: boolean;
  /** The serial the first line names. */
  serial: number | null;
  /** The record count of the end marker; null when there is no end marker. */
  count: number | null;
  /** The digest of the end marker; null in a copy written before digests were added. */
  digest: string | null;
  /** The file's size in octets. */
  size: number;
}

/**
 * The markers of a file we wrote (`tyne` false for any other file). A file
 * cut short at a line boundary would still parse, with records missing; the
 * end marker and its count catch that, and its digest catches a record
 * altered in place (the same count).
 */
function readMarks(path: string): Marks {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, HEAD_MARK.length + 32));
    readSync(fd, head, 0, head.length, 0);
    const headText = head.toString('latin1');
    if (!headText.startsWith(HEAD_MARK)) return { tyne: false, serial: null, count: null, digest: null, size };
    const sm = /^; saved by tyne \(secondary copy\), serial (\d+)\n/.exec(headText);
    const n = Math.min(size, 160);
    const tail = Buffer.alloc(n);
    readSync(fd, tail, 0, n, size - n);
    const m = /\n; end of zone, records: (\d+)(?:, digest: ([0-9a-f]{32}))?\n$/.exec(tail.toString('latin1'));
    return { tyne: true, serial: sm ? Number(sm[1]) : null, count: m ? Number(m[1]) : null, digest: m?.[2] ?? null, size };
  } finally {
    closeSync(fd);
  }
}

/** Records counted and digested in one walk over the zone (the same walk as ContentDigest.ofZone). */
interface Tally {
  count: number;
  digest: ContentDigest;
}

/**
 * Counts and digests every record of `zone`; with `sliceMs`, yields to the
 * event loop after each slice of about that many ms (a 1.33M-record copy is
 * about a second of hashing: queries for other zones are answered between
 * slices).
 */
async function tallyInSlices(zone: Zone, sliceMs: number): Promise<Tally> {
  const digest = new ContentDigest();
  let count = 0;
  let nodes = 0;
  let until = performance.now() + sliceMs;
  for (const node of zone.nodes()) {
    count += tallyNode(node, digest);
    if ((++nodes & 63) === 0 && performance.now() >= until) {
      await yieldNow();
      until = performance.now() + sliceMs;
    }
  }
  return { count, digest };
}

function tally(zone: Zone): Tally {
  const digest = new ContentDigest();
  let count = 0;
  for (const node of zone.nodes()) count += tallyNode(node, digest);
  return { count, digest };
}

function tallyNode(node: ZoneNode, digest: ContentDigest): number {
  let count = 0;
  let owner: Name | undefined;
  for (const rrset of node.transientRRsets()) {
    const name = rrset.ownerIsNode === true ? (owner ??= node.transientName()) : rrset.name;
    const rdatas = rrset.rdatas;
    for (let i = 0; i < rdatas.length; i++) {
      digest.add({ name, type: rrset.type, class: rrset.class, ttl: rdataTtl(rrset, i), rdata: rdatas[i]! });
      count++;
    }
  }
  return count;
}

/**
 * The text is made and written in chunks of about this many ms of work
 * each: a large zone is not one huge string, and between two chunks (while
 * one is being written) the event loop answers queries. A fixed count of
 * 4096 records was 7 to 10 ms of work per chunk; with 1 ms chunks a 1 ms
 * ticker saw p99 3.5 ms, max 5.5 ms while 1.33M records were saved (2 ms
 * chunks: p99 9 ms, as each chunk's garbage made a collection with it).
 */
const CHUNK_MS = 1;

/**
 * The zone as master-file text: `$ORIGIN`, the SOA, then every other
 * record, name by name in the zone's own order. Written from a walk over
 * the nodes (no sorted copy of the zone, no RRset kept as an object), so
 * saving a million-record transfer costs little memory.
 */
function* zoneText(zone: Zone): Generator<string> {
  yield `${HEAD_MARK} serial ${zone.serial}\n$ORIGIN ${zone.origin.toText()}\n`;
  const soa = zone.soa;
  const digest = new ContentDigest();
  let buf: string[] = soa.rdatas.map((rdata) => {
    digest.add({ name: soa.name, type: soa.type, class: soa.class, ttl: soa.ttl, rdata });
    return formatRecord({ name: soa.name, type: soa.type, class: soa.class, ttl: soa.ttl, rdata });
  });
  let count = buf.length;
  let nodes = 0;
  let until = performance.now() + CHUNK_MS;
  for (const node of zone.nodes()) {
    // The owner in text once per node (not per record: most of the garbage a save made), and only once it has records.
    let owner: string | undefined;
    let ownerName: Name | undefined;
    for (const rrset of node.transientRRsets()) {
      if (rrset.type === RRType.SOA && (node.flags & NodeFlags.APEX) !== 0) continue;
      // Each RRset keeps its own spelling.
      const text = rrset.ownerIsNode === true ? (owner ??= node.transientName().toText()) : rrset.name.toText();
      const rdatas = rrset.rdatas;
      const name = rrset.ownerIsNode === true ? (ownerName ??= node.transientName()) : rrset.name;
      for (let i = 0; i < rdatas.length; i++) {
        const ttl = rdataTtl(rrset, i);
        buf.push(formatRecordAt(text, { type: rrset.type, class: rrset.class, ttl, rdata: rdatas[i]! }));
        // The digest checked at load (a record altered in place keeps the count).
        digest.add({ name, type: rrset.type, class: rrset.class, ttl, rdata: rdatas[i]! });
        count++;
      }
    }
    if ((++nodes & 31) === 0 && performance.now() >= until) {
      yield buf.join('\n') + '\n';
      buf = [];
      until = performance.now() + CHUNK_MS;
    }
  }
  if (buf.length > 0) yield buf.join('\n') + '\n';
  yield `${END_MARK}${count}, digest: ${digest.toString()}\n`;
}

/**
 * Saves `zone` to `path` and `state` to `path + '.state.json'`, each
 * atomically, zone first (so the state never names a zone newer than the
 * one on disk), then empties `journal` (the copy now holds its changes;
 * a crash before that leaves entries the copy already has, which loading
 * skips). The folder is created if missing.
 */
export async function saveZone(path: string, zone: Zone, state: SecondaryState, journal: Journal | null = null): Promise<void> {
  await writeFileAtomic(path, zoneText(zone));
  await saveState(path, state);
  if (journal !== null && journal.length > 0) journal.reset();
}

/**
 * A new, empty journal at `journalPath(path)`, the damaged one there (if
 * any) moved aside to `<journal>.damaged-<UTC time>` for a look.
 */
export function freshJournal(path: string): Journal {
  const j = journalPath(path);
  setAsideDamaged(j);
  return Journal.open(j);
}

/**
 * Journals one change (an applied IXFR, condensed) and saves `state`, when
 * the journal continues from the copy on disk (`copySerial`, or the
 * journal's last serial): resolves with true. Resolves with false, having
 * written nothing, when it does not (the caller saves the whole zone).
 */
export async function saveChange(path: string, journal: Journal, copySerial: number, diff: ZoneDiff, state: SecondaryState): Promise<boolean> {
  const from = journal.lastSerial ?? copySerial >>> 0;
  if (from !== diff.fromSerial >>> 0) return false;
  await journal.appendAsync(diff);
  await saveState(path, state);
  return true;
}

/** Saves only the state file (after a refresh that found the copy up to date). */
export async function saveState(path: string, state: SecondaryState): Promise<void> {
  await writeFileAtomic(statePath(path), [JSON.stringify(state, null, 2) + '\n']);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function parseState(text: string): SecondaryState | null {
  const o: unknown = JSON.parse(text);
  if (typeof o !== 'object' || o === null) return null;
  const s = o as Record<string, unknown>;
  if (!isFiniteNumber(s['serial']) || !isFiniteNumber(s['lastRefresh']) || !isFiniteNumber(s['expiresAt'])) return null;
  if (typeof s['primary'] !== 'string') return null;
  return { serial: s['serial'] >>> 0, lastRefresh: s['lastRefresh'], expiresAt: s['expiresAt'], primary: s['primary'] };
}

/** Parses and builds a master file on this thread (tests, tools; the daemon loads copies in a worker). */
export function loadCopySync(path: string, origin: Name, zoneClass?: number, limits?: Partial<ZoneLimits>): LoadResult {
  return loadZoneFile(path, origin, { ...(zoneClass === undefined ? {} : { zoneClass }), ...(limits === undefined ? {} : { limits }) });
}

/** A copy that is ours and damaged: set aside (never read again), STORAGE_CORRUPT. */
function damagedCopy(path: string, what: string): { error: StorageError; movedTo: string | null } {
  const movedTo = setAsideDamaged(path);
  const error = new StorageError('STORAGE_CORRUPT', path, `saved copy is damaged (${what}); it was set aside${movedTo === null ? '' : ` to ${movedTo}`} and the zone is transferred again from its primary`);
  return { error, movedTo };
}

/**
 * Reads the saved copy. Only `path` itself is read (never a temp file left
 * by a crash), and a file that does not load completely gives no zone, so
 * a damaged copy is never served: a copy of ours that is cut short, or whose
 * records do not match the count and digest of its end marker, is set aside
 * (`corrupt`). Missing files are not errors. The parse runs on this thread.
 */
export function loadSaved(path: string, origin: Name, options: { zoneClass?: number; limits?: Partial<ZoneLimits> } = {}): LoadSavedResult {
  const read: CopyRead = { marks: null, loaded: null, error: null };
  if (existsSync(path)) {
    try {
      read.marks = readMarks(path);
      if (!(read.marks.tyne && read.marks.count === null)) read.loaded = loadCopySync(path, origin, options.zoneClass, options.limits);
    } catch (e) {
      read.error = (e as Error).message;
    }
  }
  return finishLoad(path, read, read.loaded?.zone !== null && read.loaded?.zone !== undefined ? tally(read.loaded.zone) : null);
}

/**
 * A whole copy of ours at most this big (about 400 records) is parsed on
 * the main thread, in well under a millisecond, rather than by `load`:
 * ns2 restarting with 10,000 small customer zones otherwise sends every
 * one through the parse worker, whose messages and malloc arenas left
 * about 25 MiB more resident than the same zones transferred (measured in
 * the small-zones bench, README "Benchmarks").
 */
export const SMALL_COPY_BYTES = 32 * 1024;

/**
 * As loadSaved, without stalling the event loop: the copy is parsed by
 * `load` (the daemon's parse worker) and its records counted and digested
 * in slices of `sliceMs` (default 5), so other zones are answered while a
 * large copy loads. A complete copy of ours of at most `syncBelowBytes`
 * (default SMALL_COPY_BYTES) is parsed here, with `limits`.
 */
export async function loadSavedAsync(
  path: string,
  origin: Name,
  options: { load: CopyLoader; sliceMs?: number; syncBelowBytes?: number; zoneClass?: number; limits?: Partial<ZoneLimits> },
): Promise<LoadSavedResult> {
  const read: CopyRead = { marks: null, loaded: null, error: null };
  if (existsSync(path)) {
    try {
      const marks = readMarks(path);
      read.marks = marks;
      if (marks.tyne && marks.count !== null && marks.size <= (options.syncBelowBytes ?? SMALL_COPY_BYTES)) {
        read.loaded = loadCopySync(path, origin, options.zoneClass, options.limits);
      } else if (!(marks.tyne && marks.count === null)) {
        read.loaded = await options.load(path, origin);
      }
    } catch (e) {
      read.error = (e as Error).message;
    }
  }
  return finishLoad(path, read, read.loaded?.zone !== null && read.loaded?.zone !== undefined ? await tallyInSlices(read.loaded.zone, options.sliceMs ?? 5) : null);
}

/** What reading the copy file gave. */
interface CopyRead {
  marks: Marks | null;
  loaded: LoadResult | null;
  /** The file could not be read at all. */
  error: string | null;
}

/** Checks the loaded copy against its markers, then reads the state and the journal and replays it. */
function finishLoad(path: string, read: CopyRead, t: Tally | null): LoadSavedResult {
  const { marks, loaded } = read;
  const errors: string[] = read.error === null ? [] : [`${path}: ${read.error}`];
  let zone: Zone | null = null;
  let corrupt: LoadSavedResult['corrupt'] = null;
  let noDigest = false;
  let state: SecondaryState | null = null;
  if (marks !== null && marks.tyne && marks.count === null) {
    corrupt = damagedCopy(path, 'incomplete: no end marker');
  } else if (loaded !== null) {
    zone = loaded.zone;
    if (zone === null) {
      const first = loaded.errors.slice(0, 5).map(formatDiagnostic);
      const what = `saved zone does not load (${loaded.errors.length} error(s))${first.length ? ': ' + first.join('; ') : ''}`;
      // Ours and unreadable is damage; someone else's file is theirs to fix, and left in place.
      if (marks?.tyne === true) corrupt = damagedCopy(path, what);
      else errors.push(`${path}: ${what}`);
    } else if (marks?.tyne === true && t !== null) {
      if (marks.count !== t.count) {
        corrupt = damagedCopy(path, `incomplete: ${t.count} records where its end marker says ${marks.count}`);
      } else if (marks.digest !== null && marks.digest !== t.digest.toString()) {
        corrupt = damagedCopy(path, `its records do not match the digest of its end marker (${t.digest.toString()} read, ${marks.digest} written)`);
      } else if (marks.serial !== null && marks.serial !== zone.serial) {
        corrupt = damagedCopy(path, `its SOA serial ${zone.serial} is not the ${marks.serial} it was written with`);
      } else if (marks.digest === null) {
        noDigest = true;
      }
      if (corrupt !== null) zone = null;
    }
  }
  if (corrupt !== null) errors.push(corrupt.error.message);
  const sp = statePath(path);
  if (existsSync(sp)) {
    try {
      state = parseState(readFileSync(sp, 'utf8'));
      if (state === null) errors.push(`${sp}: not a valid state file`);
    } catch (e) {
      errors.push(`${sp}: ${(e as Error).message}`);
    }
  }
  const copySerial = zone?.serial ?? null;
  let journal: Journal | null = null;
  try {
    journal = Journal.open(journalPath(path));
  } catch (e) {
    // Damaged: not replayed, and not appended to (a whole copy is saved at the next change, which replaces it).
    errors.push((e as Error).message);
  }
  if (zone !== null && journal !== null && state !== null && state.serial !== zone.serial) {
    // The changes since the copy was written lead to the serial the state names.
    let chain: ZoneDiff[] | null = null;
    let damaged = false;
    try {
      chain = journal.since(zone.serial, state.serial);
    } catch (e) {
      // A damaged journal is reported as damaged (its JournalCorruptError), never as one that does not lead to the state's serial.
      errors.push((e as Error).message);
      damaged = true;
    }
    if (chain !== null) {
      try {
        zone = applyDiffs(zone, chain, journalPath(path));
      } catch (e) {
        errors.push(`${journalPath(path)}: its changes do not apply to the copy (${(e as Error).message}); serving the copy`);
      }
    } else if (!damaged) {
      errors.push(`${journalPath(path)}: does not lead from the copy's serial ${zone.serial} to the state's ${state.serial}; serving the copy`);
    }
  }
  return { zone, state, copySerial, journal, errors, corrupt, noDigest };
}
