import { fromHex } from './base-encoding.js';
import { genericRdataText } from './rdata-generic.js';
import type { Name } from './name.js';
import { codecFor } from './rdata-codec-table.js';
import type { WireReader } from './reader.js';
import { isMetaType } from './rr-type.js';
import { TextErrorCode, TextFormatError } from './text-format-error.js';
import type { TextToken } from './text-token.js';
import { WireErrorCode, WireFormatError } from './wire-format-error.js';
import type { WireWriter } from './writer.js';

/** True when `tokens` use the RFC 3597 §5 generic form `\# <length> <hex>...`. */
export function isGenericForm(tokens: readonly TextToken[]): boolean {
  return tokens.length > 0 && tokens[0]!.text === '\\#' && !tokens[0]!.quoted;
}

/**
 * Presentation tokens → uncompressed wire rdata for `type`. The generic
 * form works for every type; for a known type its octets must also be
 * valid rdata of that type, as BIND requires.
 */
export function rdataFromText(type: number, tokens: TextToken[], origin?: Name): Uint8Array {
  if (isGenericForm(tokens)) {
    const lenTok = tokens[1];
    if (lenTok === undefined || !/^[0-9]{1,5}$/.test(lenTok.text) || Number(lenTok.text) > 0xffff) {
      throw new TextFormatError(TextErrorCode.BAD_GENERIC, `bad length in \\# rdata: '${lenTok?.text ?? ''}'`, 1);
    }
    const len = Number(lenTok.text);
    let hex = '';
    for (let i = 2; i < tokens.length; i++) hex += tokens[i]!.text;
    const rdata = fromHex(hex, 2);
    if (rdata.length !== len) {
      throw new TextFormatError(TextErrorCode.BAD_GENERIC, `\\# says ${len} octets but has ${rdata.length}`, tokens.length - 1);
    }
    const codec = codecFor(type);
    if (codec !== undefined) {
      try {
        codec.validate(rdata);
      } catch (e) {
        throw new TextFormatError(TextErrorCode.BAD_GENERIC, `\\# rdata is not valid for this type: ${(e as Error).message}`, 2, { cause: e });
      }
    }
    return rdata;
  }
  if (isMetaType(type)) throw new TextFormatError(TextErrorCode.BAD_TYPE, `meta-type ${type} cannot hold data`, -1);
  const codec = codecFor(type);
  if (codec === undefined) {
    throw new TextFormatError(TextErrorCode.NO_TEXT_FORM, `type ${type} has no text form here; use \\# (RFC 3597)`, 0);
  }
  return codec.fromText(tokens, origin);
}

export { genericRdataText };

/** Wire rdata → presentation text; types without a codec use the generic form. */
export function rdataToText(type: number, rdata: Uint8Array): string {
  const codec = codecFor(type);
  return codec === undefined ? genericRdataText(rdata) : codec.toText(rdata);
}

/**
 * Reads `rdlength` octets of rdata from a message. Known types are
 * validated and have compressed names expanded (RFC 3597 §4); others are
 * opaque. The result is uncompressed and may be a view into the message.
 */
export function readRdata(r: WireReader, type: number, rdlength: number): Uint8Array {
  const codec = codecFor(type);
  if (codec === undefined) return r.bytes(rdlength);
  const start = r.pos;
  const rdata = codec.fromWire(r, rdlength);
  if (r.pos !== start + rdlength) {
    throw new WireFormatError(WireErrorCode.RDATA_LENGTH, 'rdata length disagrees with its content', start);
  }
  return rdata;
}

/** Checks uncompressed rdata of `type` (no-op for opaque types). */
export function validateRdata(type: number, rdata: Uint8Array): void {
  codecFor(type)?.validate(rdata);
}

/**
 * Writes rdata into a message, compressing only RFC 3597 §4 well-known types.
 * Empty rdata (RFC 2136 §2.4/§2.5 class ANY and NONE records) is written as is.
 */
export function writeRdata(w: WireWriter, type: number, rdata: Uint8Array, compress: boolean): void {
  const codec = codecFor(type);
  if (codec === undefined || !codec.compressible || rdata.length === 0) w.bytes(rdata);
  else codec.toWire(w, rdata, compress);
}

/** RFC 4034 §6.2 canonical rdata (RFC 6840 §5.1 list). */
export function canonicalRdata(type: number, rdata: Uint8Array): Uint8Array {
  const codec = codecFor(type);
  return codec === undefined ? rdata : codec.canonical(rdata);
}

/** True when `type` has a dedicated text codec (not only RFC 3597 form). */
export function hasTextForm(type: number): boolean {
  return codecFor(type) !== undefined;
}
