/**
 * The secondary's side of zone transfers: AXFR (RFC 5936) and IXFR
 * (RFC 1995) over TCP from a primary, every message checked, TSIG verified
 * when a key is used (RFC 8945 §5.3), the result a complete, checked Zone
 * (never a partial one). The stream is read by TransferReader; the SOA
 * serial query is in soa-query.ts.
 */
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RRType, type Name } from '../wire/index.js';
import { runStepsInSlices, type Zone } from '../zone/index.js';
import { DEFAULT_ZONE_LIMITS } from '../zonefile/index.js';
import type { TsigKey, XfrSigner, XfrSignerFactory } from '../tsig/index.js';
import { applyDiffsCondensedAsync, finishTransferredZoneSteps } from './apply-diff.js';
import { peerText, type Peer } from './peer.js';
import { TcpMessageConnection } from './tcp-message-connection.js';
import { TransferError } from './transfer-error.js';
import { queryMessage, soaRecord } from './transfer-messages.js';
import { TransferReader } from './transfer-reader.js';
import { makeSigner } from './transfer-signing.js';
import type { ZoneDiff } from './zone-diff.js';

export interface TransferResult {
  kind: 'AXFR' | 'IXFR';
  /** The complete new zone (the current one when `upToDate`). */
  zone: Zone;
  /** The serial we had (when a current zone was given), or null. */
  fromSerial: number | null;
  serial: number;
  /** True when an IXFR was answered with a single SOA no later than ours: nothing to do. */
  upToDate: boolean;
  /** Records received (over every connection of this call). */
  records: number;
  /** Octets received, length prefixes included (over every connection). */
  bytes: number;
  /** Messages received (over every connection). */
  messages: number;
  durationMs: number;
  /** Why an IXFR attempt became an AXFR, or null. */
  fallback: string | null;
  /** IXFR only: the applied difference, condensed to one sequence (for the journal). */
  diff: ZoneDiff | null;
}

