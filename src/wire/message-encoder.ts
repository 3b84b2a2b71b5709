import { writeHeader } from './header-writer.js';
import type { Edns, Message, ResourceRecord } from './message.js';
import { wireNamesEqual } from './name.js';
import { writeRdata } from './rdata.js';
import { RRType } from './rr-type.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';
import { OVERFLOW, WireWriter } from './writer.js';

export interface EncodeOptions {
  /** Largest message to produce (e.g. the EDNS UDP payload size). Default: the buffer length. */
  limit?: number;
  /** RFC 1035 §4.1.4 name compression. Default true. */
  compress?: boolean;
}

export interface EncodeResult {
  /** Octets written at the start of the buffer. */
  length: number;
  /** True when records were left out to respect the limit. */
  truncated: boolean;
  /** Section where records were left out: 1 answer, 2 authority, 3 additional; 0 if none. */
  truncatedSection: number;
}

/** One writer reused across calls: encoding is synchronous, so no call sees another's state. */
const shared = new WireWriter(new Uint8Array(0));

function optLength(e: Edns): number {
  let n = 11; // root owner, type, class, ttl, rdlength
  const options = e.options;
  for (let i = 0; i < options.length; i++) n += 4 + options[i]!.data.length;
  return n;
}

function tsigLength(t: ResourceRecord): number {
  return t.name.wire.length + 10 + t.rdata.length;
}

function writeRecord(w: WireWriter, rr: ResourceRecord, compress: boolean): void {
  // Owners become pointer targets only when later names may use them
  // (without compression none do; TSIG, written uncompressed, is last).
  w.wholeName(rr.name.wire, compress, compress);
  const lenAt = w.rrFixed(rr.type, rr.class, rr.ttl);
  writeRdata(w, rr.type, rr.rdata, compress);
  w.patchU16(lenAt, w.pos - lenAt - 2);
}

function sameRRset(a: ResourceRecord, b: ResourceRecord): boolean {
  return (
    a.type === b.type && a.class === b.class &&
    (a.name === b.name || (a.name.wire.length === b.name.wire.length && wireNamesEqual(a.name.wire, 0, b.name.wire, 0)))
  );
}

/**
 * Writer state at the start of each record of the section being written,
 * so a cut can go back to the start of its RRset. Every record takes at
 * least 11 octets (root owner, no rdata) after the 12-octet header, so at
 * most 5956 records precede the one that overflows 65535 octets.
 */
const RECORD_SLOTS = 5957;
const recordPos = new Uint16Array(RECORD_SLOTS);
const recordTargets = new Uint16Array(RECORD_SLOTS);

/**
 * Writes `list` until the limit, rolling back to the start of the RRset
 * that did not fit. Returns how many records were written.
 */
function writeSection(w: WireWriter, list: readonly ResourceRecord[], compress: boolean): number {
  const n = list.length;
  let i = 0;
  try {
    for (; i < n; i++) {
      recordPos[i] = w.pos;
      recordTargets[i] = w.targetCount;
      writeRecord(w, list[i]!, compress);
    }
  } catch (e) {
    if (e !== OVERFLOW) throw e;
    // RRset boundaries are only needed here, so they are found only here.
    let start = i;
    while (start > 0 && sameRRset(list[start - 1]!, list[start]!)) start--;
    w.rewind(recordPos[start]!, recordTargets[start]!);
    return start;
  }
  return n;
}

/**
 * Encodes `msg` into `buf` (caller-supplied; nothing is allocated per
 * record). When the limit is reached the message stops at an RRset
 * boundary: a cut in the answer or authority section sets TC (RFC 2181
 * §9); additional data is simply left out. OPT (RFC 6891 §7: kept even
 * when truncated) and TSIG are always written, last.
 */
