import { Name, RRType, typeToText, wireNameLength, type SourcePosition } from '../wire/index.js';
import { AddressResult, lookupAddresses, type AddressLookup } from './address-lookup.js';
import { nameForMessage } from './name-text.js';
import { NodeFlags } from './node-flags.js';
import type { RRsetImpl } from './rrset.js';
import { CASE_KEPT_NAME_TYPES, caseFoldedRdata } from './semantic-identity.js';
import { ZoneCode } from './zone-codes.js';
import type { ZoneNodeImpl } from './zone-node.js';
import type { NodeTable } from './node-table.js';

/** What the post-load checks need from the builder. */
export interface CheckContext {
  origin: Name;
  apex: ZoneNodeImpl;
  nodes: NodeTable;
  nsec3Nodes: NodeTable;
  /** Position of `rrset.rdatas[i]` (kept for NS, MX, SRV, SPF and CASE_KEPT_NAME_TYPES). */
  rdataPosition(rrset: RRsetImpl, i: number): SourcePosition | undefined;
  /** Position of the first record read at `node`. */
  nodePosition(node: ZoneNodeImpl): SourcePosition | undefined;
  report(severity: 'error' | 'warning', code: string, message: string, at: SourcePosition | undefined): void;
}

/** The name inside `rdata` at `offset` as a Name (rdata is already validated). */
function targetAt(rdata: Uint8Array, offset: number): Name {
  return Name.trusted(rdata.subarray(offset, offset + wireNameLength(rdata, offset)));
}

/** Per-type codes for the MX and SRV target checks. */
/**
 * How each kind of target check reports: its codes, where the target name
 * starts in the rdata, whether a root target means "no service" (RFC 7505
 * §3 null MX, RFC 2782 "." SRV target), and the severity BIND gives it.
 */
interface TargetCheck {
  none: string;
  cname: string;
  dname: string;
  offset: number;
  rootIsNoService: boolean;
  severity: 'error' | 'warning';
}

const TARGET_CODES: Record<number, TargetCheck> = {
  [RRType.MX]: { none: ZoneCode.MX_NO_ADDRESS, cname: ZoneCode.MX_IS_CNAME, dname: ZoneCode.MX_BELOW_DNAME, offset: 2, rootIsNoService: true, severity: 'warning' },
  [RRType.SRV]: { none: ZoneCode.SRV_NO_ADDRESS, cname: ZoneCode.SRV_IS_CNAME, dname: ZoneCode.SRV_BELOW_DNAME, offset: 6, rootIsNoService: true, severity: 'warning' },
};

/** RFC 1034 §4.2.1 / RFC 1912 §2.8: apex name servers named inside the zone need addresses there; BIND (zone_check_ns) fails the zone. */
const APEX_NS_CHECK: TargetCheck = {
  none: ZoneCode.NS_NO_ADDRESS, cname: ZoneCode.NS_IS_CNAME, dname: ZoneCode.NS_BELOW_DNAME, offset: 0, rootIsNoService: false, severity: 'error',
};

/**
 * The checks BIND runs after a zone has loaded (zone.c integrity_checks,
 * zone_check_ns, zone_check_glue, zone_check_mx, zone_check_srv,
 * zone_check_spf, zone_check_dup), with named-checkzone's default modes:
 * apex NS problems fail the zone; everything else warns. Targets outside
 * the zone are not looked up (BIND resolves them with getaddrinfo, which
 * only ever adds warnings).
 */
export function runIntegrityChecks(ctx: CheckContext): void {
  const steps = integrityCheckSteps(ctx);
  while (steps.next().done !== true);
}