export interface TransferOptions {
  origin: Name;
  peer: Peer;
  key: TsigKey | null;
  /** The zone we hold: IXFR from its serial; null for AXFR. */
  current: Zone | null;
  /** Each connection's whole transfer (default 60 s); an AXFR fallback gets its own. */
  timeoutMs?: number;
  /** Longest wait for the connection or the next message (default 15 s). */
  idleTimeoutMs?: number;
  /** Most octets one connection may receive (default 1 GiB). */
  maxBytes?: number;
  /**
   * `max-records`: most records the zone may have (default
   * DEFAULT_ZONE_LIMITS.maxRecords); a transfer that brings more is
   * abandoned (XFR_TOO_MANY_RECORDS) and the zone held is kept. An IXFR may
   * carry at most twice as many (each record removed and added again).
   */
  maxRecords?: number;
  /**
   * `zone-memory-budget`: most octets the zone (or an IXFR's differences) may take in memory, estimated
   * from the records received as for a zone file (estimatedZoneBytes); over it the transfer is abandoned
   * (XFR_MEMORY_BUDGET) and the zone held is kept. Default: no bound.
   */
  memoryBudget?: number;
  /** How to make the TSIG signer (default: tsigSigner, src/tsig/transfer-tsig.ts). */
  signer?: XfrSignerFactory;
  /**
   * Longest run of work on the new zone (a transferred zone built, an IXFR
   * applied) between yields to the event loop, in ms (default 3), so that
   * queries are answered all along.
   */
  sliceMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_IDLE_MS = 15_000;
const DEFAULT_MAX_BYTES = 1024 * 1024 * 1024;
/**
 * A query that comes while the zone is being built waits for the slice
 * running to end: about half a slice on average, a whole one at worst.
 * 3 ms is meant to keep the p99 latency within the 5 ms goal while a
 * 1.33M-record zone is taken in (see the transfer benchmark); a yield
 * costs a few microseconds.
 */
const DEFAULT_SLICE_MS = 3;

/** What one connection brought. */
type Outcome =
  | { type: 'full'; zone: Zone; serial: number }
  | { type: 'upToDate'; serial: number }
  | { type: 'incremental'; diffs: ZoneDiff[]; serial: number }
  | { type: 'needAxfr'; reason: string };

interface Counters {
  records: number;
  bytes: number;
  messages: number;
}

interface Attempt {
  qtype: typeof RRType.AXFR | typeof RRType.IXFR;
  origin: Name;
  peer: Peer;
  signer: XfrSigner | null;
  current: Zone | null;
  timeoutMs: number;
  idleMs: number;
  maxBytes: number;
  maxRecords: number;
  memoryBudget: number;
  sliceMs: number;
}

/**
 * One AXFR or IXFR over one TCP connection: the query sent, the answer's
 * messages fed to a TransferReader as they come (yielding to the event loop
 * between slices), a full zone built in slices.
 */
async function transferOnce(a: Attempt, counters: Counters): Promise<Outcome> {
  const label = peerText(a.peer);
  const deadline = Date.now() + a.timeoutMs;
  const conn = await TcpMessageConnection.open(a.peer, a.idleMs, deadline, a.maxBytes);
  try {
    const id = randomInt(0, 0x10000);
    let query = queryMessage(id, a.origin, a.qtype, a.qtype === RRType.IXFR && a.current !== null ? soaRecord(a.current) : null);
    if (a.signer !== null) query = a.signer.signQuery(query);
    conn.send(query);

    const reader = new TransferReader({
      qtype: a.qtype, origin: a.origin, peer: label, id, signer: a.signer,
      ourSerial: a.current?.serial ?? 0, maxRecords: a.maxRecords, memoryBudget: a.memoryBudget,
    });
    let counted = 0;
    let sliceEnd = performance.now() + a.sliceMs;
    for (;;) {
      if (performance.now() >= sliceEnd) {
        // Messages already read ahead come without a wait (a microtask only):
        // let the event loop answer queries between slices of them.
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceEnd = performance.now() + a.sliceMs;
      }
      const bytes = await conn.next(a.idleMs, deadline);
      counters.bytes += conn.bytes - counted;
      counted = conn.bytes;
      const messages = reader.messages;
      const records = reader.records;
      const step = bytes === null ? reader.end() : reader.feed(bytes);
      counters.messages += reader.messages - messages;
      counters.records += reader.records - records;
      if (step.state === 'progress') continue;
      if (step.state === 'error') throw step.error;
      const out = step.outcome;
      if (out.type !== 'full') return out;
      // Built in slices: a full zone is as much work as loading its file.
      const zone = await runStepsInSlices(finishTransferredZoneSteps(out.builder, label), a.sliceMs);
      return { type: 'full', zone, serial: out.serial };
    }
  } finally {
    conn.close();
  }
}

/**
 * Transfers `origin` from `peer`: IXFR when `current` is given (RFC 1995),
 * else AXFR (RFC 5936). An IXFR that cannot be applied (a deletion of a
 * missing record, a serial we do not have, an invalid result), or that the
 * server will not do, is followed at once by an AXFR on a new connection,
 * with `fallback` saying why. Throws TransferError; never returns a
 * partial zone.
 */
export async function transferZone(opts: TransferOptions): Promise<TransferResult> {
  const started = Date.now();
  const label = peerText(opts.peer);
  const signer = makeSigner(opts.key, opts.signer);
  const counters: Counters = { records: 0, bytes: 0, messages: 0 };
  const base = {
    origin: opts.origin,
    peer: opts.peer,
    signer,
    current: opts.current,
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    idleMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_MS,
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    maxRecords: opts.maxRecords ?? DEFAULT_ZONE_LIMITS.maxRecords,
    memoryBudget: opts.memoryBudget ?? Infinity,
    sliceMs: opts.sliceMs ?? DEFAULT_SLICE_MS,
  };
  const fromSerial = opts.current?.serial ?? null;
  const result = (kind: 'AXFR' | 'IXFR', zone: Zone, fallback: string | null, diff: ZoneDiff | null, upToDate = false): TransferResult => ({
    kind, zone, fromSerial, serial: zone.serial, upToDate,
    records: counters.records, bytes: counters.bytes, messages: counters.messages,
    durationMs: Date.now() - started, fallback, diff,
  });
  const axfr = async (fallback: string | null): Promise<TransferResult> => {
    const out = await transferOnce({ ...base, qtype: RRType.AXFR }, counters);
    if (out.type !== 'full') throw new TransferError('XFR_MALFORMED', label, 'AXFR did not bring a zone');
    return result('AXFR', out.zone, fallback, null);
  };

  const current = opts.current;
  if (current === null) return axfr(null);
  const out = await transferOnce({ ...base, qtype: RRType.IXFR }, counters);
  switch (out.type) {
    case 'upToDate':
      return result('IXFR', current, null, null, true);
    case 'full':
      return result('AXFR', out.zone, 'server sent a full zone', null);
    case 'needAxfr':
      return axfr(out.reason);
    case 'incremental': {
      let applied: Awaited<ReturnType<typeof applyDiffsCondensedAsync>>;
      try {
        // The new version is a whole new zone: built in slices, so answering goes on (the old version meanwhile).
        applied = await applyDiffsCondensedAsync(current, out.diffs, label, base.sliceMs);
      } catch (e) {
        if (!(e instanceof TransferError)) throw e;
        return axfr(`IXFR could not be applied: ${e.message}`);
      }
      if (applied.zone.recordCount > base.maxRecords) {
        // An AXFR would bring as many: no fallback.
        throw new TransferError(
          'XFR_TOO_MANY_RECORDS',
          label,
          `the IXFR of ${opts.origin.toText()} leaves ${applied.zone.recordCount} records, more than ${base.maxRecords} (max-records); abandoned, the zone held is kept; raise max-records if the zone is meant to be this large`,
        );
      }
      return result('IXFR', applied.zone, null, applied.diff);
    }
  }
}
