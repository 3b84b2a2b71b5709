/** FieldCodec: what one rdata field kind does (text in and out, wire check and layout), and the helpers the kinds share. */

import type { ByteBuilder } from './byte-builder.js';
import { Name } from './name.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import type { TextToken } from './text-token.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';

/** How a name field's name travels (RFC 3597 §4) and is put in canonical form (RFC 4034 §6.2, RFC 6840 §5.1). */
export interface NameRule {
  /** Compressed on output (only the RFC 1035 types). */
  readonly compressOut: boolean;
  /** Compression pointers accepted on input. */
  readonly decompressIn: boolean;
  /** Lowercased in canonical form. */
  readonly lowercase: boolean;
}

/** `size` of a field that is a length octet and that many octets. */
export const STRING_SIZE = -1;
/** `size` of a field that is a 16-bit length and that many octets. */
export const STRING16_SIZE = -2;
/** `size` of a field that runs to the end of the rdata, or whose length only its own content tells. */
export const REST_SIZE = 0;

/**
 * One field kind in one place. Rdata is uncompressed wire octets; the engine
 * in rdata-field.ts walks a type's field list and calls these in turn.
 */
export interface FieldCodec {
  /**
   * Wire layout, used to copy or skip the field without looking inside it
   * (reading with decompression, writing with compression, canonical form):
   * the octet count of a fixed-size field, or STRING_SIZE, STRING16_SIZE or REST_SIZE.
   */
  readonly size: number;
  /** For a name field, how its name is treated on the wire; undefined for the other kinds. */
  readonly name: NameRule | undefined;
  /** Parse text: reads the field from `tokens[i]` on, appends its octets to `out`, returns the next token's index. */
  fromText(tokens: TextToken[], i: number, origin: Name | undefined, out: ByteBuilder): number;
  /** Print text: appends the field at `r[p]` (valid rdata) to `parts`, returns the offset after it. */
  toText(r: Uint8Array, p: number, parts: string[]): number;
  /** Check wire: the field at `b[p]` within `end` (names uncompressed); throws WireFormatError, returns the offset after it. */
  validate(b: Uint8Array, p: number, end: number): number;
}

/** Makes a FieldCodec; every one has the same shape, so the engine's reads of `size` and `name` stay monomorphic. */
export function defineField(c: FieldCodec): FieldCodec {
  return { size: c.size, name: c.name, fromText: c.fromText, toText: c.toText, validate: c.validate };
}

/** A fixed-size field of `size` octets: its wire check is that it fits, and it holds no name. */
export function fixedField(size: number, fromText: FieldCodec['fromText'], toText: FieldCodec['toText']): FieldCodec {
  return defineField({ size, name: undefined, fromText, toText, validate: fixedSizeCheck(size) });
}

export function rdataError(what: string, at: number): WireFormatError {
  return new WireFormatError(WireErrorCode.RDATA_LENGTH, what, at);
}

/** Checks that the length octet at `b[p]` and its octets fit; returns the offset after them. */
export function lengthOctetCheck(b: Uint8Array, p: number, end: number): number {
  if (p >= end || p + 1 + b[p]! > end) throw rdataError('string runs past the end of the rdata', p);
  return p + 1 + b[p]!;
}

/** The wire check of a fixed-size field: it must fit. */
export function fixedSizeCheck(size: number): FieldCodec['validate'] {
  return (_b, p, end) => {
    if (p + size > end) throw rdataError('rdata too short for its type', p);
    return p + size;
  };
}

export function missingField(what: string, i: number): TextFormatError {
  return new TextFormatError(TextErrorCode.MISSING_FIELD, `missing ${what}`, i);
}

/** Parses a decimal number in 0..max. */
export function parseNumber(t: TextToken | undefined, max: number, what: string, index: number): number {
  if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, `missing ${what}`, index);
  const s = t.text;
  if (!/^[0-9]{1,15}$/.test(s) || Number(s) > max) {
    throw new TextFormatError(TextErrorCode.BAD_NUMBER, `bad ${what} '${s}' (want 0..${max})`, index);
  }
  return Number(s);
}

/** Parses a domain name token; `@` is the origin (RFC 1035 §5.1). */
export function parseNameToken(t: TextToken | undefined, origin: Name | undefined, index: number, what = 'name'): Name {
  if (t === undefined) throw new TextFormatError(TextErrorCode.MISSING_FIELD, `missing ${what}`, index);
  if (t.text === '@' && !t.quoted) {
    if (origin === undefined) throw new TextFormatError(TextErrorCode.RELATIVE_NAME, "'@' used with no origin", index);
    return origin;
  }
  try {
    return Name.fromText(t.text, origin);
  } catch (e) {
    if (e instanceof TextFormatError) throw new TextFormatError(e.code as never, e.message, index, { cause: e });
    throw e;
  }
}

/** Joins the remaining tokens (hex and base64 may be split by spaces). */
export function joinRest(tokens: TextToken[], i: number): string {
  let s = '';
  for (let k = i; k < tokens.length; k++) s += tokens[k]!.text;
  return s;
}

export function u16at(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

export function u32at(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
}
