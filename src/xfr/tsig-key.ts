import type { Name } from '../wire/index.js';

/** RFC 8945 §6 algorithms, by their presentation names (RFC 4635 for the SHA-2 ones). */
export const TSIG_ALGORITHMS = ['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const;
export type TsigAlgorithm = (typeof TSIG_ALGORITHMS)[number];

/** A shared TSIG key (RFC 8945 §4). */
export interface TsigKey {
  /** The key name as it appears as the TSIG record's owner. */
  name: Name;
  algorithm: TsigAlgorithm;
  secret: Uint8Array;
}
