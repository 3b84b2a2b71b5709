/** Field kinds that are numbers with mnemonics: TYPE, ALG, CERT_ALG, CERT_TYPE, DSYNC_SCHEME and PROTO (WKS). */

import { fixedField, missingField, parseNumber, u16at, type FieldCodec } from './rdata-field-codec.js';
import { parseType, typeToText } from './rr-type.js';
import type { TextToken } from './text-token.js';

/** DNSSEC algorithm mnemonics as BIND writes them (RFC 4034 Appendix A.1, RFC 5155 §2, RFC 5933). */
const BIND_ALGORITHMS: Record<string, number> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, NSEC3DSA: 6, NSEC3RSASHA1: 7, RSASHA256: 8,
  RSASHA512: 10, ECCGOST: 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
  INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
};
/** Accepted in text: BIND's names plus the IANA registry spellings. */
const ALGORITHMS: Record<string, number> = {
  ...BIND_ALGORITHMS, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7, 'ECC-GOST': 12,
};
/** Printed: only names BIND 9.18 reads back (it refuses the IANA spellings above). */
const ALGORITHM_NAMES = new Map(Object.entries(BIND_ALGORITHMS).map(([k, v]) => [v, k]));
const CERT_TYPES: Record<string, number> = {
  PKIX: 1, SPKI: 2, PGP: 3, IPKIX: 4, ISPKI: 5, IPGP: 6, ACPKIX: 7, IACPKIX: 8, URI: 253, OID: 254,
};
const CERT_TYPE_NAMES = new Map(Object.entries(CERT_TYPES).map(([k, v]) => [v, k]));
/** RFC 9859 (DSYNC) scheme registry: scheme 1 is NOTIFY, the only mnemonic BIND knows. */
const DSYNC_SCHEMES: Record<string, number> = { NOTIFY: 1 };
const DSYNC_SCHEME_NAMES = new Map(Object.entries(DSYNC_SCHEMES).map(([k, v]) => [v, k]));
/** WKS protocol mnemonics (the two BIND resolves on every system). */
const PROTOCOLS: Record<string, number> = { TCP: 6, UDP: 17 };

function parseMnemonic(t: TextToken | undefined, table: Record<string, number>, max: number, what: string, i: number): number {
  if (t !== undefined) {
    const v = table[t.text.toUpperCase()];
    if (v !== undefined) return v;
  }
  return parseNumber(t, max, what, i);
}

/** An octet read with mnemonics from `table` and printed with `names` (or as a number when names is undefined). */
function mnemonicOctet(table: Record<string, number>, what: string, names: Map<number, string> | undefined): FieldCodec {
  return fixedField(1,
    (tokens, i, _origin, out) => {
      out.u8(parseMnemonic(tokens[i], table, 0xff, what, i));
      return i + 1;
    },
    names === undefined
      ? (r, p, parts) => {
        parts.push(String(r[p]));
        return p + 1;
      }
      : (r, p, parts) => {
        parts.push(names.get(r[p]!) ?? String(r[p]));
        return p + 1;
      },
  );
}

/** DNSSEC algorithm octet; mnemonics accepted in text, printed as a number. */
export const algField: FieldCodec = mnemonicOctet(ALGORITHMS, 'algorithm', undefined);
/** CERT algorithm: like ALG but printed as a mnemonic, as BIND does. */
export const certAlgField: FieldCodec = mnemonicOctet(ALGORITHMS, 'algorithm', ALGORITHM_NAMES);
/** DSYNC scheme octet; mnemonics accepted and printed. */
export const dsyncSchemeField: FieldCodec = mnemonicOctet(DSYNC_SCHEMES, 'DSYNC scheme', DSYNC_SCHEME_NAMES);
/** IP protocol number octet; `tcp`/`udp` accepted in text (WKS, RFC 1035 §3.4.2). */
export const protoField: FieldCodec = mnemonicOctet(PROTOCOLS, 'protocol', undefined);

/** CERT type (RFC 4398 §2.1); mnemonics accepted and printed. */
export const certTypeField: FieldCodec = fixedField(2,
  (tokens, i, _origin, out) => {
    out.u16(parseMnemonic(tokens[i], CERT_TYPES, 0xffff, 'certificate type', i));
    return i + 1;
  },
  (r, p, parts) => {
    parts.push(CERT_TYPE_NAMES.get(u16at(r, p)) ?? String(u16at(r, p)));
    return p + 2;
  },
);

/** A 16-bit RR type as a mnemonic. */
export const typeField: FieldCodec = fixedField(2,
  (tokens, i, _origin, out) => {
    const t = tokens[i];
    if (t === undefined) throw missingField('type', i);
    out.u16(parseType(t.text, i));
    return i + 1;
  },
  (r, p, parts) => {
    parts.push(typeToText(u16at(r, p)));
    return p + 2;
  },
);
