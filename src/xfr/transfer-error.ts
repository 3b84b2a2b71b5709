import { TyneError } from '../wire/index.js';

/** Stable codes of TransferError. */
export const TransferErrorCode = {
  /** Could not connect, or the peer closed the connection early. */
  CONNECTION: 'XFR_CONNECTION',
  /** No complete answer within the time allowed. */
  TIMEOUT: 'XFR_TIMEOUT',
  /** The peer answered with an error RCODE (REFUSED, NOTAUTH, ...). */
  REFUSED: 'XFR_REFUSED',
  /** A message did not decode, or the stream broke the AXFR/IXFR rules (RFC 5936 §2.2, RFC 1995 §4). */
  MALFORMED: 'XFR_MALFORMED',
  /** The data is complete but not a valid zone (out-of-zone records, zone checks). */
  INVALID_ZONE: 'XFR_INVALID_ZONE',
  /** An IXFR deletes a record that is not there, or starts from a serial we do not have. */
  IXFR_MISMATCH: 'XFR_IXFR_MISMATCH',
  /** TSIG missing, wrong, or failed to verify (RFC 8945 §5.3). */
  TSIG: 'XFR_TSIG',
  /** The zone (or an IXFR's differences) would hold more records than max-records. */
  TOO_MANY_RECORDS: 'XFR_TOO_MANY_RECORDS',
  /** The zone (or an IXFR's differences) would take more memory than server.zone-memory-budget (estimated from its records). */
  MEMORY_BUDGET: 'XFR_MEMORY_BUDGET',
} as const;

export type TransferErrorCode = (typeof TransferErrorCode)[keyof typeof TransferErrorCode];

/** A transfer that did not produce a zone; `peer` says from where. */
export class TransferError extends TyneError<TransferErrorCode> {
  readonly peer: string;

  constructor(code: TransferErrorCode, peer: string, message: string, options?: { cause?: unknown }) {
    super(code, `${peer}: ${message}`, options);
    this.peer = peer;
  }
}
