/**
 * `tyne check-zone -j` / `-J FILE`: a journal applied to the zone read.
 * Apart from check-zone.ts, which imports it only for -j and -J, so a plain
 * check does not load the journal code (start-up, issue 16 §4).
 */
import { existsSync } from 'node:fs';
import type { Zone } from '../zone/index.js';
import { applyDiffs } from '../xfr/apply-diff.js';
import { Journal } from '../xfr/journal.js';

/**
 * `-j`/`-J`: the changes in Tyne's journal (src/xfr/journal.ts, written
 * beside a secondary's saved copy as FILE.jnl) applied to the zone, as
 * named loads a zone and its journal. No journal file: the zone as read.
 * A message (one line) when the journal cannot be used: damaged, BIND's own
 * format, or not leading on from the file's serial.
 */
export function applyJournal(zone: Zone, path: string): Zone | string {
  if (!existsSync(path)) return zone;
  let journal: Journal;
  try {
    journal = Journal.open(path);
  } catch (e) {
    const bind = /bad magic/.test((e as Error).message) ? ' (a journal named writes is not read: Tyne reads its own format)' : '';
    return `${path}: ${(e as Error).message}${bind}`;
  }
  const last = journal.lastSerial;
  if (last === null || last === zone.serial) return zone;
  const chain = journal.since(zone.serial, last);
  if (chain === null) return `${path}: journal out of sync with zone (it does not lead from the file's serial ${zone.serial} to ${last})`;
  try {
    return applyDiffs(zone, chain, path);
  } catch (e) {
    return `${path}: its changes do not apply to the zone (${(e as Error).message})`;
  }
}
