/**
 * Bit flags of a zone node, computed once when the zone is built (after
 * Knot DNS's node.h). Test with `(node.flags & NodeFlags.X) !== 0`.
 */
export const NodeFlags = {
  /** The node is the zone apex (origin). */
  APEX: 1 << 0,
  /** RFC 1034 §4.2.1: NS records below the apex mark a zone cut; the node's data (except DS, RFC 4035 §2.4) belongs to the child. */
  DELEGATION: 1 << 1,
  /** Some proper ancestor is a delegation or owns a DNAME: the node is not authoritative (occluded or glue). */
  BELOW_CUT: 1 << 2,
  /** Some proper ancestor (other than the apex) is a delegation: address records here are glue (RFC 1034 §4.2.1). */
  BELOW_DELEGATION: 1 << 3,
  /** RFC 6672 §2.3: some proper ancestor (the apex included) owns a DNAME, so the node is occluded. */
  BELOW_DNAME: 1 << 4,
  /** RFC 4592 §2.1.1: the owner's leftmost label is `*`. */
  WILDCARD: 1 << 5,
  /** A child of this node is a wildcard (`*.<this name>`). */
  WILDCARD_CHILD: 1 << 6,
  /** RFC 4592 §2.2.2: no records here, but names below exist. */
  EMPTY_NON_TERMINAL: 1 << 7,
  /** The node owns a DNAME RRset. */
  HAS_DNAME: 1 << 8,
  /** The node owns a CNAME RRset. */
  HAS_CNAME: 1 << 9,
  /** The node owns a DS RRset. */
  HAS_DS: 1 << 10,
  /**
   * RFC 5155 §7.1: an NSEC3 owner (NSEC3 records and the RRSIGs over them).
   * These live apart from the ordinary names, as in BIND: they are not
   * found by Zone.lookup and create no empty non-terminals.
   */
  NSEC3: 1 << 11,
} as const;

/** Bits the builder uses while building; never set on a finished zone's nodes. */
export const BuildFlags = {
  /** A "CNAME and other data" error has been reported for the node. */
  CNAME_CONFLICT_REPORTED: 1 << 24,
  /** The node's flags (and its ancestors') have been computed. */
  DONE: 1 << 25,
} as const;

/**
 * The flags a node takes from its parent's (RFC 1034 §4.2.1: below a zone
 * cut; RFC 6672 §2.3: a DNAME, the apex's included, occludes every name
 * below it).
 */
export function inheritedFlags(parentFlags: number): number {
  let f = 0;
  if ((parentFlags & (NodeFlags.DELEGATION | NodeFlags.BELOW_DELEGATION)) !== 0) f |= NodeFlags.BELOW_DELEGATION | NodeFlags.BELOW_CUT;
  if ((parentFlags & (NodeFlags.HAS_DNAME | NodeFlags.BELOW_DNAME)) !== 0) f |= NodeFlags.BELOW_DNAME | NodeFlags.BELOW_CUT;
  return f;
}

/** Mask of the public flag bits. */
export const PUBLIC_FLAGS = (1 << 24) - 1;

/** Names of the flags set in `flags`, for messages and tests. */
export function nodeFlagsToText(flags: number): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(NodeFlags)) if ((flags & v) !== 0) out.push(k);
  return out.join('|');
}
