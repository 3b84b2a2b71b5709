/** The field kinds rdata layouts are built from (F), each implemented by one FieldCodec in rdata-field-table.ts. */

/**
 * The field kinds rdata is built from. Most types are a fixed list of these
 * (see rdata-codec-table.ts); one generic engine (rdata-field.ts) then gives
 * text, wire and canonical conversions for all of them.
 */
export const F = {
  U8: 1,
  U16: 2,
  U32: 3,
  /** 32-bit timer that accepts TTL units in text (SOA refresh etc.). */
  TTL: 4,
  A: 5,
  AAAA: 6,
  /** Name compressed on output, decompressed on input, lowercased in canonical form (RFC 1035 types). */
  NAME_COMPRESSED: 7,
  /** Name never compressed on output but decompressed on input (RFC 3597 §4), lowercased in canonical form. */
  NAME_DECOMPRESSED: 8,
  /** Name never compressed either way, lowercased in canonical form (RRSIG signer). */
  NAME_LOWERCASED: 9,
  /** Name never compressed and kept as is in canonical form (RFC 6840 §5.1 NSEC, newer types). */
  NAME_VERBATIM: 10,
  /** One <character-string> (RFC 1035 §3.3). */
  STR: 11,
  /** One or more <character-string>s up to the end. */
  STRS: 12,
  /** An optional final <character-string> (ISDN subaddress). */
  STR_OPT: 13,
  /** Base64 up to the end, at least one octet. */
  B64: 14,
  /** Base64 up to the end, possibly empty. */
  B64_0: 15,
  /** Hex up to the end, at least one octet. */
  HEX: 16,
  /** Hex up to the end, possibly empty. */
  HEX_0: 17,
  /** Hex with a length octet; `-` is empty (NSEC3 salt, RFC 5155 §3.3). */
  HEX8: 18,
  /** Base32hex with a length octet (NSEC3 next hashed owner, RFC 5155 §3.3). */
  B32X8: 19,
  /** Type bit map up to the end (RFC 4034 §4.1.2). */
  BITMAP: 20,
  /** RRSIG time (RFC 4034 §3.2). */
  TIME: 21,
  /** A 16-bit RR type as a mnemonic. */
  TYPE: 22,
  /** DNSSEC algorithm octet; mnemonics accepted in text. */
  ALG: 23,
  /** CERT type (RFC 4398 §2.1); mnemonics accepted and printed. */
  CERT_TYPE: 24,
  /** CERT algorithm: like ALG but printed as a mnemonic, as BIND does. */
  CERT_ALG: 25,
  /** CAA tag: a length octet and 1+ alphanumerics (RFC 8659 §4.1). */
  CAA_TAG: 26,
  /** The rest as one string, possibly empty (CAA value). */
  REST: 27,
  /** The rest as one quoted string (URI target, RFC 7553 §4.4); empty is accepted, as BIND does. */
  REST_Q: 28,
  /** 64-bit locator/NodeID as four hex groups (RFC 6742 §2.3). */
  ILNP64: 29,
  EUI48: 30,
  EUI64: 31,
  /** 48-bit unsigned (TSIG time signed, RFC 8945 §4.2). */
  U48: 32,
  /** Octets with a 16-bit length, shown as base64 (TSIG MAC and other data). */
  B64_16: 33,
  /** DSYNC scheme octet; mnemonics accepted and printed. */
  DSYNC_SCHEME: 34,
  /** NSAP address up to the end: `0x` then hex, dots allowed (RFC 1706 §5). */
  NSAP: 35,
  /** Base64 up to the end, `-` for none; quoted tokens refused (DOA data, as BIND). */
  B64_DASH: 36,
  /** ATM address: format octet then AESA octets or E.164 digits (ATM Forum af-dans-0152.000). */
  ATMA: 37,
  /** APL items up to the end (RFC 3123 §4). */
  APL: 38,
  /** IP protocol number octet; `tcp`/`udp` accepted in text (WKS, RFC 1035 §3.4.2). */
  PROTO: 39,
  /** WKS port bit map up to the end, written as port numbers (RFC 1035 §3.4.2). */
  PORTS: 40,
} as const;

export type FieldKind = (typeof F)[keyof typeof F];
