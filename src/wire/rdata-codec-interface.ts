/** The RdataCodec interface (one RR type's text and wire conversions) and the opaque-codec helper. */
import type { Name } from './name.js';
import type { WireReader } from './reader.js';
import type { TextToken } from './text-token.js';
import type { WireWriter } from './writer.js';

/**
 * Conversions for one RR type's rdata. Rdata is always held as uncompressed
 * wire octets with case preserved; these convert it to and from text, read
 * it out of a message (expanding pointers where allowed) and write it into
 * one (compressing where allowed).
 */
export interface RdataCodec {
  /** Presentation tokens (all of them belong to this rdata) → wire rdata. */
  fromText(tokens: TextToken[], origin: Name | undefined): Uint8Array;
  /** Wire rdata (already valid) → presentation text. */
  toText(rdata: Uint8Array): string;
  /** Reads `rdlength` octets at the reader; returns valid uncompressed rdata. */
  fromWire(r: WireReader, rdlength: number): Uint8Array;
  /** Checks uncompressed rdata; throws WireFormatError when invalid. */
  validate(rdata: Uint8Array): void;
  /** Writes rdata into a message; `compress` allows RFC 1035 compression. */
  toWire(w: WireWriter, rdata: Uint8Array, compress: boolean): void;
  /** RFC 4034 §6.2 canonical form (embedded names lowercased where the type says so). */
  canonical(rdata: Uint8Array): Uint8Array;
  /** True when some embedded name may be compressed on output (RFC 3597 §4 well-known types). */
  readonly compressible: boolean;
}

/**
 * A codec for rdata whose embedded names (if any) are neither compressed
 * nor lowercased: octets travel as they are once `validate` accepts them.
 */
export function opaqueCodec(parts: Pick<RdataCodec, 'fromText' | 'toText' | 'validate'>): RdataCodec {
  const validate = parts.validate;
  return {
    fromText: parts.fromText,
    toText: parts.toText,
    validate,
    compressible: false,
    fromWire(r, rdlength) {
      const rdata = r.bytes(rdlength);
      validate(rdata);
      return rdata;
    },
    toWire: (w, rdata) => w.bytes(rdata),
    canonical: (rdata) => rdata,
  };
}
