/** TSIG keys (RFC 8945 §4) and their algorithms. */
import type { Name } from '../wire/index.js';

/** RFC 8945 §6 algorithms, by their presentation names (RFC 4635 for the SHA-2 ones). */
export const TSIG_ALGORITHMS = ['hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const;
export type TsigAlgorithm = (typeof TSIG_ALGORITHMS)[number];

const MAC_SIZES: Record<TsigAlgorithm, number> = { 'hmac-sha1': 20, 'hmac-sha224': 28, 'hmac-sha256': 32, 'hmac-sha384': 48, 'hmac-sha512': 64 };

/** The full HMAC output of `alg`, in octets. */
export function tsigMacSize(alg: TsigAlgorithm): number {
  return MAC_SIZES[alg];
}

/** A shared TSIG key (RFC 8945 §4). */
export interface TsigKey {
  /** The key name as it appears as the TSIG record's owner. */
  name: Name;
  algorithm: TsigAlgorithm;
  secret: Uint8Array;
  /**
   * The MAC length in octets when the key allows truncated MACs (BIND's
   * `hmac-sha256-128`): our MACs are cut to it, and shorter ones are
   * answered BADTRUNC. Absent: full-length MACs only.
   */
  macLength?: number;
}
