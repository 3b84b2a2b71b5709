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
import { formatDiagnostic, RRType, type Name } from '../wire/index.js';
import { NodeFlags, rdataTtl } from '../zone/index.js';
import { formatRecord, formatRecordAt } from '../zonefile/zone-printer.js';
import { loadZoneFile } from '../daemon/load-zone.js';
import type { Zone } from '../zone/index.js';
import { applyDiffs } from './apply-diff.js';
import { writeFileAtomic } from './atomic-file.js';
import { setAsideDamaged } from './damaged-file.js';
import { Journal } from './journal.js';
import type { ZoneDiff } from './zone-diff.js';
import type { ZoneLimits } from '../zonefile/zone-limits.js';

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
}

/** `path + '.jnl'`: the changes made since the copy was written. */
export function journalPath(path: string): string {
  return `${path}.jnl`;
}

/** `path + '.state.json'`. */
export function statePath(path: string): string {
  return `${path}.state.json`;
}

/** First line of a file we write; such a file must end with END_MARK and its record count. */
const HEAD_MARK = '; saved by tyne (secondary copy),';
const END_MARK = '; end of zone, records: ';

/**
 * For a file we wrote: null when it ends with our end marker, else why
 * not. A file cut short at a line boundary would still parse, with records
 * missing; the marker and its count catch that.
 */
function checkComplete(path: string): { tyne: boolean; count: number | null } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, HEAD_MARK.length));
    readSync(fd, head, 0, head.length, 0);
    if (head.toString('latin1') !== HEAD_MARK) return { tyne: false, count: null };
    const n = Math.min(size, 128);
    const tail = Buffer.alloc(n);
    readSync(fd, tail, 0, n, size - n);
    const m = /\n; end of zone, records: (\d+)\n$/.exec(tail.toString('latin1'));
    return { tyne: true, count: m ? Number(m[1]) : null };
  } finally {
    closeSync(fd);
  }
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
  let buf: string[] = soa.rdatas.map((rdata) => formatRecord({ name: soa.name, type: soa.type, class: soa.class, ttl: soa.ttl, rdata }));
  let count = buf.length;
  let nodes = 0;
  let until = performance.now() + CHUNK_MS;
  for (const node of zone.nodes()) {
    // The owner in text once per node (not per record: most of the garbage a save made), and only once it has records.
    let owner: string | undefined;
    for (const rrset of node.transientRRsets()) {
      if (rrset.type === RRType.SOA && (node.flags & NodeFlags.APEX) !== 0) continue;
      // Each RRset keeps its own spelling.
      const text = rrset.ownerIsNode === true ? (owner ??= node.transientName().toText()) : rrset.name.toText();
      const rdatas = rrset.rdatas;
      for (let i = 0; i < rdatas.length; i++) {
        buf.push(formatRecordAt(text, { type: rrset.type, class: rrset.class, ttl: rdataTtl(rrset, i), rdata: rdatas[i]! }));
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
  yield `${END_MARK}${count}\n`;
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

/**
 * Reads the saved copy. Only `path` itself is read (never a temp file left
 * by a crash), and a file that does not load completely gives no zone, so
 * a damaged copy is never served. Missing files are not errors.
 */
export function loadSaved(path: string, origin: Name, options: { zoneClass?: number; limits?: Partial<ZoneLimits> } = {}): LoadSavedResult {
  const errors: string[] = [];
  let zone: Zone | null = null;
  let state: SecondaryState | null = null;
  if (existsSync(path)) {
    try {
      const done = checkComplete(path);
      if (done.tyne && done.count === null) throw new Error('saved zone is incomplete (no end marker)');
      const r = loadZoneFile(path, origin, {
        ...(options.zoneClass === undefined ? {} : { zoneClass: options.zoneClass }),
        ...(options.limits === undefined ? {} : { limits: options.limits }),
      });
      zone = r.zone;
      if (zone !== null && done.count !== null && zone.canonicalRecords().length !== done.count) {
        zone = null;
        errors.push(`${path}: saved zone is incomplete (${done.count} records expected)`);
      } else if (zone === null) {
        const first = r.errors.slice(0, 5).map(formatDiagnostic);
        errors.push(`${path}: saved zone does not load (${r.errors.length} error(s))${first.length ? ': ' + first.join('; ') : ''}`);
      }
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message}`);
    }
  }
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
    try {
      chain = journal.since(zone.serial, state.serial);
    } catch (e) {
      errors.push((e as Error).message);
    }
    if (chain === null) {
      errors.push(`${journalPath(path)}: does not lead from the copy's serial ${zone.serial} to the state's ${state.serial}; serving the copy`);
    } else {
      try {
        zone = applyDiffs(zone, chain, journalPath(path));
      } catch (e) {
        errors.push(`${journalPath(path)}: its changes do not apply to the copy (${(e as Error).message}); serving the copy`);
      }
    }
  }
  return { zone, state, copySerial, journal, errors };
}
