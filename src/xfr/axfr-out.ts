/**
 * Outgoing zone transfer messages (RFC 5936 §2.2): the zone's records,
 * opened and closed by its SOA, cut into messages of bounded size, each
 * compressed on its own (RFC 1035 §4.1.4, a fresh compression table per
 * message).
 */
import { OVERFLOW, RRType, TyneError, WireWriter, writeHeader, writeRdata, type ResourceRecord } from '../wire/index.js';
import { RRsetImpl, ZoneNodeImpl, rdataTtl, type RRset, type Zone, type ZoneNode } from '../zone/index.js';

/** The parts of the query a transfer answer echoes. */
export interface XfrQuery {
  id: number;
  /** The question section octets as received: name (uncompressed), type, class. */
  question: Uint8Array;
  rd: boolean;
}

export interface XfrMessageOptions {
  /** Largest message, in octets (at most 65535). Default 16384. */
  maxMessage?: number;
  /** Octets left free in each message, for a TSIG record the caller appends. Default 0. */
  reserve?: number;
}

export const DEFAULT_MAX_MESSAGE = 16384;

/** Stable codes of XfrRecordTooLargeError. */
export const XfrRecordTooLargeErrorCode = {
  /** A record (or the question) does not fit in an empty transfer message of the configured size. */
  RECORD_TOO_LARGE: 'XFR_RECORD_TOO_LARGE',
} as const;

export type XfrRecordTooLargeErrorCode = (typeof XfrRecordTooLargeErrorCode)[keyof typeof XfrRecordTooLargeErrorCode];

/** A record too large for an empty message of the configured size. */
export class XfrRecordTooLargeError extends TyneError<XfrRecordTooLargeErrorCode> {

  constructor(limit: number) {
    super(XfrRecordTooLargeErrorCode.RECORD_TOO_LARGE, `a record does not fit in a transfer message of ${limit} octets`);
  }
}

/** Flags of every transfer answer: QR, AA, opcode QUERY, NOERROR (RFC 5936 §2.2). */
const QR_AA = 0x8000 | 0x0400;
const RD = 0x0100;
/** Owners are registered as compression targets until the writer holds this many. */
const MAX_OWNER_TARGETS = 128;

/** True when `q` starts with an uncompressed name (labels of 1..63 octets up to the root, in bounds). */
function questionNameLength(q: Uint8Array): number {
  let p = 0;
  while (p < q.length) {
    const len = q[p]!;
    if (len === 0) return p + 1 <= 255 ? p + 1 : -1;
    if (len > 63) return -1;
    p += len + 1;
  }
  return -1;
}

/**
 * Packs records into transfer messages. Each `record` call either fits the
 * record into the current message (returns null) or closes the current
 * message, returns it, and starts the next one with the record. `finish`
 * returns the last message. Messages are fresh copies; the work buffer is
 * reused.
 */
export class XfrPacker {
  private readonly w: WireWriter;
  /** The writer's buffer (typed as owning its ArrayBuffer, so the messages sliced from it are too). */
  private readonly buf: Uint8Array<ArrayBuffer>;
  private readonly limit: number;
  private readonly query: XfrQuery;
  private readonly qnameLength: number;
  private first = true;
  private count = 0;
  /** Message offset of the previous record's owner (-1: none usable), and where its octets came from. */
  private lastPos = -1;
  private lastSrc: Uint8Array | null = null;
  private lastOff = 0;
  /** Messages made so far. */
  messages = 0;
  /** Octets of the messages made so far. */
  bytes = 0;

  constructor(query: XfrQuery, opts: XfrMessageOptions = {}) {
    const max = Math.min(opts.maxMessage ?? DEFAULT_MAX_MESSAGE, 65535);
    this.limit = max - (opts.reserve ?? 0);
    if (this.limit < 12 + query.question.length) throw new XfrRecordTooLargeError(this.limit);
    this.buf = new Uint8Array(max);
    this.w = new WireWriter(this.buf, this.limit);
    this.query = query;
    this.qnameLength = questionNameLength(query.question);
    this.begin();
  }

