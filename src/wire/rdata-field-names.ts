/** Name field kinds: one codec per RFC 3597 §4 / RFC 4034 §6.2 treatment of an embedded domain name. */

import { wireNameLength, wireNameToText } from './name.js';
import { defineField, parseNameToken, REST_SIZE, type FieldCodec, type NameRule } from './rdata-field-codec.js';

function nameField(rule: NameRule): FieldCodec {
  return defineField({
    size: REST_SIZE,
    name: rule,
    fromText(tokens, i, origin, out) {
      out.bytes(parseNameToken(tokens[i], origin, i).wire);
      return i + 1;
    },
    toText(r, p, parts) {
      parts.push(wireNameToText(r, p));
      return p + wireNameLength(r, p);
    },
    validate(b, p, end) {
      const sub = b.subarray(0, end);
      return p + wireNameLength(sub, p);
    },
  });
}

/** Compressed on output, decompressed on input, lowercased in canonical form (RFC 1035 types). */
export const nameCompressedField: FieldCodec = nameField({ compressOut: true, decompressIn: true, lowercase: true });
/** Never compressed on output but decompressed on input (RFC 3597 §4), lowercased in canonical form. */
export const nameDecompressedField: FieldCodec = nameField({ compressOut: false, decompressIn: true, lowercase: true });
/** Never compressed either way, lowercased in canonical form (RRSIG signer). */
export const nameLowercasedField: FieldCodec = nameField({ compressOut: false, decompressIn: false, lowercase: true });
/** Never compressed and kept as is in canonical form (RFC 6840 §5.1 NSEC, newer types). */
export const nameVerbatimField: FieldCodec = nameField({ compressOut: false, decompressIn: false, lowercase: false });
