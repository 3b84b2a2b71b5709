import { RRType, canonicalRdata, formatDiagnostic, soaSerial, type ResourceRecord } from '../wire/index.js';
import {
  NodeFlags, ZoneBuilder, rdataTtl, recordKey, runStepsInSlices, runStepsNow, updateZoneSteps,
  type Steps, type Zone, type ZoneBuildResult, type ZoneNode,
} from '../zone/index.js';
import { compareSerial } from './serial.js';
import { TransferError } from './transfer-error.js';
import type { ZoneDiff } from './zone-diff.js';

/** How many build errors a XFR_INVALID_ZONE message quotes. */
const QUOTED_ERRORS = 3;

/** Records (or nodes) between two pauses of the steps: a few hundred microseconds of work (a power of two, less one). */
const STEP_MASK = 255;

/**
 * Builds the zone from `builder`, in steps (see ZoneBuilder.buildSteps) for
 * a caller that runs them in slices; any build error (the checks a zone
 * file gets) is XFR_INVALID_ZONE, quoting the first few errors.
 */
export function* finishTransferredZoneSteps(builder: ZoneBuilder, peer: string): Steps<Zone> {
  return checkedZone(yield* builder.buildSteps(), peer);
}

/** The zone of a build, or XFR_INVALID_ZONE quoting the first few errors. */
function checkedZone(built: ZoneBuildResult, peer: string): Zone {
  if (built.zone === null || built.errors.length > 0) {
    const shown = built.errors.slice(0, QUOTED_ERRORS).map(formatDiagnostic);
    const more = built.errors.length > QUOTED_ERRORS ? ` (and ${built.errors.length - QUOTED_ERRORS} more)` : '';
    const text = shown.length > 0 ? shown.join('; ') : 'the zone did not build';
    throw new TransferError('XFR_INVALID_ZONE', peer, `transferred zone is invalid: ${text}${more}`);
  }
  return built.zone;
}

/** Identity of a record for IXFR deletions (see zone-update.ts). */
export { recordKey };

/** True when `zone` holds `rr` (TTL aside). */
function zoneHas(zone: Zone, rr: ResourceRecord): boolean {
  const rrset = zone.nodeOf(rr)?.rrsets.get(rr.type);
  if (rrset === undefined || rrset.class !== rr.class) return false;
  const want = canonicalRdata(rr.type, rr.rdata);
  for (const r of rrset.rdatas) {
    const c = canonicalRdata(rr.type, r);
    if (c.length === want.length && Buffer.compare(c, want) === 0) return true;
  }
  return false;
}

/**
 * The net effect of `diffs` on the zone they start from, checked against
 * it. `removed` holds records of the zone (with the zone's TTLs) that go;
 * `added` records that come, keyed by recordKey. Found in steps, as an
 * IXFR may carry many records.
 */
interface NetChange {
  removed: Map<string, ResourceRecord>;
  added: Map<string, ResourceRecord>;
  firstSoa: ResourceRecord;
  lastSoa: ResourceRecord;
}

function* netChangeSteps(zone: Zone, diffs: readonly ZoneDiff[], peer: string): Steps<NetChange> {
  if (diffs.length === 0) throw new TransferError('XFR_IXFR_MISMATCH', peer, 'IXFR holds no difference sequence');
  const removed = new Map<string, ResourceRecord>();
  const added = new Map<string, ResourceRecord>();
  let expect = zone.serial;
  let steps = 0;
  for (let d = 0; d < diffs.length; d++) {
    const diff = diffs[d]!;
    const oldSoa = diff.removed[0];
    const newSoa = diff.added[0];
    if (oldSoa?.type !== RRType.SOA || newSoa?.type !== RRType.SOA) {
      throw new TransferError('XFR_MALFORMED', peer, `IXFR sequence ${d + 1} does not start its deletions and additions with a SOA`);
    }
    if (diff.fromSerial !== expect || soaSerial(oldSoa.rdata) !== diff.fromSerial) {
      const what = d === 0 ? 'our zone is at serial' : 'the previous sequence ended at serial';
      throw new TransferError('XFR_IXFR_MISMATCH', peer, `IXFR sequence ${d + 1} starts at serial ${diff.fromSerial}, but ${what} ${expect}`);
    }
    if (soaSerial(newSoa.rdata) !== diff.toSerial) {
      throw new TransferError('XFR_MALFORMED', peer, `IXFR sequence ${d + 1}: new SOA serial is not ${diff.toSerial}`);
    }
    if (compareSerial(diff.toSerial, diff.fromSerial) !== 1) {
      // RFC 1982: each version's serial is later than the one before.
      throw new TransferError('XFR_MALFORMED', peer, `IXFR sequence ${d + 1} goes from serial ${diff.fromSerial} to ${diff.toSerial}, not forward`);
    }
    for (let i = 1; i < diff.removed.length; i++) {
      if ((++steps & STEP_MASK) === 0) yield;
      const rr = diff.removed[i]!;
      const k = recordKey(rr);
      if (added.delete(k)) continue; // added by an earlier sequence, gone again
      if (rr.type === RRType.SOA || removed.has(k) || !zoneHas(zone, rr)) {
        throw new TransferError(
          'XFR_IXFR_MISMATCH',
          peer,
          `IXFR sequence ${diff.fromSerial} -> ${diff.toSerial} deletes ${rr.name.toText()} ${rr.type === RRType.SOA ? 'SOA' : `type ${rr.type}`}, which the zone does not hold`,
        );
      }
      removed.set(k, zoneRecord(zone, rr));
    }
    for (let i = 1; i < diff.added.length; i++) {
      if ((++steps & STEP_MASK) === 0) yield;
      const rr = diff.added[i]!;
      if (rr.type === RRType.SOA) {
        throw new TransferError('XFR_MALFORMED', peer, `IXFR sequence ${diff.fromSerial} -> ${diff.toSerial} adds a second SOA`);
      }
      const k = recordKey(rr);
      const gone = removed.get(k);
      // Deleted earlier and back with the same TTL: no change at all.
      if (gone !== undefined && gone.ttl === rr.ttl) removed.delete(k);
      else added.set(k, rr);
    }
    expect = diff.toSerial;
  }
  return { removed, added, firstSoa: diffs[0]!.removed[0]!, lastSoa: diffs[diffs.length - 1]!.added[0]! };
}

