/** The table of RdataCodecs by RR type: field layouts, content checks and the special codecs. */
import { fromBase64, fromHex, toBase64, toHex } from './base-encoding.js';
import { amtrelayCodec, ipseckeyCodec } from './ipseckey-rdata.js';
import { naptrRegexpProblem } from './naptr-regexp.js';
import { locCodec } from './loc-rdata.js';
import { wireNameLength, wireNameToText } from './name.js';
import { opaqueCodec, type RdataCodec } from './rdata-codec-interface.js';
import { genericRdataText } from './rdata-generic.js';
import { ByteBuilder } from './byte-builder.js';
import { fieldsCanonical, fieldsFromText, fieldsFromWire, fieldsToText, fieldsToWire, hasDecompressedNames, validateFields } from './rdata-field.js';
import { aplHasTextForm } from './rdata-field-addresses.js';
import { parseNameToken, parseNumber } from './rdata-field-codec.js';
import { F, type FieldKind } from './rdata-field-kind.js';
import { fieldCodecOf } from './rdata-field-table.js';
import { RRType } from './rr-type.js';
import { svcbCodec } from './svcb-rdata.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/** Extra content rule run after the field layout has been checked. */
type Check = (rdata: Uint8Array) => void;

/** Builds a codec from a field list (most types are just that). */
export function fieldCodec(fields: readonly FieldKind[], check?: Check): RdataCodec {
  const decompress = hasDecompressedNames(fields);
  const compressible = fields.some((k) => fieldCodecOf(k).name?.compressOut === true);
  const lowered = fields.some((k) => fieldCodecOf(k).name?.lowercase === true);
  const validate = (rdata: Uint8Array): void => {
    validateFields(fields, rdata, 0, rdata.length);
    check?.(rdata);
  };
  return {
    compressible,
    fromText(tokens, origin) {
      const rdata = fieldsFromText(fields, tokens, origin);
      // Content rules are shared with the wire side, so text and wire agree.
      try {
        check?.(rdata);
      } catch (e) {
        if (e instanceof WireFormatError) throw new TextFormatError(TextErrorCode.BAD_VALUE, e.reason, -1, { cause: e });
        throw e;
      }
      return rdata;
    },
    toText: (rdata) => fieldsToText(fields, rdata),
    fromWire(r, rdlength) {
      const rdata = fieldsFromWire(fields, decompress, r, rdlength);
      check?.(rdata);
      return rdata;
    },
    validate,
    toWire: compressible ? compressedWriter(fields) : (w, rdata) => w.bytes(rdata),
    canonical: lowered ? (rdata) => fieldsCanonical(fields, rdata) : (rdata) => rdata,
  };
}

/**
 * The writer for a layout with compressible names. The RFC 1035 layouts
 * that end in their only name (NS, CNAME, PTR, MX...) get a direct writer,
 * as that name's length is simply what is left of the rdata; those that
 * start with their names and end in fixed-size fields (SOA, MINFO) write
 * the names and then the rest in one go. Answers then never go through the
 * generic engine.
 */