  /** Records in the current message. */
  get pending(): number {
    return this.count;
  }

  private begin(): void {
    const w = this.w;
    w.reset(w.buf, this.limit);
    w.reserve(12); // at 0: the writer was just reset
    const b = w.buf;
    writeHeader(b, this.query.id, QR_AA | (this.query.rd ? RD : 0), 0, 0, 0, 0);
    if (this.first) {
      // RFC 5936 §2.2.1: the question goes in the first message only (as BIND does).
      b[5] = 1;
      const q = this.query.question;
      const nl = this.qnameLength;
      if (nl > 0) {
        // Its name may then serve as a compression target (it usually is the origin).
        w.nameAt(q, 0, nl, false);
        w.bytes(q, nl, q.length);
      } else {
        w.bytes(q);
      }
    }
    this.count = 0;
    this.lastPos = -1;
  }

  /** Writes one record; see the class comment. */
  record(owner: Uint8Array, ownerOff: number, ownerLen: number, type: number, cls: number, ttl: number, rdata: Uint8Array): Uint8Array<ArrayBuffer> | null {
    const w = this.w;
    const pos = w.pos;
    const targets = w.targetCount;
    try {
      this.put(owner, ownerOff, ownerLen, type, cls, ttl, rdata);
      return null;
    } catch (e) {
      if (e !== OVERFLOW) throw e;
      w.rewind(pos, targets);
      this.lastPos = -1;
    }
    if (this.count === 0) throw new XfrRecordTooLargeError(this.limit);
    const done = this.close();
    try {
      this.put(owner, ownerOff, ownerLen, type, cls, ttl, rdata);
    } catch (e) {
      if (e === OVERFLOW) throw new XfrRecordTooLargeError(this.limit);
      throw e;
    }
    return done;
  }

  /** `record` for a ResourceRecord. */
  rr(rr: ResourceRecord): Uint8Array<ArrayBuffer> | null {
    const wire = rr.name.wire;
    return this.record(wire, 0, wire.length, rr.type, rr.class, rr.ttl, rr.rdata);
  }

  /** Tries to add a record to the current message only: false (nothing written) when it does not fit. */
  tryRecord(rr: ResourceRecord): boolean {
    const w = this.w;
    const pos = w.pos;
    const targets = w.targetCount;
    try {
      this.put(rr.name.wire, 0, rr.name.wire.length, rr.type, rr.class, rr.ttl, rr.rdata);
      return true;
    } catch (e) {
      if (e !== OVERFLOW) throw e;
      w.rewind(pos, targets);
      this.lastPos = -1;
      return false;
    }
  }

  private put(owner: Uint8Array, ownerOff: number, ownerLen: number, type: number, cls: number, ttl: number, rdata: Uint8Array): void {
    const w = this.w;
    const at = w.pos;
    const prev = this.lastPos;
    this.lastPos = -1;
    if (prev >= 0 && owner === this.lastSrc && ownerOff === this.lastOff) {
      // The previous record's owner (the next RRset of a node): a pointer to it.
      const p = w.reserve(2);
      w.buf[p] = 0xc0 | (prev >>> 8);
      w.buf[p + 1] = prev & 0xff;
    } else {
      // Owners become compression targets only while the table is small:
      // the writer's suffix search grows with it, and in a large zone most
      // owners are named by no later record (all are still compressed).
      w.name(owner, ownerOff, true, w.targetCount < MAX_OWNER_TARGETS);
    }
    if (at <= 0x3fff) {
      this.lastPos = at;
      this.lastSrc = owner;
      this.lastOff = ownerOff;
    }
    const lenAt = w.rrFixed(type, cls, ttl);
    writeRdata(w, type, rdata, true);
    w.patchU16(lenAt, w.pos - lenAt - 2);
    this.count++;
  }

