import type { Name } from './name.js';

/** RFC 1035 §4.1.1 / RFC 6895 §2.2 opcodes. */
export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5, DSO: 6 } as const;

/** RFC 6895 §2.3 RCODEs (values above 15 need EDNS, RFC 6891 §6.1.3). */
export const Rcode = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, YXDOMAIN: 6, YXRRSET: 7,
  NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10, BADVERS: 16, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADCOOKIE: 23,
} as const;

/** EDNS option codes (IANA "DNS EDNS0 Option Codes"). */
export const EdnsOptionCode = { NSID: 3, CLIENT_SUBNET: 8, EXPIRE: 9, COOKIE: 10, TCP_KEEPALIVE: 11, PADDING: 12 } as const;

export interface Question {
  name: Name;
  type: number;
  class: number;
}

/** A resource record; `rdata` is uncompressed wire octets with case preserved. */
export interface ResourceRecord {
  name: Name;
  type: number;
  class: number;
  ttl: number;
  rdata: Uint8Array;
}

/** One EDNS option, kept as raw octets (RFC 6891 §6.1.2). */
export interface EdnsOption {
  code: number;
  data: Uint8Array;
}

/** The OPT pseudo-record, unpacked (RFC 6891 §6.1.2-6.1.3). */
export interface Edns {
  /** Requestor's UDP payload size (the OPT CLASS field). */
  udpPayload: number;
  version: number;
  /** The DO bit (RFC 3225). */
  dnssecOk: boolean;
  /** The other 15 flag bits (Z), kept so they can be checked or echoed. */
  z: number;
  options: EdnsOption[];
}

/**
 * A DNS message. `rcode` is the full 12-bit value: its upper 8 bits travel
 * in the OPT record, so values above 15 need `edns`. OPT and TSIG are not
 * part of `additionals`: the encoder places them last, OPT then TSIG
 * (RFC 8945 §5.1).
 */
export interface Message {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** The reserved Z bit (RFC 1035 §4.1.1); must be zero, kept for checks. */
  z: boolean;
  ad: boolean;
  cd: boolean;
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
  edns: Edns | null;
  tsig: ResourceRecord | null;
}

/** A message with every field at its zero value. */
export function emptyMessage(id = 0): Message {
  return {
    id, qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [], answers: [], authorities: [], additionals: [], edns: null, tsig: null,
  };
}