function compressedWriter(fields: readonly FieldKind[]): RdataCodec['toWire'] {
  if (fields.length === 1 && fields[0] === F.NAME_COMPRESSED) {
    return (w, rdata, compress) => w.nameAt(rdata, 0, rdata.length, compress);
  }
  if (fields.length === 2 && fields[0] === F.U16 && fields[1] === F.NAME_COMPRESSED) {
    return (w, rdata, compress) => {
      w.bytes(rdata, 0, 2);
      w.nameAt(rdata, 2, rdata.length - 2, compress);
    };
  }
  let names = 0;
  while (names < fields.length && fields[names] === F.NAME_COMPRESSED) names++;
  if (names > 0 && fields.slice(names).every((k) => fieldCodecOf(k).size > 0)) {
    const fixedTail = names < fields.length;
    return (w, rdata, compress) => {
      let p = 0;
      for (let j = 0; j < names; j++) {
        const len = wireNameLength(rdata, p);
        w.name(rdata, p, compress, true);
        p += len;
      }
      if (fixedTail) w.bytes(rdata, p, rdata.length);
    };
  }
  return (w, rdata, compress) => fieldsToWire(fields, w, rdata, compress);
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
/** RFC 3403 §4.1: the regexp field (the third string) must be a valid substitution expression. */
const checkNaptr: Check = (r) => {
  let p = 4;
  p += 1 + r[p]!; // flags
  p += 1 + r[p]!; // services
  const problem = naptrRegexpProblem(r, p + 1, p + 1 + r[p]!);
  if (problem !== undefined) throw bad(`NAPTR ${problem}`, p);
};

const checkNsec: Check = (r) => {
  let p = 0;
  while (r[p] !== 0) p += r[p]! + 1;
  if (p + 1 >= r.length) throw bad('NSEC type bitmap is empty');
};

/**
 * RFC 4034 Appendix A.1.1: with algorithm PRIVATEDNS (253) the key starts
 * with an uncompressed domain name naming the algorithm; with PRIVATEOID
 * (254) it starts with a length octet and a BER-encoded OID of that length.
 * BIND checks both on every KEY-family record; `at` is where the key starts.
 */
function checkPrivateAlgorithm(r: Uint8Array, alg: number, at: number): void {
  if (alg === 253) {
    wireNameLength(r, at); // throws on a pointer, a bad label type or a name running past the end
  } else if (alg === 254) {
    const len = r[at] ?? 0;
    // X.690 §8.19: tag 6 (OBJECT IDENTIFIER), a short-form length, then sub-identifiers
    // in base 128 whose last octet has the high bit clear.
    const body = r.subarray(at + 1, at + 1 + len);
    if (len === 0 || body.length !== len || body[0] !== 0x06 || body[1] !== len - 2 || len < 3 || (body[len - 1]! & 0x80) !== 0) {
      throw bad('PRIVATEOID key must start with a length octet and a BER-encoded OID', at);
    }
  }
}

const checkKey: Check = (r) => checkPrivateAlgorithm(r, r[3]!, 4);

/** draft-reid-dnsext-rkey-00: RKEY flags are reserved and must be zero (BIND enforces this on text and wire). */
const checkRkey: Check = (r) => {
  if (r[0] !== 0 || r[1] !== 0) throw bad('RKEY flags must be zero', 0);
  checkKey(r);
};

const checkRrsig: Check = (r) => {
  let signerLabels = 0;
  let p = 18;
  for (; r[p] !== 0; p += r[p]! + 1) signerLabels++;
  // RFC 4035 §5.3.1: the signer is the zone holding the RRset, so it has no more
  // labels than the Labels field (the owner's count, RFC 4034 §3.1.3), as BIND checks.
  if (signerLabels > r[3]!) throw bad(`RRSIG signer has ${signerLabels} labels, more than the Labels field ${r[3]}`, 18);
  // RFC 4034 Appendix A.1.1 applies to the signature as well as to the key.
  checkPrivateAlgorithm(r, r[2]!, p + 1);
};

/** A field codec whose text falls back to the generic form when `printable` says no. */
function withGenericFallback(codec: RdataCodec, printable: (r: Uint8Array) => boolean): RdataCodec {
  return { ...codec, toText: (r) => (printable(r) ? codec.toText(r) : genericRdataText(r)) };
}

/**
 * RFC 8005 §5: HIP is HIT length, PK algorithm, PK length, HIT, public key
 * and optional rendezvous servers (uncompressed names). §6: text is
 * `alg HIT-hex PK-base64 [servers...]`. HIT and key are never empty (BIND).
 */
function hipValidate(r: Uint8Array): void {
  if (r.length < 4) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'HIP rdata too short');
  const hitLen = r[0]!;
  const pkLen = (r[2]! << 8) | r[3]!;
  if (hitLen === 0 || pkLen === 0) throw bad('HIP HIT and public key must not be empty', 0);
  let p = 4 + hitLen + pkLen;
  if (p > r.length) throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'HIP HIT or key runs past the end', 0);
  while (p < r.length) p += wireNameLength(r, p);
}

const hipCodec: RdataCodec = opaqueCodec({
  fromText(tokens, origin) {
    const out = new ByteBuilder();
    const alg = parseNumber(tokens[0], 0xff, 'PK algorithm', 0);
    const hit = fromHex(tokens[1]?.text ?? '', 1);
    if (hit.length === 0 || hit.length > 255) throw new TextFormatError(TextErrorCode.BAD_HEX, 'HIT must be 1..255 octets', 1);
    const pk = fromBase64(tokens[2]?.text ?? '', 2);
    if (pk.length === 0) throw new TextFormatError(TextErrorCode.BAD_BASE64, 'missing HIP public key', 2);
    out.u8(hit.length);
    out.u8(alg);
    out.u16(pk.length);
    out.bytes(hit);
    out.bytes(pk);
    for (let i = 3; i < tokens.length; i++) out.bytes(parseNameToken(tokens[i], origin, i, 'rendezvous server').wire);
    return out.finish();
  },
  toText(r) {
    const hitLen = r[0]!;
    const pkLen = (r[2]! << 8) | r[3]!;
    const parts = [String(r[1]), toHex(r, 4, 4 + hitLen), toBase64(r, 4 + hitLen, 4 + hitLen + pkLen)];
    for (let p = 4 + hitLen + pkLen; p < r.length; p += wireNameLength(r, p)) parts.push(wireNameToText(r, p));
    return parts.join(' ');
  },
  validate: hipValidate,
});

