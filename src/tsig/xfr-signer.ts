/**
 * TSIG as the transfer client uses it (RFC 8945 §5.3): sign the query,
 * then verify each response message of the answer to it. Kept as an
 * interface so the transfer logic does not depend on how TSIG is done.
 */
import type { TsigKey } from './tsig-key.js';

export interface XfrSigner {
  /** Signs a query (appends TSIG) and starts a new response stream for it. */
  signQuery(query: Uint8Array): Uint8Array;
  /** Checks one response message of the stream; throws (any Error) when it fails. */
  verifyResponse(message: Uint8Array): void;
  /** After the last message: throws when the stream did not end verified (e.g. the last message unsigned). */
  finish(): void;
}

export type XfrSignerFactory = (key: TsigKey) => XfrSigner;
