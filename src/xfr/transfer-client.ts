/**
 * The secondary's side of zone transfers: AXFR (RFC 5936) and IXFR
 * (RFC 1995) over TCP from a primary, every message checked, TSIG verified
 * when a key is used (RFC 8945 §5.3), the result a complete, checked Zone
 * (never a partial one). Also the SOA serial query a refresh starts with
 * (RFC 1034 §4.3.5).
 */
import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  Name, Opcode, RRClass, RRType, Rcode, copyBytes, decodeMessage, emptyMessage, encodeMessageToBytes, typeToText, soaSerial,
  type Message, type ResourceRecord,
} from '../wire/index.js';
import { ZoneBuilder, encodedRecordBytes, estimatedZoneBytes, runStepsInSlices, type Zone } from '../zone/index.js';
import { DEFAULT_ZONE_LIMITS } from '../zonefile/index.js';
import { applyDiffsCondensedAsync, finishTransferredZoneSteps } from './apply-diff.js';
import { peerText, type Peer } from './peer.js';
import { compareSerial } from './serial.js';
import { TransferError } from './transfer-error.js';
import { tsigSigner, type TsigKey, type XfrSigner, type XfrSignerFactory } from '../tsig/index.js';
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

export interface SoaQueryOptions {
  origin: Name;
  peer: Peer;
  key: TsigKey | null;
  /**
   * The UDP tries (default 5 s). A TCP retry after them gets its own time
   * of the same length (`tcpTimeoutMs`), so the whole query takes at most
   * twice this.
   */
  timeoutMs?: number;
  /** The TCP retry: connecting and the answer (default `timeoutMs`). */
  tcpTimeoutMs?: number;
  signer?: XfrSignerFactory;
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
const DEFAULT_SOA_TIMEOUT_MS = 5_000;
/** UDP tries of an SOA query within its time. */
const UDP_TRIES = 3;
/** Octets read ahead of the consumer before the socket is paused. */
const READ_AHEAD = 1024 * 1024;

function makeSigner(key: TsigKey | null, factory: XfrSignerFactory | undefined): XfrSigner | null {
  if (key === null) return null;
  if (factory !== undefined) return factory(key);
  return tsigSigner(key);
}

/** The mnemonic of an RCODE (RFC 6895 §2.3), or RCODEn. */
export function rcodeText(rcode: number): string {
  for (const [k, v] of Object.entries(Rcode)) if (v === rcode) return k;
  return `RCODE${rcode}`;
}

/** The Error field of TSIG rdata (RFC 8945 §4.2), or 0 when it cannot be read. */
function tsigErrorField(rdata: Uint8Array): number {
  let p = 0;
  while (p < rdata.length && rdata[p] !== 0) p += rdata[p]! + 1;
  p += 1 + 6 + 2; // root label, time signed, fudge
  if (p + 2 > rdata.length) return 0;
  const macSize = (rdata[p]! << 8) | rdata[p + 1]!;
  p += 2 + macSize + 2; // MAC, original ID
  if (p + 2 > rdata.length) return 0;
  return (rdata[p]! << 8) | rdata[p + 1]!;
}

const TSIG_ERRORS: Record<number, string> = { 16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 22: 'BADTRUNC' };

function queryMessage(id: number, origin: Name, qtype: number, authority: ResourceRecord | null): Uint8Array {
  const m = emptyMessage(id);
  m.opcode = Opcode.QUERY;
  m.questions.push({ name: origin, type: qtype, class: RRClass.IN });
  if (authority !== null) m.authorities.push(authority);
  return encodeMessageToBytes(m);
}

/**
 * Header checks shared by every response: ID, QR, opcode, TSIG, RCODE, and
 * the question (which must be there in the first message and, when
 * present, the one asked in the others; RFC 5936 §2.2.1).
 */
function checkResponse(
  msg: Message, bytes: Uint8Array, id: number, origin: Name, qtype: number, first: boolean, signer: XfrSigner | null, peer: string,
): void {
  if (msg.id !== id) throw new TransferError('XFR_MALFORMED', peer, `response ID ${msg.id} does not match the query's ${id}`);
  if (!msg.qr) throw new TransferError('XFR_MALFORMED', peer, 'response has QR clear');
  if (msg.opcode !== Opcode.QUERY) throw new TransferError('XFR_MALFORMED', peer, `response has opcode ${msg.opcode}, not QUERY`);
  if (msg.rcode !== Rcode.NOERROR) {
    // A TSIG failure is NOTAUTH with the reason in the TSIG Error field (RFC 8945 §5.2).
    if (signer !== null && msg.tsig !== null) {
      const err = tsigErrorField(msg.tsig.rdata);
      if (err !== 0) throw new TransferError('XFR_TSIG', peer, `primary rejected our TSIG: ${TSIG_ERRORS[err] ?? `error ${err}`} (${rcodeText(msg.rcode)})`);
    }
    throw new TransferError('XFR_REFUSED', peer, `primary answered ${rcodeText(msg.rcode)} to ${typeToText(qtype)} ${origin.toText()}`);
  }
  if (signer !== null) {
    try {
      signer.verifyResponse(bytes);
    } catch (e) {
      if (e instanceof TransferError) throw e;
      throw new TransferError('XFR_TSIG', peer, `TSIG check failed: ${(e as Error).message}`, { cause: e });
    }
  }
  if (first && msg.questions.length !== 1) {
    throw new TransferError('XFR_MALFORMED', peer, `first response message has ${msg.questions.length} questions, not the one asked`);
  }
  if (msg.questions.length > 1) throw new TransferError('XFR_MALFORMED', peer, `response has ${msg.questions.length} questions`);
  const q = msg.questions[0];
  if (q !== undefined && (!q.name.equals(origin) || q.type !== qtype || q.class !== RRClass.IN)) {
    throw new TransferError('XFR_MALFORMED', peer, `response question ${q.name.toText()} ${typeToText(q.type)} is not the one asked`);
  }
}

function finishSigner(signer: XfrSigner | null, peer: string): void {
  if (signer === null) return;
  try {
    signer.finish();
  } catch (e) {
    if (e instanceof TransferError) throw e;
    throw new TransferError('XFR_TSIG', peer, `TSIG check failed: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * A TCP connection read as length-prefixed DNS messages (RFC 1035 §4.2.2),
 * with an idle time per message, an overall deadline, a byte budget and
 * read-ahead bounded by pausing the socket.
 */
class MessageStream {
  private readonly sock: Socket;
  private readonly peer: string;
  private readonly maxBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private failure: TransferError | null = null;
  private wake: (() => void) | null = null;
  private paused = false;
  /** Octets received so far. */
  bytes = 0;

  private constructor(sock: Socket, peer: string, maxBytes: number) {
    this.sock = sock;
    this.peer = peer;
    this.maxBytes = maxBytes;
    sock.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
      if (this.bytes > this.maxBytes) {
        this.fail(new TransferError('XFR_MALFORMED', peer, `transfer is larger than the limit of ${this.maxBytes} octets`));
        return;
      }
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered > READ_AHEAD && !this.paused) {
        this.paused = true;
        sock.pause();
      }
      this.poke();
    });
    sock.on('end', () => {
      this.ended = true;
      this.poke();
    });
    sock.on('close', () => {
      this.ended = true;
      this.poke();
    });
    sock.on('error', (e) => this.fail(new TransferError('XFR_CONNECTION', peer, `connection failed: ${e.message}`, { cause: e })));
  }

  private fail(e: TransferError): void {
    if (this.failure === null) this.failure = e;
    this.sock.destroy();
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Connects, within `idleMs` and the deadline. */
  static async open(peer: Peer, idleMs: number, deadline: number, maxBytes: number): Promise<MessageStream> {
    const label = peerText(peer);
    const wait = Math.min(idleMs, deadline - Date.now());
    if (wait <= 0) throw new TransferError('XFR_TIMEOUT', label, 'no time left to connect');
    const sock = connect({ host: peer.host, port: peer.port, family: peer.family });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new TransferError('XFR_TIMEOUT', label, `could not connect within ${wait} ms`));
      }, wait);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        resolve();
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        sock.destroy();
        reject(new TransferError('XFR_CONNECTION', label, `could not connect: ${e.message}`, { cause: e }));
      });
    });
    sock.setNoDelay(true);
    return new MessageStream(sock, label, maxBytes);
  }

  send(message: Uint8Array): void {
    const framed = Buffer.alloc(message.length + 2);
    framed.writeUInt16BE(message.length, 0);
    framed.set(message, 2);
    this.sock.write(framed);
  }

  /** Takes one whole message off the buffer, or null when there is none yet. */
  private take(): Uint8Array | null {
    if (this.buffered < 2) return null;
    if (this.chunks[0]!.length < 2) this.chunks = [Buffer.concat(this.chunks)];
    const len = this.chunks[0]!.readUInt16BE(0);
    if (this.buffered < len + 2) return null;
    if (this.chunks[0]!.length < len + 2) this.chunks = [Buffer.concat(this.chunks)];
    const head = this.chunks[0]!;
    const msg = copyBytes(head, 2, len + 2);
    if (head.length === len + 2) this.chunks.shift();
    else this.chunks[0] = head.subarray(len + 2);
    this.buffered -= len + 2;
    if (this.paused && this.buffered <= READ_AHEAD) {
      this.paused = false;
      this.sock.resume();
    }
    return msg;
  }

  /**
   * The next message; null when the peer closed the connection cleanly
   * between messages. Throws XFR_TIMEOUT, XFR_CONNECTION (closed inside a
   * message, reset) or the byte-limit error.
   */
  async next(idleMs: number, deadline: number): Promise<Uint8Array | null> {
    for (;;) {
      if (this.failure !== null) throw this.failure;
      const m = this.take();
      if (m !== null) return m;
      if (this.ended) {
        if (this.buffered > 0) throw new TransferError('XFR_CONNECTION', this.peer, 'connection closed in the middle of a message');
        return null;
      }
      const now = Date.now();
      const wait = Math.min(idleMs, deadline - now);
      if (wait <= 0) throw new TransferError('XFR_TIMEOUT', this.peer, 'transfer took longer than allowed');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await new Promise<boolean>((resolve) => {
        this.wake = () => resolve(false);
        timer = setTimeout(() => resolve(true), wait);
      });
      clearTimeout(timer);
      this.wake = null;
      if (timedOut) {
        const idle = wait === idleMs;
        throw new TransferError(
          'XFR_TIMEOUT',
          this.peer,
          idle ? `no message from the primary for ${idleMs} ms` : 'transfer took longer than allowed',
        );
      }
    }
  }

  close(): void {
    this.sock.destroy();
  }
}

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

/** The current SOA as a record, for the IXFR query's authority section (RFC 1995 §3). */
function soaRecord(zone: Zone): ResourceRecord {
  const soa = zone.soa;
  return { name: zone.origin, type: RRType.SOA, class: zone.zoneClass, ttl: soa.ttl, rdata: soa.rdatas[0]! };
}

/**
 * One AXFR or IXFR over one TCP connection. Records are checked as they
 * come: class IN, owner at or below the origin, the first one the zone's
 * SOA. An AXFR (or AXFR-style IXFR answer) goes straight into a
 * ZoneBuilder; IXFR sequences are collected as ZoneDiffs.
 */
async function transferOnce(a: Attempt, counters: Counters): Promise<Outcome> {
  const label = peerText(a.peer);
  const deadline = Date.now() + a.timeoutMs;
  const stream = await MessageStream.open(a.peer, a.idleMs, deadline, a.maxBytes);
  try {
    const id = randomInt(0, 0x10000);
    let query = queryMessage(id, a.origin, a.qtype, a.qtype === RRType.IXFR && a.current !== null ? soaRecord(a.current) : null);
    if (a.signer !== null) query = a.signer.signQuery(query);
    stream.send(query);

    const ourSerial = a.current?.serial ?? 0;
    let mode: 'start' | 'second' | 'full' | 'del' | 'add' = 'start';
    let firstSoa: ResourceRecord | null = null;
    let finalSerial = 0;
    let builder: ZoneBuilder | null = null;
    const diffs: ZoneDiff[] = [];
    let cur: ZoneDiff | null = null;
    let messages = 0;
    let done = false;
    let upToDate = false;

    const inZone = (rr: ResourceRecord): void => {
      if (rr.class !== RRClass.IN) {
        throw new TransferError('XFR_INVALID_ZONE', label, `record ${rr.name.toText()} ${typeToText(rr.type)} has class ${rr.class}, not IN`);
      }
      if (!rr.name.isSubdomainOf(a.origin)) {
        throw new TransferError('XFR_INVALID_ZONE', label, `out-of-zone record ${rr.name.toText()} ${typeToText(rr.type)} in the transfer of ${a.origin.toText()}`);
      }
    };
    const isApexSoa = (rr: ResourceRecord): boolean => rr.type === RRType.SOA && rr.name.equals(a.origin);
    const serialOf = (rr: ResourceRecord): number => {
      const s = soaSerial(rr.rdata);
      if (Number.isNaN(s)) throw new TransferError('XFR_MALFORMED', label, 'SOA rdata too short');
      return s;
    };

    /** Records of the zone (full mode) or of the differences (IXFR), against max-records; their encoded octets, against the memory budget. */
    let held = 0;
    let heldBytes = 0;
    const hold = (rr: ResourceRecord): void => {
      const limit = mode === 'full' ? a.maxRecords : 2 * a.maxRecords;
      heldBytes += encodedRecordBytes(rr.name.wire.length, rr.rdata.length);
      // Issue 12 item 2: a transfer is held to server.zone-memory-budget as a zone file is (estimatedZoneBytes).
      if (estimatedZoneBytes(heldBytes, held + 1) > a.memoryBudget) {
        throw new TransferError(
          'XFR_MEMORY_BUDGET',
          label,
          `the ${mode === 'full' ? 'transfer' : 'IXFR'} of ${a.origin.toText()} is over server.zone-memory-budget (${Math.round(a.memoryBudget / 2 ** 20)} MiB) after ${held + 1} records; abandoned, the zone held is kept; raise zone-memory-budget if the zone is meant to be this large`,
        );
      }
      if (++held > limit) {
        throw new TransferError(
          'XFR_TOO_MANY_RECORDS',
          label,
          mode === 'full'
            ? `the transfer of ${a.origin.toText()} has more than ${a.maxRecords} records (max-records); abandoned, the zone held is kept; raise max-records if the zone is meant to be this large`
            : `the IXFR of ${a.origin.toText()} carries more than ${limit} records, twice max-records (${a.maxRecords}); abandoned, the zone held is kept`,
        );
      }
    };
    let counted = 0;
    let sliceEnd = performance.now() + a.sliceMs;
    while (!done) {
      if (performance.now() >= sliceEnd) {
        // Messages already read ahead come without a wait (a microtask only):
        // let the event loop answer queries between slices of them.
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceEnd = performance.now() + a.sliceMs;
      }
      const bytes = await stream.next(a.idleMs, deadline);
      counters.bytes += stream.bytes - counted;
      counted = stream.bytes;
      if (bytes === null) {
        if (mode === 'second' && a.qtype === RRType.IXFR) {
          // A single SOA later than ours, then nothing: the server will not send differences.
          return { type: 'needAxfr', reason: `server answered IXFR with only its SOA (serial ${finalSerial}) and closed` };
        }
        throw new TransferError('XFR_CONNECTION', label, `connection closed before the transfer was complete (after ${messages} messages)`);
      }
      counters.messages++;
      let msg: Message;
      try {
        msg = decodeMessage(bytes);
      } catch (e) {
        throw new TransferError('XFR_MALFORMED', label, `message ${messages + 1} does not decode: ${(e as Error).message}`, { cause: e });
      }
      try {
        checkResponse(msg, bytes, id, a.origin, a.qtype, messages === 0, a.signer, label);
      } catch (e) {
        // RFC 1995 does not oblige a server to do IXFR: NOTIMP or FORMERR means "ask for AXFR".
        if (
          e instanceof TransferError && e.code === 'XFR_REFUSED' && a.qtype === RRType.IXFR && messages === 0 &&
          (msg.rcode === Rcode.NOTIMP || msg.rcode === Rcode.FORMERR)
        ) {
          return { type: 'needAxfr', reason: `server answered IXFR with ${rcodeText(msg.rcode)}` };
        }
        throw e;
      }
      messages++;
      if (messages === 1 && msg.answers.length === 0) throw new TransferError('XFR_MALFORMED', label, 'first response message has no answer records');
      const answers = msg.answers;
      for (let i = 0; i < answers.length; i++) {
        const rr = answers[i]!;
        if (done) throw new TransferError('XFR_MALFORMED', label, `records after the closing SOA (${rr.name.toText()} ${typeToText(rr.type)})`);
        counters.records++;
        inZone(rr);
        switch (mode) {
          case 'start': {
            if (!isApexSoa(rr)) {
              throw new TransferError('XFR_MALFORMED', label, `first record is ${rr.name.toText()} ${typeToText(rr.type)}, not the SOA of ${a.origin.toText()}`);
            }
            firstSoa = rr;
            finalSerial = serialOf(rr);
            if (a.qtype === RRType.AXFR) {
              builder = new ZoneBuilder(a.origin);
              mode = 'full';
              hold(rr);
              builder.add(rr);
            } else {
              mode = 'second';
              // RFC 1995 §4: a lone SOA no later than ours means we are up to date.
              if (answers.length === 1 && compareSerial(finalSerial, ourSerial) !== 1) {
                done = true;
                upToDate = true;
              }
            }
            break;
          }
          case 'second': {
            // RFC 1995 §4: a second record that is not a SOA (or the same SOA: an empty zone) means a full zone.
            if (!isApexSoa(rr) || serialOf(rr) === finalSerial) {
              builder = new ZoneBuilder(a.origin);
              mode = 'full';
              held = 0;
              heldBytes = 0;
              hold(firstSoa!);
              builder.add(firstSoa!);
              i--; // handle this record as zone data
              counters.records--;
              break;
            }
            cur = { fromSerial: serialOf(rr), toSerial: 0, removed: [rr], added: [] };
            diffs.push(cur);
            mode = 'del';
            hold(rr);
            break;
          }
          case 'full': {
            if (isApexSoa(rr)) {
              // RFC 5936 §2.2: the transfer ends with the zone's SOA again.
              const s = serialOf(rr);
              if (s !== finalSerial) {
                throw new TransferError('XFR_MALFORMED', label, `closing SOA has serial ${s}, the opening one ${finalSerial}`);
              }
              done = true;
            } else {
              hold(rr);
              builder!.add(rr);
            }
            break;
          }
          case 'del': {
            hold(rr);
            if (isApexSoa(rr)) {
              cur!.toSerial = serialOf(rr);
              cur!.added.push(rr);
              mode = 'add';
            } else {
              cur!.removed.push(rr);
            }
            break;
          }
          case 'add': {
            hold(rr);
            if (isApexSoa(rr)) {
              const s = serialOf(rr);
              if (s === finalSerial && cur!.toSerial === finalSerial) {
                done = true;
              } else {
                cur = { fromSerial: s, toSerial: 0, removed: [rr], added: [] };
                diffs.push(cur);
                mode = 'del';
              }
            } else {
              cur!.added.push(rr);
            }
            break;
          }
        }
      }
    }
    finishSigner(a.signer, label);
    if (upToDate) return { type: 'upToDate', serial: finalSerial };
    if (builder !== null) {
      // Built in slices: a full zone is as much work as loading its file.
      const zone = await runStepsInSlices(finishTransferredZoneSteps(builder, label), a.sliceMs);
      return { type: 'full', zone, serial: finalSerial };
    }
    return { type: 'incremental', diffs, serial: finalSerial };
  } finally {
    stream.close();
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

/** Sends one UDP query and waits (tries spread over `timeoutMs`) for the reply with its ID from the peer. */
function udpExchange(peer: Peer, query: Uint8Array, id: number, timeoutMs: number): Promise<Uint8Array> {
  const label = peerText(peer);
  return new Promise((resolve, reject) => {
    const sock = createSocket(peer.family === 6 ? 'udp6' : 'udp4');
    let settled = false;
    let tries = 0;
    const started = Date.now();
    let retry: NodeJS.Timeout | undefined;
    const finish = (err: Error | null, data?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      clearTimeout(retry);
      clearTimeout(overall);
      try {
        sock.close();
      } catch {
        // already closed
      }
      if (err !== null) reject(err);
      else resolve(data!);
    };
    const overall = setTimeout(
      () => finish(new TransferError('XFR_TIMEOUT', label, `no answer to the SOA query within ${timeoutMs} ms`)),
      timeoutMs,
    );
    sock.on('error', (e) => finish(new TransferError('XFR_CONNECTION', label, `SOA query failed: ${e.message}`, { cause: e })));
    sock.on('message', (data: Buffer, rinfo: RemoteInfo) => {
      // Only the peer's reply to this query counts; anything else is ignored.
      if (rinfo.port !== peer.port || rinfo.address.toLowerCase() !== peer.host.toLowerCase()) return;
      if (data.length < 2 || data.readUInt16BE(0) !== id) return;
      finish(null, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    });
    const send = (): void => {
      if (settled) return;
      tries++;
      sock.send(query, (e) => {
        if (e) finish(new TransferError('XFR_CONNECTION', label, `could not send the SOA query: ${e.message}`, { cause: e }));
      });
      if (tries < UDP_TRIES) retry = setTimeout(send, Math.max(0, started + (timeoutMs * tries) / UDP_TRIES - Date.now()));
    };
    // A connected socket: the kernel drops datagrams from elsewhere, and an ICMP refusal shows up as an error.
    sock.connect(peer.port, peer.host, send);
  });
}

function decodeSoaAnswer(bytes: Uint8Array, label: string): Message {
  try {
    return decodeMessage(bytes);
  } catch (e) {
    throw new TransferError('XFR_MALFORMED', label, `SOA answer does not decode: ${(e as Error).message}`, { cause: e });
  }
}

/** Checks an SOA answer and returns the serial. */
function soaSerialFrom(msg: Message, bytes: Uint8Array, id: number, origin: Name, signer: XfrSigner | null, label: string): number {
  checkResponse(msg, bytes, id, origin, RRType.SOA, true, signer, label);
  finishSigner(signer, label);
  if (!msg.aa) throw new TransferError('XFR_REFUSED', label, `SOA answer for ${origin.toText()} is not authoritative (AA clear)`);
  const soa = msg.answers.find((rr) => rr.type === RRType.SOA && rr.name.equals(origin) && rr.class === RRClass.IN);
  if (soa === undefined) throw new TransferError('XFR_MALFORMED', label, `SOA answer holds no SOA record of ${origin.toText()}`);
  const serial = soaSerial(soa.rdata);
  if (Number.isNaN(serial)) throw new TransferError('XFR_MALFORMED', label, 'SOA rdata too short');
  return serial;
}

/** A TransferError's message without the `peer: ` prefix its constructor added. */
function withoutPeer(e: TransferError): string {
  const prefix = `${e.peer}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/**
 * Asks `peer` for the SOA serial of `origin`: over UDP (a few tries), then
 * again over TCP when the UDP answer is truncated (RFC 1035 §4.2.1, RFC
 * 7766 §5), REFUSED, or does not come at all (no answer, or an ICMP
 * refusal), as BIND does after a timeout (`try-tcp-refresh yes`, its
 * default). The answer must be authoritative and hold the zone's SOA.
 * Throws TransferError; after a failed TCP retry, its message says what
 * happened over UDP too.
 */
export async function querySoaSerial(opts: SoaQueryOptions): Promise<number> {
  const label = peerText(opts.peer);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SOA_TIMEOUT_MS;
  const tcpTimeoutMs = opts.tcpTimeoutMs ?? timeoutMs;
  const signer = makeSigner(opts.key, opts.signer);
  const ask = (id: number): Uint8Array => {
    const q = queryMessage(id, opts.origin, RRType.SOA, null);
    return signer === null ? q : signer.signQuery(q);
  };
  const id = randomInt(0, 0x10000);
  let overUdp: string;
  try {
    const reply = await udpExchange(opts.peer, ask(id), id, timeoutMs);
    const msg = decodeSoaAnswer(reply, label);
    const ours = msg.id === id && msg.qr && msg.opcode === Opcode.QUERY;
    if (ours && msg.tc && msg.rcode === Rcode.NOERROR) {
      overUdp = 'answer truncated';
    } else if (ours && msg.rcode === Rcode.REFUSED) {
      // Some primaries answer SOA only over TCP: Knot, for the catalog zones it generates.
      overUdp = `primary answered REFUSED to SOA ${opts.origin.toText()}`;
    } else {
      return soaSerialFrom(msg, reply, id, opts.origin, signer, label);
    }
  } catch (e) {
    if (!(e instanceof TransferError) || (e.code !== 'XFR_TIMEOUT' && e.code !== 'XFR_CONNECTION')) throw e;
    overUdp = withoutPeer(e);
  }
  // The TCP retry has its own time: after UDP timed out, none of the first is left.
  const deadline = Date.now() + tcpTimeoutMs;
  try {
    const stream = await MessageStream.open(opts.peer, tcpTimeoutMs, deadline, 65535 + 2);
    try {
      const tcpId = randomInt(0, 0x10000);
      stream.send(ask(tcpId));
      const bytes = await stream.next(tcpTimeoutMs, deadline).catch((e: unknown) => {
        // MessageStream words its timeouts for transfers.
        if (e instanceof TransferError && e.code === 'XFR_TIMEOUT') {
          throw new TransferError('XFR_TIMEOUT', label, `no answer within ${tcpTimeoutMs} ms`, { cause: e });
        }
        throw e;
      });
      if (bytes === null) throw new TransferError('XFR_CONNECTION', label, 'connection closed before the SOA answer');
      const msg = decodeSoaAnswer(bytes, label);
      if (msg.tc) throw new TransferError('XFR_MALFORMED', label, 'SOA answer over TCP is truncated');
      return soaSerialFrom(msg, bytes, tcpId, opts.origin, signer, label);
    } finally {
      stream.close();
    }
  } catch (e) {
    if (!(e instanceof TransferError)) throw e;
    throw new TransferError(e.code, label, `SOA query over UDP: ${overUdp}; over TCP: ${withoutPeer(e)}`, { cause: e });
  }
}