/** `runIntegrityChecks` as steps: it pauses (yields) every 1024 nodes, for a caller that builds in slices. */
export function* integrityCheckSteps(ctx: CheckContext): Generator<void, void, void> {
  checkApexNs(ctx);
  const nodes = ctx.nodes;
  // By index, not values(): a generator step per node is a tenth of this loop on a zone of A records.
  for (let n = 0; n < nodes.size; n++) {
    if (((n + 1) & 1023) === 0) yield;
    const node = nodes.at(n)!;
    // Only inline RRsets (single records, never of NS, MX, SRV, SPF or the CASE_KEPT_NAME_TYPES: see
    // POSITIONED_TYPES in zone-builder.ts) and not below a cut: no check below has anything to look at.
    if (!node.hasObjects && (node.flags & NodeFlags.BELOW_CUT) === 0) continue;
    if (node.size === 0) continue;
    if ((node.flags & NodeFlags.BELOW_CUT) !== 0) {
      // BIND skips names below a zone cut or DNAME; Tyne says they are never answered.
      checkOccluded(ctx, node);
    } else if ((node.flags & NodeFlags.DELEGATION) !== 0) {
      checkDelegation(ctx, node);
    } else {
      for (const type of [RRType.MX, RRType.SRV] as const) {
        const rrset = node.get(type);
        if (rrset !== undefined) checkTargets(ctx, node, rrset, TARGET_CODES[type]!);
      }
      checkSpf(ctx, node);
    }
    checkSemanticDuplicates(ctx, node);
  }
  for (const node of ctx.nsec3Nodes.values()) checkSemanticDuplicates(ctx, node);
}

/** The NS target of `rdata` when it lies inside the zone. */
function inZone(ctx: CheckContext, target: Name): boolean {
  return target.isSubdomainOf(ctx.origin);
}

/** Only the check that can fail a zone (the apex NS targets in the zone need addresses), for a zone update. */
export function apexNsCheck(ctx: CheckContext): void {
  checkApexNs(ctx);
}

function checkApexNs(ctx: CheckContext): void {
  const ns = ctx.apex.get(RRType.NS);
  if (ns !== undefined) checkTargets(ctx, ctx.apex, ns, APEX_NS_CHECK);
}

/**
 * RFC 1034 §4.2.1: a delegation to name servers at or below the cut needs
 * glue. BIND (zone_check_glue, check-integrity) warns about it, and about
 * sibling glue; a missing address never fails the zone.
 */
function checkDelegation(ctx: CheckContext, node: ZoneNodeImpl): void {
  const ns = node.get(RRType.NS)!;
  const owner = nameForMessage(node.name);
  ns.rdatas.forEach((rdata, i) => {
    const target = targetAt(rdata, 0);
    if (!inZone(ctx, target)) return;
    const found: AddressLookup = lookupAddresses(ctx.nodes, ctx.origin, target, true);
    const what = `${owner}/NS '${nameForMessage(target)}'`;
    const at = ctx.rdataPosition(ns, i);
    switch (found.result) {
      case AddressResult.FOUND:
        return;
      case AddressResult.CNAME:
        ctx.report('warning', ZoneCode.NS_IS_CNAME, `${what} is a CNAME (illegal)`, at);
        return;
      case AddressResult.DNAME:
        ctx.report('warning', ZoneCode.NS_BELOW_DNAME, `${what} is below a DNAME '${nameForMessage(found.cut!)}' (illegal)`, at);
        return;
    }
    if (target.isSubdomainOf(node.name)) {
      ctx.report('warning', ZoneCode.MISSING_GLUE, `${what} has no REQUIRED GLUE address records (A or AAAA)`, at);
    } else if (found.result === AddressResult.DELEGATION) {
      ctx.report('warning', ZoneCode.MISSING_SIBLING_GLUE, `${what} has no SIBLING GLUE address records (A or AAAA)`, at);
    } else {
      ctx.report('warning', ZoneCode.NS_NO_ADDRESS, `${what} has no address records (A or AAAA)`, at);
    }
  });
}

/**
 * RFC 2181 §10.3: NS, MX and SRV targets inside the zone must have address
 * records and must not be aliases. BIND warns for MX and SRV
 * (named-checkzone -M/-S warn, -m warn) and fails the zone for apex NS.
 */
function checkTargets(ctx: CheckContext, node: ZoneNodeImpl, rrset: RRsetImpl, codes: TargetCheck): void {
  const owner = nameForMessage(node.name);
  const typeText = typeToText(rrset.type);
  const severity = codes.severity;
  rrset.rdatas.forEach((rdata, i) => {
    // RFC 7505 §3 (null MX) and RFC 2782 ("." target): no service, nothing to look up.
    if (codes.rootIsNoService && rdata[codes.offset] === 0) return;
    const target = targetAt(rdata, codes.offset);
    if (!inZone(ctx, target)) return;
    const found = lookupAddresses(ctx.nodes, ctx.origin, target, false);
    const what = `${owner}/${typeText} '${nameForMessage(target)}'`;
    const at = ctx.rdataPosition(rrset, i);
    if (found.result === AddressResult.NO_ADDRESS) {
      ctx.report(severity, codes.none, `${what} has no address records (A or AAAA)`, at);
    } else if (found.result === AddressResult.CNAME) {
      ctx.report(severity, codes.cname, `${what} is a CNAME (illegal)`, at);
    } else if (found.result === AddressResult.DNAME) {
      ctx.report(severity, codes.dname, `${what} is below a DNAME '${nameForMessage(found.cut!)}' (illegal)`, at);
    }
  });
}

