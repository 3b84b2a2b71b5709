import type { Edns, EdnsOption, Message, ResourceRecord } from './message.js';
import { Name } from './name.js';
import { readRdata } from './rdata.js';
import { WireReader } from './reader.js';
import { RRClass, RRType } from './rr-type.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/** RFC 1035 §4.1.1: the fixed header. */
export const HEADER_LENGTH = 12;

/**
 * Types whose rdata layout is defined for class IN only (RFC 1035 §3.4,
 * RFC 3596, ...). In other classes they are carried as opaque octets.
 */
const IN_ONLY = new Set<number>([
  RRType.A, RRType.WKS, RRType.AAAA, RRType.SRV, RRType.NAPTR, RRType.KX, RRType.A6, RRType.APL,
  RRType.DHCID, RRType.PX, RRType.IPSECKEY, RRType.ATMA, RRType.EID, RRType.NIMLOC, RRType.NSAP,
]);

function readRecordRdata(r: WireReader, type: number, cls: number, rdlength: number): Uint8Array {
  // RFC 2136 §2.4/§2.5: class ANY and NONE records in updates may have no rdata.
  if (rdlength === 0 && (cls === RRClass.ANY || cls === RRClass.NONE)) return r.bytes(0);
  if (cls !== RRClass.IN && IN_ONLY.has(type)) return r.bytes(rdlength);
  return readRdata(r, type, rdlength);
}

function decodeOpt(rr: ResourceRecord, at: number): Edns {
  // RFC 6891 §6.1.2: the owner of OPT is the root.
  if (rr.name.wire.length !== 1) throw new WireFormatError(WireErrorCode.OPT_MISPLACED, 'OPT owner is not the root', at);
  const options: EdnsOption[] = [];
  const d = rr.rdata;
  let p = 0;
  while (p < d.length) {
    if (p + 4 > d.length) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'EDNS option header cut short', at);
    const code = (d[p]! << 8) | d[p + 1]!;
    const len = (d[p + 2]! << 8) | d[p + 3]!;
    if (p + 4 + len > d.length) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'EDNS option value cut short', at);
    options.push({ code, data: d.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  const ttl = rr.ttl;
  return {
    udpPayload: rr.class,
    version: (ttl >>> 16) & 0xff,
    dnssecOk: (ttl & 0x8000) !== 0,
    z: ttl & 0x7fff,
    options,
  };
}

/**
 * Decodes a whole DNS message, strictly: every count must be met exactly,
 * every rdata must match its type, compression pointers must point
 * backwards, and OPT and TSIG must sit where RFC 6891 §6.1.1 and RFC 8945
 * §5.1 put them. Any violation throws WireFormatError.
 */
export function decodeMessage(buf: Uint8Array): Message {
  if (buf.length < HEADER_LENGTH) {
    throw new WireFormatError(WireErrorCode.SHORT_HEADER, `message of ${buf.length} octets is shorter than the header`, 0);
  }
  const r = new WireReader(buf);
  const id = r.u16();
  const flags = r.u16();
  const qd = r.u16();
  const an = r.u16();
  const ns = r.u16();
  const ar = r.u16();
  const msg: Message = {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >>> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    z: (flags & 0x0040) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    edns: null,
    tsig: null,
  };
  const outOfRecords = (what: string): WireFormatError =>
    new WireFormatError(WireErrorCode.COUNT_MISMATCH, `header promises more ${what} than the message holds`, r.pos);

  for (let i = 0; i < qd; i++) {
    if (r.remaining === 0) throw outOfRecords('questions');
    const name = Name.trusted(r.readName());
    const type = r.u16();
    const cls = r.u16();
    msg.questions.push({ name, type, class: cls });
  }

  const sections: [number, ResourceRecord[], string][] = [
    [an, msg.answers, 'answers'],
    [ns, msg.authorities, 'authority records'],
    [ar, msg.additionals, 'additional records'],
  ];
  for (let s = 0; s < 3; s++) {
    const [count, list, what] = sections[s]!;
    for (let i = 0; i < count; i++) {
      if (r.remaining === 0) throw outOfRecords(what);
      const at = r.pos;
      const name = Name.trusted(r.readName());
      const type = r.u16();
      const cls = r.u16();
      const ttl = r.u32();
      const rdlength = r.u16();
      r.need(rdlength);
      const rdata = readRecordRdata(r, type, cls, rdlength);
      const rr: ResourceRecord = { name, type, class: cls, ttl, rdata };
      if (type === RRType.OPT) {
        if (s !== 2) throw new WireFormatError(WireErrorCode.OPT_MISPLACED, 'OPT outside the additional section', at);
        if (msg.edns !== null) throw new WireFormatError(WireErrorCode.MULTIPLE_OPT, 'more than one OPT record', at);
        if (msg.tsig !== null) throw new WireFormatError(WireErrorCode.TSIG_MISPLACED, 'TSIG is not the last record', at);
        msg.edns = decodeOpt(rr, at);
        // RFC 6891 §6.1.3: the upper 8 bits of the 12-bit RCODE.
        msg.rcode |= ((ttl >>> 24) & 0xff) << 4;
        continue;
      }
      if (type === RRType.TSIG) {
        // RFC 8945 §5.1: TSIG is the last record of the additional section.
        if (s !== 2 || i !== count - 1) throw new WireFormatError(WireErrorCode.TSIG_MISPLACED, 'TSIG is not the last record', at);
        msg.tsig = rr;
        continue;
      }
      list.push(rr);
    }
  }
  if (r.remaining !== 0) {
    throw new WireFormatError(WireErrorCode.TRAILING_BYTES, `${r.remaining} octets after the last counted record`, r.pos);
  }
  return msg;
}
