/** The keys prepared answers are kept under at a node: a question's type, or one key for all the types that get the same answer. */
import { RRType } from '../wire/index.js';
import { NodeFlags, type ZoneNode } from '../zone/index.js';

/** Key for answers that are the same for every type a node does not hold (NODATA at a node without CNAME). */
export const ABSENT_TYPE = -1;
/** ABSENT_TYPE for a query with the DO bit. */
export const ABSENT_TYPE_DO = -2;
/** Key for the referral at a delegation point: the same for every type (DS and the parent's NSEC aside). */
export const REFERRAL_KEY = -3;
export const REFERRAL_KEY_DO = -4;
/** Key for a CNAME owner's answer to a type held by no node of the chain: the same chain for all such types. */
export const CHASE_KEY = -5;
export const CHASE_KEY_DO = -6;
/** Added to the type of a query with the DO bit. */
export const DO_KEY = 0x10000;

/**
 * The cache key of a question of type `qtype` at `node` (without DO), so that
 * all types that get the same answer share one entry: otherwise a stream
 * of TYPEn questions fills the cache with copies of one answer.
 */
export function preparedKey(node: ZoneNode, qtype: number): number {
  const rrsets = node.rrsets;
  // RFC 1034 §4.3.2 step 3b: at a cut, every type but DS (not on this path) and the parent's NSEC gets the referral.
  if ((node.flags & NodeFlags.DELEGATION) !== 0) return qtype === RRType.NSEC && rrsets.has(RRType.NSEC) ? qtype : REFERRAL_KEY;
  if (rrsets.has(qtype)) return qtype;
  if ((node.flags & NodeFlags.HAS_CNAME) === 0) return ABSENT_TYPE; // NODATA, the same for every type not held
  // RFC 4035 §2.5: RRSIG and NSEC beside a CNAME are not chased; an SOA question's NXDOMAIN has TTL 0 (see query/answer.ts).
  if (qtype === RRType.RRSIG || qtype === RRType.NSEC || qtype === RRType.SOA) return qtype;
  return CHASE_KEY;
}