/** True when a TXT rdata's first string is an SPF version 1 record ("v=spf1" alone or followed by a space). */
function isSpfTxt(rdata: Uint8Array): boolean {
  const len = rdata[0]!;
  if (len < 6) return false;
  const v = 'v=spf1';
  for (let i = 0; i < 6; i++) if (rdata[1 + i] !== v.charCodeAt(i)) return false;
  return len === 6 || rdata[7] === 0x20;
}

/** RFC 7208 §3.1: SPF is published as TXT; a type SPF record alone is not used. BIND warns. */
function checkSpf(ctx: CheckContext, node: ZoneNodeImpl): void {
  const spf = node.get(RRType.SPF);
  if (spf === undefined) return;
  const txt = node.get(RRType.TXT);
  if (txt !== undefined && txt.rdatas.some(isSpfTxt)) return;
  ctx.report(
    'warning',
    ZoneCode.SPF_WITHOUT_TXT,
    `'${nameForMessage(node.name)}' found type SPF record but no SPF TXT record found, add matching type TXT record`,
    ctx.rdataPosition(spf, 0),
  );
}

/** The topmost proper ancestor of `node` that is a delegation or owns a DNAME. */
function topCut(ctx: CheckContext, node: ZoneNodeImpl): ZoneNodeImpl | undefined {
  const name = node.name;
  const key = node.key;
  for (let skip = name.labelCount - ctx.origin.labelCount; skip >= 1; skip--) {
    const anc = ctx.nodes.get(key.slice(name.offsets[skip] ?? key.length - 1));
    if (anc !== undefined && (anc.flags & (NodeFlags.DELEGATION | NodeFlags.HAS_DNAME)) !== 0) return anc;
  }
  return undefined;
}

/**
 * RFC 6672 §2.3: nothing below a DNAME is ever answered. RFC 1034 §4.2.1:
 * below a zone cut only glue belongs in the parent. BIND loads such data
 * silently; Tyne warns, as the data is dead.
 */
function checkOccluded(ctx: CheckContext, node: ZoneNodeImpl): void {
  const cut = topCut(ctx, node);
  if (cut === undefined) return;
  const here = nameForMessage(node.name);
  if ((cut.flags & NodeFlags.DELEGATION) === 0) {
    ctx.report(
      'warning',
      ZoneCode.OCCLUDED_BY_DNAME,
      `${here} is below the DNAME at ${nameForMessage(cut.name)}: its records are occluded and never answered`,
      ctx.nodePosition(node),
    );
    return;
  }
  const other = node.list().filter((r) => r.type !== RRType.A && r.type !== RRType.AAAA);
  if (other.length === 0) return;
  ctx.report(
    'warning',
    ZoneCode.OCCLUDED_BY_DELEGATION,
    `${here}/${typeToText(other[0]!.type)} is below the delegation at ${nameForMessage(cut.name)}: ` +
      'only glue belongs there, this data is never answered',
    ctx.nodePosition(node),
  );
}

/** BIND's check-dup-records (default warn): records equal but for the case of a name (RFC 4343). */
function checkSemanticDuplicates(ctx: CheckContext, node: ZoneNodeImpl): void {
  // An inline RRset holds one record: nothing to compare, so it need not be made.
  for (const rrset of node.objects()) {
    if (rrset.rdatas.length < 2 || !CASE_KEPT_NAME_TYPES.has(rrset.type)) continue;
    const seen = new Set<string>();
    for (let i = 0; i < rrset.rdatas.length; i++) {
      const folded = Buffer.from(caseFoldedRdata(rrset.type, rrset.rdatas[i]!)).toString('latin1');
      if (seen.has(folded)) {
        ctx.report(
          'warning',
          ZoneCode.SEMANTICALLY_IDENTICAL,
          `${nameForMessage(node.name)}/${typeToText(rrset.type)} has semantically identical records`,
          ctx.rdataPosition(rrset, i),
        );
        break;
      }
      seen.add(folded);
    }
  }
}
