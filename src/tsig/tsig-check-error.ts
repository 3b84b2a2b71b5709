/** TsigCheckError: a transfer response stream whose TSIG does not check out (RFC 8945 §5.3), and its codes. */
import { TyneError } from '../wire/index.js';

/** Stable codes of TsigCheckError. */
export const TsigCheckErrorCode = {
  /** A response was given to check before any query was signed (a bug in the caller). */
  NO_QUERY: 'TSIG_NO_QUERY',
  /** A message's TSIG record does not decode. */
  MALFORMED: 'TSIG_MALFORMED',
  /** A message fails verification: the first one unsigned, more than 99 unsigned in a row, or a bad MAC, key or time (RFC 8945 §5.3.1). */
  UNVERIFIED: 'TSIG_UNVERIFIED',
  /** The primary's TSIG record carries an error (BADSIG, BADKEY, BADTIME, ...): it did not accept our signature. */
  PEER_ERROR: 'TSIG_PEER_ERROR',
  /** The stream ended on an unsigned message (RFC 8945 §5.3.1: the last one must be signed). */
  UNSIGNED_END: 'TSIG_UNSIGNED_END',
} as const;

export type TsigCheckErrorCode = (typeof TsigCheckErrorCode)[keyof typeof TsigCheckErrorCode];

/** A response (or the end of a response stream) that the transfer client's TSIG check refuses; the message says which message and why. */
export class TsigCheckError extends TyneError<TsigCheckErrorCode> {}
