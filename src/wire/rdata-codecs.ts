import { ipseckeyCodec } from './ipseckey-rdata.js';
import { locCodec } from './loc-rdata.js';
import { F, type FieldKind, fieldsCanonical, fieldsFromText, fieldsFromWire, fieldsToText, fieldsToWire, hasDecompressedNames, validateFields } from './rdata-field.js';
import type { RdataCodec } from './rdata-codec.js';
import { RRType } from './rr-type.js';
import { svcbCodec } from './svcb-rdata.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/** Extra content rule run after the field layout has been checked. */
type Check = (rdata: Uint8Array) => void;

/** Builds a codec from a field list (most types are just that). */
export function fieldCodec(fields: readonly FieldKind[], check?: Check): RdataCodec {
  const decompress = hasDecompressedNames(fields);
  const compressible = fields.includes(F.NAME_C);
  const lowered = fields.some((k) => k === F.NAME_C || k === F.NAME_D || k === F.NAME_L);
  const validate = (rdata: Uint8Array): void => {
    validateFields(fields, rdata, 0, rdata.length);
    check?.(rdata);
  };
  return {
    compressible,
    fromText(tokens, origin) {
      const rdata = fieldsFromText(fields, tokens, origin);
      // Content rules are shared with the wire side, so text and wire agree.
      check?.(rdata);
      return rdata;
    },
    toText: (rdata) => fieldsToText(fields, rdata),
    fromWire(r, rdlength) {
      const rdata = fieldsFromWire(fields, decompress, r, rdlength);
      check?.(rdata);
      return rdata;
    },
    validate,
    toWire: compressible
      ? (w, rdata, compress) => fieldsToWire(fields, w, rdata, compress)
      : (w, rdata) => w.bytes(rdata),
    canonical: lowered ? (rdata) => fieldsCanonical(fields, rdata) : (rdata) => rdata,
  };
}

function bad(what: string, at = -1): WireFormatError {
  return new WireFormatError(WireErrorCode.BAD_RDATA, what, at);
}

/** DS and friends: RFC 4509 / 6605: SHA-1 20, SHA-256 32, SHA-384 48 octets (as BIND checks). */
const DIGEST_LENGTH: Record<number, number> = { 1: 20, 2: 32, 4: 48 };
const checkDs: Check = (r) => {
  const want = DIGEST_LENGTH[r[3]!];
  if (want !== undefined && r.length - 4 !== want) throw bad(`DS digest type ${r[3]} needs ${want} octets, got ${r.length - 4}`);
};

/** RFC 4255 / 6594: SSHFP SHA-1 fingerprints are 20 octets, SHA-256 ones 32. */
const SSHFP_LENGTH: Record<number, number> = { 1: 20, 2: 32 };
const checkSshfp: Check = (r) => {
  const want = SSHFP_LENGTH[r[1]!];
  if (want !== undefined && r.length - 2 !== want) throw bad(`SSHFP type ${r[1]} needs ${want} octets, got ${r.length - 2}`);
};

/** RFC 8976 §2.2.4: digest at least 12 octets; SHA-384 is 48 and SHA-512 is 64. */
const ZONEMD_LENGTH: Record<number, number> = { 1: 48, 2: 64 };
const checkZonemd: Check = (r) => {
  const len = r.length - 6;
  if (len < 12) throw bad(`ZONEMD digest must be at least 12 octets, got ${len}`);
  const want = ZONEMD_LENGTH[r[5]!];
  if (want !== undefined && len !== want) throw bad(`ZONEMD hash algorithm ${r[5]} needs ${want} octets, got ${len}`);
};

/** NSEC3 next hashed owner must fit in one label once base32hex-encoded (39 octets, as BIND checks). */
const checkNsec3: Check = (r) => {
  const saltLen = r[4]!;
  const hashLen = r[5 + saltLen]!;
  if (hashLen > 39) throw bad(`NSEC3 next hashed owner of ${hashLen} octets does not fit in a label`);
};

/** RFC 4034 §4.1.2 as BIND applies it: an NSEC bitmap is never empty. */
const checkNsec: Check = (r) => {
  let p = 0;
  while (r[p] !== 0) p += r[p]! + 1;
  if (p + 1 >= r.length) throw bad('NSEC type bitmap is empty');
};

const ds = fieldCodec([F.U16, F.ALG, F.U8, F.HEX], checkDs);
const dnskey = fieldCodec([F.U16, F.U8, F.ALG, F.B64]);
const txt = fieldCodec([F.STRS]);

/**
 * The codec for each numeric type. Field kinds encode the RFC 3597 §4 and
 * RFC 4034 §6.2 (as amended by RFC 6840 §5.1) rules for embedded names:
 * NAME_C only for RFC 1035 types, NAME_D for the RFC 3597 "SHOULD
 * decompress" list, NAME_L for RRSIG's signer.
 */
