import { RRType, type Name } from '../wire/index.js';
import { NodeFlags } from './node-flags.js';
import type { ZoneNodeImpl } from './zone-node.js';
import type { NodeTable } from './node-table.js';

/** What looking up a name server or mail exchanger's addresses in the zone found. */
export const AddressResult = {
  /** A or AAAA records (possibly glue, possibly by wildcard). */
  FOUND: 0,
  /** The name does not exist, is empty, or has no A/AAAA (BIND: NXDOMAIN, EMPTYNAME, NXRRSET). */
  NO_ADDRESS: 1,
  /** The name owns a CNAME. */
  CNAME: 2,
  /** The name is below a DNAME (the result's `cut`). */
  DNAME: 3,
  /** The name is at or below a zone cut (`cut`) without glue: its data belongs to the child. */
  DELEGATION: 4,
} as const;

export interface AddressLookup {
  result: (typeof AddressResult)[keyof typeof AddressResult];
  /** The DNAME owner or delegation point, for DNAME and DELEGATION. */
  cut?: Name;
}

function hasAddress(node: ZoneNodeImpl): boolean {
  return node.has(RRType.A) || node.has(RRType.AAAA);
}

/**
 * Looks `target` (a name inside the zone) up for A/AAAA the way BIND's
 * integrity checks do (a dns_db_find for A, then AAAA): RFC 1034 §4.3.2
 * with zone cuts and DNAMEs (RFC 6672 §2.3) above the name stopping the
 * search, CNAME at the name, and RFC 4592 wildcards. With `glueOk`, the
 * search goes on below an NS cut to find glue (BIND's DNS_DBFIND_GLUEOK);
 * a DNAME always stops it. Needs the finished node map (with empty
 * non-terminals).
 */
export function lookupAddresses(nodes: NodeTable, origin: Name, target: Name, glueOk: boolean): AddressLookup {
  const key = target.key;
  const depth = target.labelCount - origin.labelCount;
  let cut: ZoneNodeImpl | undefined;
  // Proper ancestors, the apex first. RFC 1034 §4.3.2 step 3b: the topmost cut wins;
  // BIND ranks NS above DNAME at one name, and the apex NS is not a cut.
  for (let skip = depth; skip >= 1; skip--) {
    const anc = nodes.get(key.slice(target.offsets[skip] ?? key.length - 1));
    if (anc === undefined) continue;
    const isNsCut = (anc.flags & NodeFlags.DELEGATION) !== 0;
    if (!isNsCut && (anc.flags & NodeFlags.HAS_DNAME) === 0) continue;
    if (!isNsCut) return { result: AddressResult.DNAME, cut: anc.name };
    if (!glueOk) return { result: AddressResult.DELEGATION, cut: anc.name };
    cut = anc;
    break;
  }
  let node = nodes.get(key);
  if (cut !== undefined) {
    // Below a cut only glue counts: no CNAME, no wildcard.
    return node !== undefined && hasAddress(node) ? { result: AddressResult.FOUND } : { result: AddressResult.DELEGATION, cut: cut.name };
  }
  if (node === undefined) {
    // RFC 4592 §3.3.1: the source of synthesis is `*.` + the closest encloser.
    for (let skip = 1; skip <= depth; skip++) {
      const ce = key.slice(target.offsets[skip] ?? key.length - 1);
      if (nodes.has(ce)) {
        node = nodes.get('\x01*' + ce);
        break;
      }
    }
    if (node === undefined) return { result: AddressResult.NO_ADDRESS };
  }
  if ((node.flags & NodeFlags.DELEGATION) !== 0) {
    // The name is itself a delegation point: only glue at the cut answers.
    if (glueOk && hasAddress(node)) return { result: AddressResult.FOUND };
    return { result: AddressResult.DELEGATION, cut: node.name };
  }
  if (hasAddress(node)) return { result: AddressResult.FOUND };
  if (node.has(RRType.CNAME)) return { result: AddressResult.CNAME };
  return { result: AddressResult.NO_ADDRESS };
}
