/**
 * Serial policies: which SOA serial a primary serves for a newly loaded
 * version of a zone file, so that an edit made without raising the serial
 * still reaches the secondaries (RFC 1996 NOTIFY and the refresh check of
 * RFC 1034 §4.3.5 both compare serials, RFC 1982 style).
 */
import { addSerial, compareSerial } from '../xfr/serial.js';
import type { SerialPolicy } from '../zone/index.js';

export interface SerialDecision {
  /** The serial to serve (0..2^32-1). */
  serial: number;
  /** True when `serial` is not the file's: the zone's SOA must be set to it before serving. */
  raised: boolean;
  /** Why the serial is not the file's (null when it is). */
  reason: string | null;
  /** Something the operator must hear about, logged at error level (null when all is well). */
  alert: string | null;
}

/** The later of two serials (RFC 1982); `a` when the order is undefined. */
function later(a: number, b: number): number {
  return compareSerial(b, a) > 0 ? b >>> 0 : a >>> 0;
}

/** `now` in whole seconds since the epoch, modulo 2^32. */
function unixSeconds(now: Date): number {
  return Math.floor(now.getTime() / 1000) >>> 0;
}

/** YYYYMMDD00 for the UTC date of `now`. */
function dateSerial(now: Date): number {
  return (now.getUTCFullYear() * 10_000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate()) * 100;
}

function decision(serial: number, fileSerial: number, reason: string | null, alert: string | null = null): SerialDecision {
  const s = serial >>> 0;
  const raised = s !== fileSerial >>> 0;
  return { serial: s, raised, reason: raised ? reason : null, alert };
}

/**
 * The serial to serve for a newly loaded version of a zone.
 *
 * `fileSerial` is the SOA serial in the file; `served` the serial served
 * now (null at the first load); `changed` whether the records differ from
 * the served version (the SOA serial aside). Serials compare as RFC 1982
 * says, so every policy survives the wrap at 2^32.
 *
 * - `increment` (the default): when the content changed but the file's
 *   serial is not above the served one, serve served+1; else the file's.
 * - `file`: the file's serial, always; a change without a higher serial is
 *   an alert (secondaries will not fetch it).
 * - `unixtime` (as Knot's): the current time in seconds, or served+1 when
 *   that is not above the served serial; at the first load the later of the
 *   time and the file's serial.
 * - `dateserial` (as Knot's): YYYYMMDDnn, today's (UTC) YYYYMMDD00 or
 *   served+1 when that is not above the served serial (so nn past 99 runs
 *   into the next day's numbers, still increasing); at the first load the
 *   later of the file's serial and YYYYMMDD00.
 *
 * `served` is the serial last served as far as anything recorded tells
 * (src/daemon/zone-history.ts), across restarts too; `changed` is true when
 * the content differs from what was served under it, or is not known.
 * When nothing changed the served serial stays (a higher file serial is
 * taken under `file` and `increment`); a serial never goes backwards
 * except under `file`, where the file has the last word on a change.
 */
export function decideSerial(policy: SerialPolicy, fileSerial: number, served: number | null, changed: boolean, now: Date): SerialDecision {
  const file = fileSerial >>> 0;
  if (served === null) {
    switch (policy) {
      case 'file':
      case 'increment':
        return decision(file, file, null);
      case 'unixtime': {
        const t = unixSeconds(now);
        return decision(later(file, t), file, `serial-policy unixtime: the current time ${t} is above the file's serial ${file}`);
      }
      case 'dateserial': {
        const d = dateSerial(now);
        return decision(later(file, d), file, `serial-policy dateserial: today's ${d} is above the file's serial ${file}`);
      }
    }
  }
  const cur = served >>> 0;
  const next = addSerial(cur, 1);
  if (!changed) {
    if ((policy === 'file' || policy === 'increment') && compareSerial(file, cur) > 0) return decision(file, file, null);
    return decision(cur, file, `content unchanged: keeping the served serial ${cur}`);
  }
  const fileAbove = compareSerial(file, cur) > 0;
  switch (policy) {
    case 'file':
      // As BIND warns: the secondaries compare serials (RFC 1996 §4.7, RFC 1034 §4.3.5) and will keep what they have.
      return decision(file, file, null, fileAbove ? null : `serial not raised: the file's serial ${file} is not above the served ${cur}, so secondaries will not see the change`);
    case 'increment':
      return fileAbove ? decision(file, file, null) : decision(next, file, `file serial ${file} not above served ${cur}`);
    case 'unixtime': {
      const t = unixSeconds(now);
      if (compareSerial(t, cur) > 0) return decision(t, file, `serial-policy unixtime: the current time ${t}`);
      return decision(next, file, `serial-policy unixtime: the current time ${t} is not above served ${cur}`);
    }
    case 'dateserial': {
      const d = dateSerial(now);
      if (compareSerial(d, cur) > 0) return decision(d, file, `serial-policy dateserial: today's ${d}`);
      return decision(next, file, `serial-policy dateserial: today's ${d} is not above served ${cur}`);
    }
  }
}