export function encodeMessage(msg: Message, buf: Uint8Array, options: EncodeOptions = {}): EncodeResult {
  const limit = Math.min(options.limit ?? buf.length, buf.length, 65535);
  const compress = options.compress ?? true;
  if (msg.rcode > 15 && msg.edns === null) {
    throw new WireFormatError(WireErrorCode.VALUE_RANGE, `rcode ${msg.rcode} needs EDNS`);
  }
  if (msg.rcode > 0xfff) throw new WireFormatError(WireErrorCode.VALUE_RANGE, `rcode ${msg.rcode} does not fit 12 bits`);
  const reserved = (msg.edns ? optLength(msg.edns) : 0) + (msg.tsig ? tsigLength(msg.tsig) : 0);
  const w = shared;
  w.reset(buf, limit - reserved);
  let qd = 0;
  try {
    // The header is the first 12 octets (the writer starts at 0); flags and counts are patched in at the end.
    w.reserve(12);
    const b = w.buf;
    writeHeader(b, msg.id, 0, 0, 0, 0, 0);
    const questions = msg.questions;
    for (let i = 0; i < questions.length; i++) {
      const q = questions[i]!;
      w.wholeName(q.name.wire, compress, compress);
      const p = w.reserve(4);
      b[p] = q.type >>> 8;
      b[p + 1] = q.type;
      b[p + 2] = q.class >>> 8;
      b[p + 3] = q.class;
      qd++;
    }
  } catch (e) {
    if (e === OVERFLOW) {
      throw new WireFormatError(WireErrorCode.NO_SPACE, `header, question and OPT do not fit in ${limit} octets`);
    }
    throw e;
  }
  let truncatedSection = 0;
  const an = writeSection(w, msg.answers, compress);
  if (an < msg.answers.length) truncatedSection = 1;
  const ns = truncatedSection === 0 ? writeSection(w, msg.authorities, compress) : 0;
  if (truncatedSection === 0 && ns < msg.authorities.length) truncatedSection = 2;
  const ar = truncatedSection === 0 ? writeSection(w, msg.additionals, compress) : 0;
  if (truncatedSection === 0 && ar < msg.additionals.length) truncatedSection = 3;
  let extra = 0;
  w.limit = limit;
  if (msg.edns) {
    const e = msg.edns;
    const p = w.reserve(11);
    const b = w.buf;
    const flags = (e.dnssecOk ? 0x8000 : 0) | (e.z & 0x7fff);
    b[p] = 0; // RFC 6891 §6.1.2: owner is the root
    b[p + 1] = RRType.OPT >>> 8;
    b[p + 2] = RRType.OPT;
    b[p + 3] = e.udpPayload >>> 8;
    b[p + 4] = e.udpPayload;
    b[p + 5] = msg.rcode >>> 4;
    b[p + 6] = e.version;
    b[p + 7] = flags >>> 8;
    b[p + 8] = flags;
    const lenAt = p + 9;
    b[lenAt] = 0;
    b[lenAt + 1] = 0;
    const options = e.options;
    for (let i = 0; i < options.length; i++) {
      const o = options[i]!;
      w.u16(o.code);
      w.u16(o.data.length);
      w.bytes(o.data);
    }
    w.patchU16(lenAt, w.pos - lenAt - 2);
    extra++;
  }
  if (msg.tsig) {
    // RFC 8945 §4.2: the TSIG record is never compressed.
    writeRecord(w, msg.tsig, false);
    extra++;
  }
  const tc = msg.tc || truncatedSection === 1 || truncatedSection === 2;
  const flags =
    (msg.qr ? 0x8000 : 0) | ((msg.opcode & 0xf) << 11) | (msg.aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) |
    (msg.rd ? 0x0100 : 0) | (msg.ra ? 0x0080 : 0) | (msg.z ? 0x0040 : 0) | (msg.ad ? 0x0020 : 0) |
    (msg.cd ? 0x0010 : 0) | (msg.rcode & 0xf);
  writeHeader(w.buf, msg.id, flags, qd, an, ns, ar + extra);
  return { length: w.pos, truncated: truncatedSection !== 0, truncatedSection };
}

/** Convenience: encodes into a fresh buffer of exactly the right size. */
export function encodeMessageToBytes(msg: Message, options: EncodeOptions = {}): Uint8Array {
  const buf = new Uint8Array(options.limit ?? 65535);
  const { length } = encodeMessage(msg, buf, options);
  return buf.slice(0, length);
}