/** The zone's own copy of `rr` (its TTL), known to exist. */
function zoneRecord(zone: Zone, rr: ResourceRecord): ResourceRecord {
  const rrset = zone.nodeOf(rr)!.rrsets.get(rr.type)!;
  const want = canonicalRdata(rr.type, rr.rdata);
  const rdatas = rrset.rdatas;
  for (let i = 0; i < rdatas.length; i++) {
    if (Buffer.compare(canonicalRdata(rr.type, rdatas[i]!), want) === 0) {
      return { name: rrset.name, type: rr.type, class: rr.class, ttl: rrset.ttls?.[i] ?? rrset.ttl, rdata: rdatas[i]! };
    }
  }
  return rr;
}

/**
 * Applies IXFR difference sequences (RFC 1995 §4), in order, to `zone` and
 * returns the new zone, built and checked like a transferred zone. The
 * first sequence must start at `zone.serial` and each next one where the
 * previous one ended; deleting a record the zone does not hold (at that
 * point) is XFR_IXFR_MISMATCH. Adding a record already there is accepted
 * (it merges, RFC 2181 §5). `peer` only labels the errors.
 */
export function applyDiffs(zone: Zone, diffs: ZoneDiff[], peer = 'ixfr'): Zone {
  return applyDiffsCondensed(zone, diffs, peer).zone;
}

/**
 * applyDiffs, also returning the net difference as one sequence (for a
 * journal): from the first old SOA to the last new SOA, without records
 * added and deleted again (or deleted and re-added unchanged); deleted
 * records carry the TTL the zone stored them with.
 */
export function applyDiffsCondensed(zone: Zone, diffs: ZoneDiff[], peer = 'ixfr'): AppliedDiffs {
  return runStepsNow(applyDiffsSteps(zone, diffs, peer));
}

/**
 * applyDiffsCondensed in slices of about `sliceMs` of work, yielding to the
 * event loop between them: the new version is a whole new zone (built and
 * checked as a transferred one), which for a large zone is seconds of work
 * that must not stop the answering of queries meanwhile.
 */
export function applyDiffsCondensedAsync(zone: Zone, diffs: ZoneDiff[], peer: string, sliceMs: number): Promise<AppliedDiffs> {
  return runStepsInSlices(applyDiffsSteps(zone, diffs, peer), sliceMs);
}

export interface AppliedDiffs {
  zone: Zone;
  diff: ZoneDiff;
}

/** applyDiffsCondensed as steps: it pauses every few hundred records or nodes. */
export function* applyDiffsSteps(zone: Zone, diffs: ZoneDiff[], peer: string): Steps<AppliedDiffs> {
  const change = yield* netChangeSteps(zone, diffs, peer);
  const diff: ZoneDiff = {
    fromSerial: diffs[0]!.fromSerial,
    toSerial: diffs[diffs.length - 1]!.toSerial,
    removed: [change.firstSoa, ...change.removed.values()],
    added: [change.lastSoa, ...change.added.values()],
  };
  // A difference touches few names, usually: the new version then shares every other node with the
  // old one (zone-update.ts), and costs the change, not the zone. One that moves a zone cut or a
  // DNAME is built whole below.
  const updated = yield* updateZoneSteps(zone, { soa: change.lastSoa, removed: diff.removed.slice(1), added: diff.added.slice(1) });
  if (updated !== null) return { zone: checkedZone(updated, peer), diff };
  /** The nodes that lose records. */
  const touched = new Set<ZoneNode>();
  for (const rr of change.removed.values()) {
    const node = zone.nodeOf(rr);
    if (node !== undefined) touched.add(node);
  }
  const builder = new ZoneBuilder(zone.origin, { zoneClass: zone.zoneClass });
  builder.add(change.lastSoa);
  // The old zone's records by a walk over its nodes (no sorted copy): the builder takes any order.
  let n = 0;
  for (const node of zone.nodes()) {
    if ((++n & STEP_MASK) === 0) yield;
    // A node that keeps all its records is copied whole when it can be (most of them): no record
    // objects, so the apply is several times faster and leaves little garbage to collect.
    const losing = touched.size > 0 && touched.has(node);
    if (!losing && builder.addCopyOf(node)) continue;
    const rrsets = node.transientRRsets();
    if (rrsets.length === 0) continue;
    const nodeName = node.transientName();
    const apex = (node.flags & NodeFlags.APEX) !== 0;
    for (const rrset of rrsets) {
      if (apex && rrset.type === RRType.SOA) continue;
      const name = rrset.ownerIsNode === false ? rrset.name : nodeName;
      const rdatas = rrset.rdatas;
      for (let i = 0; i < rdatas.length; i++) {
        const rr = { name, type: rrset.type, class: rrset.class, ttl: rdataTtl(rrset, i), rdata: rdatas[i]! };
        if (losing && change.removed.has(recordKey(rr))) continue;
        builder.add(rr);
      }
    }
  }
  for (const rr of change.added.values()) {
    if ((++n & STEP_MASK) === 0) yield;
    builder.add(rr);
  }
  return { zone: yield* finishTransferredZoneSteps(builder, peer), diff };
}
