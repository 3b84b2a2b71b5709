/**
 * Outgoing IXFR answers (RFC 1995): the current SOA alone when the client
 * is up to date, else the condensed difference from the client's version,
 * else (no journal reaching back, or a difference larger than the zone)
 * the whole zone as in AXFR, which RFC 1995 §4 allows.
 */
import { RRType, type ResourceRecord } from '../wire/index.js';
import type { Zone } from '../zone/index.js';
import { XfrPacker, streamZone, type XfrMessageOptions, type XfrQuery } from './axfr-out.js';
import type { Journal } from './journal.js';
import { StorageError } from './storage-error.js';
import { compareSerial } from './serial.js';
import type { ZoneDiff } from './zone-diff.js';

/** Which answer an IXFR query got. */
export type IxfrKind = 'UPTODATE' | 'IXFR' | 'AXFR' | 'TCP_NEEDED';

/** Filled in by ixfrMessages: the answer given and why. */
export interface IxfrInfo {
  /** An IxfrKind. */
  kind?: IxfrKind | string;
  reason?: string;
  /** Records in the condensed difference, SOAs included (IXFR only). */
  records?: number;
}

export interface IxfrMessageOptions extends XfrMessageOptions {
  /**
   * Set for UDP: the whole answer must fit in one message of this many
   * octets (less `reserve`), else the answer is the current SOA alone
   * (RFC 1995 §2), telling the client to ask over TCP.
   */
  udpLimit?: number;
  info?: IxfrInfo;
}

/** Identity of a record: owner (any case), type, class, TTL, rdata octets. */
function recordKey(rr: ResourceRecord): string {
  const r = rr.rdata;
  return `${rr.name.key}|${rr.type},${rr.class},${rr.ttl}|${Buffer.from(r.buffer, r.byteOffset, r.length).toString('latin1')}`;
}

/**
 * One difference with the effect of `diffs` applied in order (RFC 1995 §4
 * condensation): from the first's old SOA to the last's new SOA; a record
 * added then removed, or removed then added back, disappears. The diffs
 * must form a chain, each removing only records present at its start.
 */
export function condense(diffs: ZoneDiff[]): ZoneDiff {
  if (diffs.length === 0) throw new RangeError('condense needs at least one difference');
  if (diffs.length === 1) return diffs[0]!;
  /** Net change per record: the record and +1 (added) or -1 (removed). */
  const net = new Map<string, { rr: ResourceRecord; d: number }>();
  for (const diff of diffs) {
    for (let i = 1; i < diff.removed.length; i++) {
      const rr = diff.removed[i]!;
      const k = recordKey(rr);
      const e = net.get(k);
      if (e !== undefined && e.d > 0) net.delete(k);
      else net.set(k, { rr, d: -1 });
    }
    for (let i = 1; i < diff.added.length; i++) {
      const rr = diff.added[i]!;
      const k = recordKey(rr);
      const e = net.get(k);
      if (e !== undefined && e.d < 0) net.delete(k);
      else net.set(k, { rr, d: 1 });
    }
  }
  const first = diffs[0]!;
  const last = diffs[diffs.length - 1]!;
  const removed: ResourceRecord[] = [first.removed[0]!];
  const added: ResourceRecord[] = [last.added[0]!];
  for (const { rr, d } of net.values()) (d < 0 ? removed : added).push(rr);
  return { fromSerial: first.fromSerial, toSerial: last.toSerial, removed, added };
}

/** The zone's SOA as a record. */
function soaRecord(zone: Zone): ResourceRecord {
  const s = zone.soa;
  return { name: s.name, type: RRType.SOA, class: s.class, ttl: s.ttl, rdata: s.rdatas[0]! };
}

/** The answer holding only the current SOA. */
function soaOnly(zone: Zone, query: XfrQuery, opts: IxfrMessageOptions): Uint8Array<ArrayBuffer> {
  const p = new XfrPacker(query, { maxMessage: opts.udpLimit ?? opts.maxMessage, reserve: opts.reserve });
  p.rr(soaRecord(zone));
  return p.finish();
}