const CODECS = new Map<number, RdataCodec>([
  [RRType.A, fieldCodec([F.A])],
  [RRType.NS, fieldCodec([F.NAME_C])],
  [RRType.MD, fieldCodec([F.NAME_C])],
  [RRType.MF, fieldCodec([F.NAME_C])],
  [RRType.CNAME, fieldCodec([F.NAME_C])],
  // RFC 1035 §3.3.13; the timers accept TTL units as BIND does.
  [RRType.SOA, fieldCodec([F.NAME_C, F.NAME_C, F.U32, F.TTL, F.TTL, F.TTL, F.TTL])],
  [RRType.MB, fieldCodec([F.NAME_C])],
  [RRType.MG, fieldCodec([F.NAME_C])],
  [RRType.MR, fieldCodec([F.NAME_C])],
  [RRType.PTR, fieldCodec([F.NAME_C])],
  [RRType.HINFO, fieldCodec([F.STR, F.STR])],
  [RRType.MINFO, fieldCodec([F.NAME_C, F.NAME_C])],
  [RRType.MX, fieldCodec([F.U16, F.NAME_C])],
  [RRType.TXT, txt],
  [RRType.RP, fieldCodec([F.NAME_D, F.NAME_D])],
  [RRType.AFSDB, fieldCodec([F.U16, F.NAME_D])],
  [RRType.X25, fieldCodec([F.STR])],
  [RRType.ISDN, fieldCodec([F.STR, F.STR_OPT])],
  [RRType.RT, fieldCodec([F.U16, F.NAME_D])],
  [RRType.PX, fieldCodec([F.U16, F.NAME_D, F.NAME_D])],
  [RRType.GPOS, fieldCodec([F.STR, F.STR, F.STR])],
  [RRType.AAAA, fieldCodec([F.AAAA])],
  [RRType.LOC, locCodec],
  [RRType.SRV, fieldCodec([F.U16, F.U16, F.U16, F.NAME_D])],
  [RRType.NAPTR, fieldCodec([F.U16, F.U16, F.STR, F.STR, F.STR, F.NAME_D])],
  [RRType.KX, fieldCodec([F.U16, F.NAME_D])],
  [RRType.CERT, fieldCodec([F.CERT_TYPE, F.U16, F.CERT_ALG, F.B64])],
  // RFC 6672 §2.5: a DNAME target is never compressed on output.
  [RRType.DNAME, fieldCodec([F.NAME_D])],
  [RRType.DS, ds],
  [RRType.SSHFP, fieldCodec([F.U8, F.U8, F.HEX_0], checkSshfp)],
  [RRType.IPSECKEY, ipseckeyCodec],
  [RRType.RRSIG, fieldCodec([F.TYPE, F.ALG, F.U8, F.U32, F.TIME, F.TIME, F.U16, F.NAME_L, F.B64])],
  [RRType.NSEC, fieldCodec([F.NAME_N, F.BITMAP], checkNsec)],
  [RRType.DNSKEY, dnskey],
  [RRType.DHCID, fieldCodec([F.B64])],
  [RRType.NSEC3, fieldCodec([F.U8, F.U8, F.U16, F.HEX8, F.B32X8, F.BITMAP], checkNsec3)],
  [RRType.NSEC3PARAM, fieldCodec([F.U8, F.U8, F.U16, F.HEX8])],
  [RRType.TLSA, fieldCodec([F.U8, F.U8, F.U8, F.HEX])],
  [RRType.SMIMEA, fieldCodec([F.U8, F.U8, F.U8, F.HEX])],
  [RRType.NINFO, txt],
  [RRType.RKEY, dnskey],
  [RRType.TALINK, fieldCodec([F.NAME_N, F.NAME_N])],
  [RRType.CDS, ds],
  [RRType.CDNSKEY, dnskey],
  [RRType.KEY, dnskey],
  [RRType.OPENPGPKEY, fieldCodec([F.B64])],
  [RRType.CSYNC, fieldCodec([F.U32, F.U16, F.BITMAP])],
  [RRType.ZONEMD, fieldCodec([F.U32, F.U8, F.U8, F.HEX], checkZonemd)],
  [RRType.SVCB, svcbCodec(RRType.SVCB)],
  [RRType.HTTPS, svcbCodec(RRType.HTTPS)],
  [RRType.DSYNC, fieldCodec([F.TYPE, F.U8, F.U16, F.NAME_N])],
  [RRType.SPF, txt],
  [RRType.NID, fieldCodec([F.U16, F.ILNP64])],
  [RRType.L32, fieldCodec([F.U16, F.A])],
  [RRType.L64, fieldCodec([F.U16, F.ILNP64])],
  [RRType.LP, fieldCodec([F.U16, F.NAME_N])],
  [RRType.EUI48, fieldCodec([F.EUI48])],
  [RRType.EUI64, fieldCodec([F.EUI64])],
  [RRType.URI, fieldCodec([F.U16, F.U16, F.REST_Q])],
  [RRType.CAA, fieldCodec([F.U8, F.CAA_TAG, F.REST])],
  [RRType.AVC, txt],
  [RRType.RESINFO, txt],
  [RRType.WALLET, txt],
  // RFC 8945 §4.2: algorithm, time signed, fudge, MAC, original ID, error, other data.
  [RRType.TSIG, fieldCodec([F.NAME_N, F.U48, F.U16, F.B64_16, F.U16, F.U16, F.B64_16])],
  [RRType.TA, ds],
  [RRType.DLV, ds],
]);

/** The codec for a type, or undefined when the type is handled as opaque (RFC 3597). */
export function codecFor(type: number): RdataCodec | undefined {
  return CODECS.get(type);
}

/** Types with a presentation codec, in numeric order. */
export function knownTypes(): number[] {
  return [...CODECS.keys()].sort((a, b) => a - b);
}
