import { TextErrorCode, TextFormatError } from './text-format-error.js';

/** Numeric RR types (IANA "Resource Record (RR) TYPEs"). The code keys on these numbers. */
export const RRType = {
  A: 1, NS: 2, MD: 3, MF: 4, CNAME: 5, SOA: 6, MB: 7, MG: 8, MR: 9, NULL: 10, WKS: 11, PTR: 12,
  HINFO: 13, MINFO: 14, MX: 15, TXT: 16, RP: 17, AFSDB: 18, X25: 19, ISDN: 20, RT: 21, NSAP: 22,
  'NSAP-PTR': 23, SIG: 24, KEY: 25, PX: 26, GPOS: 27, AAAA: 28, LOC: 29, NXT: 30, EID: 31, NIMLOC: 32,
  SRV: 33, ATMA: 34, NAPTR: 35, KX: 36, CERT: 37, A6: 38, DNAME: 39, SINK: 40, OPT: 41, APL: 42,
  DS: 43, SSHFP: 44, IPSECKEY: 45, RRSIG: 46, NSEC: 47, DNSKEY: 48, DHCID: 49, NSEC3: 50,
  NSEC3PARAM: 51, TLSA: 52, SMIMEA: 53, HIP: 55, NINFO: 56, RKEY: 57, TALINK: 58, CDS: 59,
  CDNSKEY: 60, OPENPGPKEY: 61, CSYNC: 62, ZONEMD: 63, SVCB: 64, HTTPS: 65, DSYNC: 66, HHIT: 67, BRID: 68,
  SPF: 99,
  UINFO: 100, UID: 101, GID: 102, UNSPEC: 103, NID: 104, L32: 105, L64: 106, LP: 107, EUI48: 108,
  EUI64: 109, TKEY: 249, TSIG: 250, IXFR: 251, AXFR: 252, MAILB: 253, MAILA: 254, ANY: 255,
  URI: 256, CAA: 257, AVC: 258, DOA: 259, AMTRELAY: 260, RESINFO: 261, WALLET: 262, TA: 32768,
  DLV: 32769,
} as const;

export const RRClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

const typeNames = new Map<number, string>();
const typeNumbers = new Map<string, number>();
for (const [k, v] of Object.entries(RRType)) {
  typeNames.set(v, k);
  typeNumbers.set(k, v);
}
const classNames = new Map<number, string>();
const classNumbers = new Map<string, number>();
for (const [k, v] of Object.entries(RRClass)) {
  classNames.set(v, k);
  classNumbers.set(k, v);
}

/** Mnemonic for a type, or RFC 3597 `TYPEnnn`. */
export function typeToText(type: number): string {
  return typeNames.get(type) ?? `TYPE${type}`;
}

export function classToText(cls: number): string {
  return classNames.get(cls) ?? `CLASS${cls}`;
}

/** Parses `TYPEnnn` / `CLASSnnn` (RFC 3597 §5); -1 when `text` is not of that form. */
function parseGenericNumber(text: string, prefix: string): number {
  if (text.length <= prefix.length || text.length > prefix.length + 5) return -1;
  if (text.slice(0, prefix.length).toUpperCase() !== prefix) return -1;
  let v = 0;
  for (let i = prefix.length; i < text.length; i++) {
    const c = text.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v <= 0xffff ? v : -1;
}

/** Type number for a mnemonic or `TYPEnnn`, or -1 if `text` is neither. */
export function lookupType(text: string): number {
  const t = typeNumbers.get(text) ?? typeNumbers.get(text.toUpperCase());
  return t ?? parseGenericNumber(text, 'TYPE');
}

export function lookupClass(text: string): number {
  const c = classNumbers.get(text) ?? classNumbers.get(text.toUpperCase());
  if (c !== undefined) return c;
  if (text.toUpperCase() === 'CHAOS') return RRClass.CH;
  if (text.toUpperCase() === 'HESIOD') return RRClass.HS;
  return parseGenericNumber(text, 'CLASS');
}

export function parseType(text: string, token = -1): number {
  const t = lookupType(text);
  if (t < 0) throw new TextFormatError(TextErrorCode.BAD_TYPE, `unknown type '${text}'`, token);
  return t;
}

export function parseClass(text: string, token = -1): number {
  const c = lookupClass(text);
  if (c < 0) throw new TextFormatError(TextErrorCode.BAD_CLASS, `unknown class '${text}'`, token);
  return c;
}

/** RFC 6895 §3.1: meta-types and QTYPEs (128..255) never appear as data. */
export function isMetaType(type: number): boolean {
  return type === RRType.OPT || (type >= 128 && type <= 255);
}
