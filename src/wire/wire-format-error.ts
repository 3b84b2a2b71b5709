import { TyneError } from './tyne-error.js';

/** Stable codes for every way the wire decoder or encoder can refuse bytes. */
export const WireErrorCode = {
  /** A read ran past the end of the buffer or of the rdata. */
  SHORT_READ: 'WIRE_SHORT_READ',
  /** A compression pointer points at or after itself (RFC 1035 §4.1.4: prior occurrence only). */
  FORWARD_POINTER: 'WIRE_FORWARD_POINTER',
  /** Too many pointers followed for one name. */
  POINTER_LOOP: 'WIRE_POINTER_LOOP',
  /** A compression pointer where none is allowed (inside uncompressible rdata). */
  POINTER_NOT_ALLOWED: 'WIRE_POINTER_NOT_ALLOWED',
  /** Label type 0x40 (extended, RFC 6891 §5) or 0x80 (reserved). */
  BAD_LABEL_TYPE: 'WIRE_BAD_LABEL_TYPE',
  /** A name longer than 255 octets (RFC 1035 §2.3.4). */
  NAME_TOO_LONG: 'WIRE_NAME_TOO_LONG',
  /** A label longer than 63 octets. */
  LABEL_TOO_LONG: 'WIRE_LABEL_TOO_LONG',
  /** RDLENGTH disagrees with what the type's rdata format consumes. */
  RDATA_LENGTH: 'WIRE_RDATA_LENGTH',
  /** Rdata content is invalid for its type (bad SvcParam order, bad bitmap...). */
  BAD_RDATA: 'WIRE_BAD_RDATA',
  /** Section counts promise more records than the message holds. */
  COUNT_MISMATCH: 'WIRE_COUNT_MISMATCH',
  /** Bytes left over after the last counted record. */
  TRAILING_BYTES: 'WIRE_TRAILING_BYTES',
  /** More than one OPT record (RFC 6891 §6.1.1). */
  MULTIPLE_OPT: 'WIRE_MULTIPLE_OPT',
  /** OPT outside the additional section, or not owned by the root (RFC 6891 §6.1.1). */
  OPT_MISPLACED: 'WIRE_OPT_MISPLACED',
  /** TSIG not the last record of the additional section, or more than one (RFC 8945 §5.1). */
  TSIG_MISPLACED: 'WIRE_TSIG_MISPLACED',
  /** The message is shorter than the 12-octet header. */
  SHORT_HEADER: 'WIRE_SHORT_HEADER',
  /** The caller's buffer cannot hold even the header and question. */
  NO_SPACE: 'WIRE_NO_SPACE',
  /** A value does not fit its field when encoding. */
  VALUE_RANGE: 'WIRE_VALUE_RANGE',
} as const;

export type WireErrorCodeValue = (typeof WireErrorCode)[keyof typeof WireErrorCode];

/** Raised when bytes are not a valid DNS wire-format message, name or rdata. */
export class WireFormatError extends TyneError<WireErrorCodeValue> {
  /** Octet offset in the input where the problem was found, if known. */
  readonly offset: number;
  /** The problem in words, without the offset. */
  readonly reason: string;

  constructor(code: WireErrorCodeValue, reason: string, offset = -1, options?: { cause?: unknown }) {
    super(code, offset >= 0 ? `${reason} (at octet ${offset})` : reason, options);
    this.offset = offset;
    this.reason = reason;
  }
}