const ds = fieldCodec([F.U16, F.ALG, F.U8, F.HEX], checkDs);
const dnskey = fieldCodec([F.U16, F.U8, F.ALG, F.B64], checkKey);
const txt = fieldCodec([F.STRS]);

/**
 * The codec for each numeric type. Field kinds encode the RFC 3597 §4 and
 * RFC 4034 §6.2 (as amended by RFC 6840 §5.1) rules for embedded names:
 * NAME_COMPRESSED only for RFC 1035 types, NAME_DECOMPRESSED for the RFC 3597 "SHOULD
 * decompress" list, NAME_LOWERCASED for RRSIG's signer.
 */
const CODECS = new Map<number, RdataCodec>([
  [RRType.A, fieldCodec([F.A])],
  [RRType.NS, fieldCodec([F.NAME_COMPRESSED])],
  [RRType.MD, fieldCodec([F.NAME_COMPRESSED])],
  [RRType.MF, fieldCodec([F.NAME_COMPRESSED])],
  [RRType.CNAME, fieldCodec([F.NAME_COMPRESSED])],
  // RFC 1035 §3.4.2: address, protocol, port bit map (ports written as numbers).
  [RRType.WKS, fieldCodec([F.A, F.PROTO, F.PORTS])],
  // RFC 1035 §3.3.13; the timers accept TTL units as BIND does.
  [RRType.SOA, fieldCodec([F.NAME_COMPRESSED, F.NAME_COMPRESSED, F.U32, F.TTL, F.TTL, F.TTL, F.TTL])],
  [RRType.MB, fieldCodec([F.NAME_COMPRESSED])],
  [RRType.MG, fieldCodec([F.NAME_COMPRESSED])],
  [RRType.MR, fieldCodec([F.NAME_COMPRESSED])],
  [RRType.PTR, fieldCodec([F.NAME_COMPRESSED])],
  [RRType.HINFO, fieldCodec([F.STR, F.STR])],
  [RRType.MINFO, fieldCodec([F.NAME_COMPRESSED, F.NAME_COMPRESSED])],
  [RRType.MX, fieldCodec([F.U16, F.NAME_COMPRESSED])],
  [RRType.TXT, txt],
  [RRType.RP, fieldCodec([F.NAME_DECOMPRESSED, F.NAME_DECOMPRESSED])],
  [RRType.AFSDB, fieldCodec([F.U16, F.NAME_DECOMPRESSED])],
  [RRType.X25, fieldCodec([F.STR])],
  [RRType.ISDN, fieldCodec([F.STR, F.STR_OPT])],
  [RRType.RT, fieldCodec([F.U16, F.NAME_DECOMPRESSED])],
  [RRType.PX, fieldCodec([F.U16, F.NAME_DECOMPRESSED, F.NAME_DECOMPRESSED])],
  [RRType.GPOS, fieldCodec([F.STR, F.STR, F.STR])],
  // RFC 1706 §5 and §6; NSAP-PTR is on the RFC 4034 §6.2 lowercase list but not RFC 3597 §4's.
  [RRType.NSAP, fieldCodec([F.NSAP])],
  [RRType['NSAP-PTR'], fieldCodec([F.NAME_LOWERCASED])],
  [RRType.AAAA, fieldCodec([F.AAAA])],
  [RRType.LOC, locCodec],
  // Nimrod EID and locator: opaque octets written as hex, as BIND does.
  [RRType.EID, fieldCodec([F.HEX])],
  [RRType.NIMLOC, fieldCodec([F.HEX])],
  [RRType.SRV, fieldCodec([F.U16, F.U16, F.U16, F.NAME_DECOMPRESSED])],
  // Formats other than 0 (AESA) and 1 (E.164) have no text form.
  [RRType.ATMA, withGenericFallback(fieldCodec([F.ATMA]), (r) => r[0]! <= 1)],
  [RRType.NAPTR, fieldCodec([F.U16, F.U16, F.STR, F.STR, F.STR, F.NAME_DECOMPRESSED], checkNaptr)],
  [RRType.KX, fieldCodec([F.U16, F.NAME_DECOMPRESSED])],
  [RRType.CERT, fieldCodec([F.CERT_TYPE, F.U16, F.CERT_ALG, F.B64])],
  // RFC 6672 §2.5: a DNAME target is never compressed on output.
  [RRType.DNAME, fieldCodec([F.NAME_DECOMPRESSED])],
  // RFC 3123: address families other than IPv4 and IPv6 have no text form.
  [RRType.APL, withGenericFallback(fieldCodec([F.APL]), aplHasTextForm)],
  [RRType.DS, ds],
  [RRType.SSHFP, fieldCodec([F.U8, F.U8, F.HEX_0], checkSshfp)],
  [RRType.IPSECKEY, ipseckeyCodec],
  [RRType.RRSIG, fieldCodec([F.TYPE, F.ALG, F.U8, F.U32, F.TIME, F.TIME, F.U16, F.NAME_LOWERCASED, F.B64], checkRrsig)],
  [RRType.NSEC, fieldCodec([F.NAME_VERBATIM, F.BITMAP], checkNsec)],
  [RRType.DNSKEY, dnskey],
  [RRType.DHCID, fieldCodec([F.B64])],
  [RRType.NSEC3, fieldCodec([F.U8, F.U8, F.U16, F.HEX8, F.B32X8, F.BITMAP], checkNsec3)],
  [RRType.NSEC3PARAM, fieldCodec([F.U8, F.U8, F.U16, F.HEX8])],
  [RRType.TLSA, fieldCodec([F.U8, F.U8, F.U8, F.HEX])],
  [RRType.SMIMEA, fieldCodec([F.U8, F.U8, F.U8, F.HEX])],
  [RRType.HIP, hipCodec],
  [RRType.NINFO, txt],
  [RRType.RKEY, fieldCodec([F.U16, F.U8, F.ALG, F.B64], checkRkey)],
  [RRType.TALINK, fieldCodec([F.NAME_VERBATIM, F.NAME_VERBATIM])],
  [RRType.CDS, ds],
  [RRType.CDNSKEY, dnskey],
  [RRType.KEY, dnskey],
  [RRType.OPENPGPKEY, fieldCodec([F.B64])],
  [RRType.CSYNC, fieldCodec([F.U32, F.U16, F.BITMAP])],
  [RRType.ZONEMD, fieldCodec([F.U32, F.U8, F.U8, F.HEX], checkZonemd)],
  [RRType.SVCB, svcbCodec(RRType.SVCB)],
  [RRType.HTTPS, svcbCodec(RRType.HTTPS)],
  [RRType.DSYNC, fieldCodec([F.TYPE, F.DSYNC_SCHEME, F.U16, F.NAME_VERBATIM])],
  // DRIP HHIT and BRID: opaque data written as base64, as BIND does.
  [RRType.HHIT, fieldCodec([F.B64])],
  [RRType.BRID, fieldCodec([F.B64])],
  [RRType.SPF, txt],
  [RRType.NID, fieldCodec([F.U16, F.ILNP64])],
  [RRType.L32, fieldCodec([F.U16, F.A])],
  [RRType.L64, fieldCodec([F.U16, F.ILNP64])],
  [RRType.LP, fieldCodec([F.U16, F.NAME_VERBATIM])],
  [RRType.EUI48, fieldCodec([F.EUI48])],
  [RRType.EUI64, fieldCodec([F.EUI64])],
  [RRType.URI, fieldCodec([F.U16, F.U16, F.REST_Q])],
  [RRType.CAA, fieldCodec([F.U8, F.CAA_TAG, F.REST])],
  [RRType.AVC, txt],
  [RRType.RESINFO, txt],
  [RRType.WALLET, txt],
  // draft-durand-doa-over-dns §3: enterprise, type, location, media type, data ('-' when empty).
  [RRType.DOA, fieldCodec([F.U32, F.U32, F.U8, F.STR, F.B64_DASH])],
  [RRType.AMTRELAY, amtrelayCodec],
  // RFC 8945 §4.2: algorithm, time signed, fudge, MAC, original ID, error, other data.
  [RRType.TSIG, fieldCodec([F.NAME_VERBATIM, F.U48, F.U16, F.B64_16, F.U16, F.U16, F.B64_16])],
  [RRType.TA, ds],
  [RRType.DLV, ds],
]);

/** Types below this are looked up in an array (the hot path), the rest in the map. */
const SMALL_TYPES = 512;
const SMALL: (RdataCodec | undefined)[] = Array.from({ length: SMALL_TYPES }, (_, t) => CODECS.get(t));

/** The codec for a type, or undefined when the type is handled as opaque (RFC 3597). */
export function codecFor(type: number): RdataCodec | undefined {
  return type < SMALL_TYPES ? SMALL[type] : CODECS.get(type);
}

/** Types with a presentation codec, in numeric order. */
export function knownTypes(): number[] {
  return [...CODECS.keys()].sort((a, b) => a - b);
}
