/** The kind table: the FieldCodec of each field kind F, indexed by the kind's number. */

import { aaaaField, aField, aplField, atmaField, eui48Field, eui64Field, ilnp64Field, nsapField } from './rdata-field-addresses.js';
import { portsField, typeBitmapField } from './rdata-field-bitmaps.js';
import type { FieldCodec } from './rdata-field-codec.js';
import {
  b64Field, b64OrDashField, b64OrEmptyField, b64With16BitLengthField, base32hex8Field, hex8Field, hexField, hexOrEmptyField,
} from './rdata-field-encoded.js';
import { F, type FieldKind } from './rdata-field-kind.js';
import { algField, certAlgField, certTypeField, dsyncSchemeField, protoField, typeField } from './rdata-field-mnemonics.js';
import { nameCompressedField, nameDecompressedField, nameLowercasedField, nameVerbatimField } from './rdata-field-names.js';
import { ttlField, timeField, u16Field, u32Field, u48Field, u8Field } from './rdata-field-numbers.js';
import { caaTagField, restAnyField, restQuotedField, strField, strOptField, strsField } from './rdata-field-strings.js';

const BY_KIND: Record<FieldKind, FieldCodec> = {
  [F.U8]: u8Field,
  [F.U16]: u16Field,
  [F.U32]: u32Field,
  [F.TTL]: ttlField,
  [F.A]: aField,
  [F.AAAA]: aaaaField,
  [F.NAME_COMPRESSED]: nameCompressedField,
  [F.NAME_DECOMPRESSED]: nameDecompressedField,
  [F.NAME_LOWERCASED]: nameLowercasedField,
  [F.NAME_VERBATIM]: nameVerbatimField,
  [F.STR]: strField,
  [F.STRS]: strsField,
  [F.STR_OPT]: strOptField,
  [F.B64]: b64Field,
  [F.B64_0]: b64OrEmptyField,
  [F.HEX]: hexField,
  [F.HEX_0]: hexOrEmptyField,
  [F.HEX8]: hex8Field,
  [F.B32X8]: base32hex8Field,
  [F.BITMAP]: typeBitmapField,
  [F.TIME]: timeField,
  [F.TYPE]: typeField,
  [F.ALG]: algField,
  [F.CERT_TYPE]: certTypeField,
  [F.CERT_ALG]: certAlgField,
  [F.CAA_TAG]: caaTagField,
  [F.REST]: restAnyField,
  [F.REST_Q]: restQuotedField,
  [F.ILNP64]: ilnp64Field,
  [F.EUI48]: eui48Field,
  [F.EUI64]: eui64Field,
  [F.U48]: u48Field,
  [F.B64_16]: b64With16BitLengthField,
  [F.DSYNC_SCHEME]: dsyncSchemeField,
  [F.NSAP]: nsapField,
  [F.B64_DASH]: b64OrDashField,
  [F.ATMA]: atmaField,
  [F.APL]: aplField,
  [F.PROTO]: protoField,
  [F.PORTS]: portsField,
};

/**
 * The codec of each kind as a dense array, for the engine's per-field lookup
 * (the Record above makes the compiler check that every kind has one; slot 0
 * is no kind and only fills the hole).
 */
export const FIELD_CODECS: readonly FieldCodec[] = Array.from(
  { length: Math.max(...Object.values(F)) + 1 },
  (_, k) => BY_KIND[k as FieldKind] ?? BY_KIND[F.U8],
);

/** The codec of one kind. */
export function fieldCodecOf(k: FieldKind): FieldCodec {
  return FIELD_CODECS[k]!;
}
