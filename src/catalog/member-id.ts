/**
 * A catalog member's ID label (RFC 9432 §4.3: "a unique ID ... a single
 * label"), derived from the member's name and a generation number, so the
 * same name at the same generation gives the same ID on every machine and
 * after every restart: a lost state file gives generation 0's IDs back.
 */
import { createHash } from 'node:crypto';
import type { Name } from '../wire/index.js';

/** Hex digits of an ID Tyne makes: 64 bits of the hash. */
export const MEMBER_ID_HEX_DIGITS = 16;

/**
 * The ID of `member` at `generation` (an integer 0..2^32-1): the first 16
 * lowercase hex digits of SHA-256 over the generation as 4 octets big-endian
 * followed by the member's canonical wire form (lower-cased, RFC 4034
 * §6.2). A new generation gives a new ID, which tells consumers to reset
 * the member (RFC 9432 §5.4). Throws RangeError for a generation out of
 * range (a bug in the caller).
 */
export function memberId(member: Name, generation: number): string {
  if (!Number.isInteger(generation) || generation < 0 || generation > 0xffffffff) {
    throw new RangeError(`member ID generation must be an integer 0..4294967295, not ${generation}`);
  }
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, generation, false);
  // RFC 4034 §6.2: the canonical form of a name is its wire form with letters lower-cased.
  const canonical = member.toLowerCase().wire;
  return createHash('sha256').update(prefix).update(canonical).digest('hex').slice(0, MEMBER_ID_HEX_DIGITS);
}
