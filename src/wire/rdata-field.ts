/** The generic rdata engine: text, wire and canonical conversions for a list of field kinds, one FieldCodec per field. */

import { ByteBuilder } from './byte-builder.js';
import { copyBytes } from './copy-bytes.js';
import { lowerByte } from './case-fold.js';
import { wireNameLength, type Name } from './name.js';
import type { WireReader } from './reader.js';
import { rdataError, REST_SIZE, STRING16_SIZE, STRING_SIZE, u16at } from './rdata-field-codec.js';
import type { FieldKind } from './rdata-field-kind.js';
import { FIELD_CODECS } from './rdata-field-table.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import type { TextToken } from './text-token.js';
import type { WireWriter } from './writer.js';

/**
 * Text → uncompressed wire rdata for a field list. All tokens must be used.
 */
export function fieldsFromText(fields: readonly FieldKind[], tokens: TextToken[], origin: Name | undefined): Uint8Array {
  const out = new ByteBuilder();
  let i = 0;
  for (const k of fields) i = FIELD_CODECS[k]!.fromText(tokens, i, origin, out);
  if (i < tokens.length) {
    throw new TextFormatError(TextErrorCode.EXTRA_FIELD, `unexpected extra text '${tokens[i]!.text}'`, i);
  }
  if (out.length > 0xffff) throw new TextFormatError(TextErrorCode.BAD_VALUE, 'rdata longer than 65535 octets', 0);
  return out.finish();
}

/** Uncompressed rdata → presentation text. The rdata must be valid. */
export function fieldsToText(fields: readonly FieldKind[], r: Uint8Array): string {
  const parts: string[] = [];
  let p = 0;
  for (const k of fields) p = FIELD_CODECS[k]!.toText(r, p, parts);
  return parts.join(' ');
}

/**
 * Checks uncompressed rdata `b[start..end]` against a field list. Throws
 * WireFormatError when the length disagrees or content is invalid. Returns
 * nothing; names must already be uncompressed.
 */
export function validateFields(fields: readonly FieldKind[], b: Uint8Array, start: number, end: number): void {
  let p = start;
  for (const k of fields) {
    const c = FIELD_CODECS[k]!;
    const size = c.size;
    if (size > 0) {
      // Fixed-size fields inline (what their codecs' validate does), without a call.
      if (p + size > end) throw rdataError('rdata too short for its type', p);
      p += size;
    } else {
      p = c.validate(b, p, end);
    }
  }
  if (p !== end) throw rdataError(`${end - p} octets left over after the rdata fields`, p);
}

/** True when any name field allows compression pointers on input. */
export function hasDecompressedNames(fields: readonly FieldKind[]): boolean {
  return fields.some((k) => FIELD_CODECS[k]!.name?.decompressIn === true);
}

/**
 * Where a non-name field starting at `p` ends, from its codec's `size`
 * alone; `end + 1` when its length octets do not fit.
 */
function spanEnd(size: number, b: Uint8Array, p: number, end: number): number {
  if (size > 0) return p + size;
  if (size === STRING_SIZE) return p < end ? p + 1 + b[p]! : end + 1;
  if (size === STRING16_SIZE) return p + 2 <= end ? p + 2 + u16at(b, p) : end + 1;
  return end;
}

/**
 * Reads `rdlength` octets of rdata at the reader, expanding compressed
 * names where the field allows (RFC 3597 §4), and validates the result.
 * Returns the uncompressed rdata (a view into the message when no name was
 * expanded).
 */
export function fieldsFromWire(fields: readonly FieldKind[], decompress: boolean, r: WireReader, rdlength: number): Uint8Array {
  const start = r.pos;
  const end = start + rdlength;
  r.need(rdlength);
  if (!decompress) {
    validateFields(fields, r.buf, start, end);
    r.pos = end;
    return r.buf.subarray(start, end);
  }
  const out = new ByteBuilder();
  const savedEnd = r.end;
  r.end = end;
  try {
    for (const k of fields) {
      const c = FIELD_CODECS[k]!;
      if (c.name !== undefined) {
        out.bytes(r.readName(c.name.decompressIn));
        continue;
      }
      // Non-name fields are copied raw; validation of the whole happens below.
      const from = r.pos;
      const next = spanEnd(c.size, r.buf, from, end);
      if (next > end) throw rdataError('rdata too short for its type', from);
      out.bytes(r.buf.subarray(from, next));
      r.pos = next;
    }
    if (r.pos !== end) throw rdataError(`${end - r.pos} octets left over after the rdata fields`, r.pos);
  } finally {
    r.end = savedEnd;
  }
  const rdata = out.finish();
  validateFields(fields, rdata, 0, rdata.length);
  return rdata;
}

/** Writes valid uncompressed rdata, compressing the names of fields whose rule says so (RFC 3597 §4). */
export function fieldsToWire(fields: readonly FieldKind[], w: WireWriter, r: Uint8Array, compress: boolean): void {
  let p = 0;
  const end = r.length;
  for (const k of fields) {
    const c = FIELD_CODECS[k]!;
    if (c.name !== undefined) {
      const len = wireNameLength(r, p);
      if (c.name.compressOut) w.name(r, p, compress, true);
      else w.bytes(r, p, p + len);
      p += len;
      continue;
    }
    const next = spanEnd(c.size, r, p, end);
    w.bytes(r, p, next);
    p = next;
  }
}

/** RFC 4034 §6.2: lowercase the names of fields marked for it. */
export function fieldsCanonical(fields: readonly FieldKind[], r: Uint8Array): Uint8Array {
  // copyBytes, not r.slice(): on a Buffer that is a view, and the lowercasing would change the caller's rdata.
  const out = copyBytes(r);
  let p = 0;
  for (const k of fields) {
    const c = FIELD_CODECS[k]!;
    if (c.name !== undefined) {
      const len = wireNameLength(r, p);
      if (c.name.lowercase) {
        for (let q = p; r[q] !== 0; q += r[q]! + 1) {
          for (let j = q + 1; j <= q + r[q]!; j++) out[j] = lowerByte(r[j]!);
        }
      }
      p += len;
      continue;
    }
    if (c.size === REST_SIZE) break; // variable-length tails hold no names
    p = spanEnd(c.size, r, p, r.length);
  }
  return out;
}