  /** Ends the current message and starts the next; returns the ended one. */
  private close(): Uint8Array<ArrayBuffer> {
    const w = this.w;
    const b = this.buf;
    b[6] = this.count >>> 8;
    b[7] = this.count;
    const out = b.slice(0, w.pos);
    this.messages++;
    this.bytes += out.length;
    this.first = false;
    this.begin();
    return out;
  }

  /** Ends and returns the current message (the last one). */
  finish(): Uint8Array<ArrayBuffer> {
    return this.close();
  }
}

/**
 * Writes every record of `rrset` at `node`, pushing the messages that fill.
 * The owner is taken from the node's slab octets when the RRset shares
 * them, so listing a zone builds no Name per node.
 */
function writeRRset(p: XfrPacker, node: ZoneNode, rrset: RRset, out: Uint8Array<ArrayBuffer>[]): void {
  let src: Uint8Array;
  let off: number;
  let len: number;
  if (node instanceof ZoneNodeImpl && rrset instanceof RRsetImpl && rrset.ownerIsNode) {
    src = node.chunk;
    off = node.start;
    len = node.end - off;
  } else {
    src = rrset.name.wire;
    off = 0;
    len = src.length;
  }
  const type = rrset.type;
  const cls = rrset.class;
  if (rrset instanceof RRsetImpl) {
    const n = rrset.size;
    for (let i = 0; i < n; i++) {
      const m = p.record(src, off, len, type, cls, rdataTtl(rrset, i), rrset.rdataAt(i));
      if (m !== null) out.push(m);
    }
  } else {
    const rdatas = rrset.rdatas;
    for (let i = 0; i < rdatas.length; i++) {
      const m = p.record(src, off, len, type, cls, rdataTtl(rrset, i), rdatas[i]!);
      if (m !== null) out.push(m);
    }
  }
}

/** Writes the SOA record of `zone` (its one record). */
function writeSoa(p: XfrPacker, zone: Zone, out: Uint8Array<ArrayBuffer>[]): void {
  const soa = zone.soa;
  const wire = soa.name.wire;
  const m = p.record(wire, 0, wire.length, soa.type, soa.class, soa.ttl, soa.rdatas[0]!);
  if (m !== null) out.push(m);
}

/**
 * Streams the whole zone into `p`: the SOA, the apex's other RRsets, every
 * other node (ordinary names in load order, then NSEC3 owners), and the SOA
 * again. Finished messages are yielded as they fill; the last, partial one
 * stays in `p` for the caller to finish.
 */
export function* streamZone(p: XfrPacker, zone: Zone): Generator<Uint8Array<ArrayBuffer>> {
  const out: Uint8Array<ArrayBuffer>[] = [];
  writeSoa(p, zone, out);
  const apex = zone.lookup(zone.origin);
  if (apex !== undefined) {
    for (const rrset of apex.transientRRsets()) if (rrset.type !== RRType.SOA) writeRRset(p, apex, rrset, out);
  }
  yield* out;
  out.length = 0;
  for (const node of zone.nodes()) {
    if (node === apex) continue;
    for (const rrset of node.transientRRsets()) writeRRset(p, node, rrset, out);
    if (out.length > 0) {
      yield* out;
      out.length = 0;
    }
  }
  writeSoa(p, zone, out);
  yield* out;
}

/**
 * The AXFR answer for `zone` (RFC 5936 §2.2), message by message: the
 * question in the first message only, the SOA first and last, every
 * message at most `maxMessage - reserve` octets and compressed on its own.
 * A generator, so the caller may yield to the event loop between messages.
 */
export function* axfrMessages(zone: Zone, query: XfrQuery, opts: XfrMessageOptions = {}): Generator<Uint8Array<ArrayBuffer>> {
  const p = new XfrPacker(query, opts);
  yield* streamZone(p, zone);
  yield p.finish();
}