/** Every record of the IXFR answer, in order (RFC 1995 §4). */
function* ixfrRecords(zone: Zone, diff: ZoneDiff): Generator<ResourceRecord> {
  const soa = soaRecord(zone);
  yield soa;
  yield* diff.removed; // old SOA first
  yield soa;
  for (let i = 1; i < diff.added.length; i++) yield diff.added[i]!;
  yield soa;
}

/**
 * The answer to an IXFR for `zone` from a client at `clientSerial`
 * (RFC 1995 §4), message by message:
 * - the client is current (its serial is not before the zone's, RFC 1982):
 *   one message with the current SOA;
 * - the journal leads from the client's version to the current one: the
 *   condensed difference, laid out SOA(new), SOA(old), removed..., SOA(new),
 *   added..., SOA(new);
 * - otherwise, or when that difference holds more records than the zone:
 *   the whole zone as AXFR would send it.
 * With `udpLimit`, an answer that does not fit one message (or would be the
 * whole zone) is replaced by the current SOA alone (RFC 1995 §2). `info`
 * tells which answer was given.
 */
export function* ixfrMessages(
  zone: Zone,
  journal: Journal | null,
  clientSerial: number,
  query: XfrQuery,
  opts: IxfrMessageOptions = {},
): Generator<Uint8Array<ArrayBuffer>> {
  const info = opts.info ?? {};
  const cmp = compareSerial(clientSerial, zone.serial);
  if (cmp === 0 || cmp > 0) {
    info.kind = 'UPTODATE';
    info.reason = cmp === 0 ? 'client has the current serial' : 'client serial is newer than ours';
    yield soaOnly(zone, query, opts);
    return;
  }
  let diff: ZoneDiff | null = null;
  let reason: string;
  if (Number.isNaN(cmp)) {
    reason = 'client serial is incomparable with ours (RFC 1982)';
  } else if (journal === null) {
    reason = 'no journal';
  } else {
    let chain: ZoneDiff[] | null = null;
    let damaged: string | null = null;
    try {
      chain = journal.since(clientSerial, zone.serial);
    } catch (err) {
      // A damaged journal is reported as such (the journal tells its owner), never as one that does not reach back.
      if (!(err instanceof StorageError)) throw err;
      damaged = err.message;
    }
    if (damaged !== null) {
      reason = `journal damaged (${damaged})`;
    } else if (chain === null || chain.length === 0) {
      reason = `journal does not reach back to serial ${clientSerial >>> 0}`;
    } else {
      const d = condense(chain);
      const records = d.removed.length + d.added.length + 2;
      if (records > zone.recordCount) reason = `difference (${records} records) is larger than the zone (${zone.recordCount})`;
      else {
        diff = d;
        reason = `condensed ${chain.length} journal entries`;
        info.records = records;
      }
    }
  }

  if (opts.udpLimit !== undefined) {
    if (diff !== null) {
      const p = new XfrPacker(query, { maxMessage: opts.udpLimit, reserve: opts.reserve });
      let fits = true;
      for (const rr of ixfrRecords(zone, diff)) {
        if (!p.tryRecord(rr)) {
          fits = false;
          break;
        }
      }
      if (fits) {
        info.kind = 'IXFR';
        info.reason = reason;
        yield p.finish();
        return;
      }
      reason = 'incremental answer does not fit in one UDP message';
    } else {
      reason = `${reason}; a full transfer needs TCP`;
    }
    info.kind = 'TCP_NEEDED';
    info.reason = reason;
    delete info.records;
    yield soaOnly(zone, query, opts);
    return;
  }

  const p = new XfrPacker(query, opts);
  info.reason = reason;
  if (diff === null) {
    info.kind = 'AXFR';
    yield* streamZone(p, zone);
  } else {
    info.kind = 'IXFR';
    for (const rr of ixfrRecords(zone, diff)) {
      const m = p.rr(rr);
      if (m !== null) yield m;
    }
  }
  yield p.finish();
}
