import { Rcode, RRType } from '../wire/index.js';
import { NodeFlags, hashWireName, type RRset, type Zone, type ZoneNode } from '../zone/index.js';
import { AnswerKind, type Answer, type AnswerOptions, type AnswerRecord, type WireQuestion } from './answer-types.js';
import { additionalTargetOffset, nameLengthAt, naptrFlags } from './record-targets.js';
import type { ZoneSet } from './zone-set.js';

/**
 * CNAME/DNAME links followed for one question. BIND's default
 * `max-restarts` is 11: the question's own lookup and 11 restarts.
 */
export const MAX_CHAIN = 11;

const NOT_AUTHORITATIVE = NodeFlags.BELOW_CUT | NodeFlags.DELEGATION;

/** A fresh, empty answer. */
export function emptyAnswer(): Answer {
  return { kind: AnswerKind.ANSWER, rcode: Rcode.NOERROR, aa: false, answer: [], authority: [], additional: [], requiredAdditional: 0 };
}

/**
 * RFC 1034 §4.3.2 for an authoritative-only server: the sections of the
 * response to `q`, from the zones in `zones`. Pure: no I/O, no clock, and
 * the zones are not changed. Class is the caller's business (only zones of
 * the question's class should be in `zones`).
 */
export function answer(zones: ZoneSet, q: WireQuestion, opts: AnswerOptions = {}): Answer {
  const out = emptyAnswer();
  const qtype = q.type;
  const visited: ZoneNode[] = [];
  const name = q.name;
  // RFC 1034 §4.3.2 step 2; DS is answered by the parent (RFC 4035 §3.1.4.1).
  const zone = zones.find(name, 0, name.length, qtype === RRType.DS);
  if (zone === undefined) {
    out.kind = AnswerKind.REFUSED;
    out.rcode = Rcode.REFUSED;
    return out;
  }
  let next = resolveInZone(zone, name, qtype, out, visited, opts.minimalAny ?? true);
  for (let restarts = 0; next !== undefined; restarts++) {
    if (restarts === MAX_CHAIN) {
      // Too long a chain: what was found so far, with SERVFAIL, as BIND gives.
      out.rcode = Rcode.SERVFAIL;
      return out;
    }
    // Step 3a restarts at step 1, but an authoritative-only server (BIND,
    // Knot) follows the chain only inside the zone: the resolver asks again
    // for a target in another zone, even one we also serve.
    if (zones.find(next, 0, next.length) !== zone) return out;
    next = resolveInZone(zone, next, qtype, out, visited, opts.minimalAny ?? true);
  }
  return out;
}

/**
 * One pass of RFC 1034 §4.3.2 step 3 in `zone`. Returns the name to restart
 * with when a CNAME or DNAME was followed, else undefined (the answer is done).
 */
function resolveInZone(zone: Zone, name: Uint8Array, qtype: number, out: Answer, visited: ZoneNode[], minimalAny: boolean): Uint8Array | undefined {
  const end = name.length;
  const starts: number[] = [];
  for (let p = 0; name[p] !== 0; p += name[p]! + 1) starts.push(p);
  const labels = starts.length;
  const apexLabels = zone.origin.offsets.length;
  const apex = zone.lookupWire(hashWireName(zone.origin.wire, 0, zone.origin.wire.length), zone.origin.wire, 0, zone.origin.wire.length)!;

  // Step 3: walk down from the apex, label by label.
  let encloser = apex;
  let encloserStart = labels === apexLabels ? 0 : starts[labels - apexLabels]!;
  let exact: ZoneNode | undefined = labels === apexLabels ? apex : undefined;
  if (exact === undefined && (apex.flags & NodeFlags.HAS_DNAME) !== 0) {
    return synthesizeFromDname(apex, name, encloserStart, qtype, out);
  }
  for (let d = apexLabels + 1; exact === undefined && d <= labels; d++) {
    const start = starts[labels - d]!;
    const node = zone.lookupWire(hashWireName(name, start, end), name, start, end);
    if (node === undefined) break; // no names below either: empty non-terminals are nodes too
    const flags = node.flags;
    // Step 3b: a cut above the name, or at it unless the question is DS (RFC 4035 §3.1.4.1).
    if ((flags & NodeFlags.DELEGATION) !== 0 && !(d === labels && qtype === RRType.DS)) {
      referral(zone, node, out);
      return undefined;
    }
    if (d === labels) {
      exact = node;
      break;
    }
    // RFC 6672 §2.3: a DNAME at a proper ancestor redirects the name.
    if ((flags & NodeFlags.HAS_DNAME) !== 0) return synthesizeFromDname(node, name, start, qtype, out);
    encloser = node;
    encloserStart = start;
  }

  if (exact !== undefined) {
    if (visited.includes(exact)) {
      out.rcode = Rcode.SERVFAIL; // a CNAME loop: what was found so far, with SERVFAIL, as BIND gives
      return undefined;
    }
    visited.push(exact);
    return answerAtNode(zone, exact, undefined, qtype, out, minimalAny);
  }

  // Step 3c: RFC 4592 §3.3.1, the source of synthesis is `*.<closest encloser>`.
  const wildName = new Uint8Array(2 + end - encloserStart);
  wildName[0] = 1;
  wildName[1] = 0x2a;
  wildName.set(name.subarray(encloserStart), 2);
  const wild = zone.lookupWire(hashWireName(wildName, 0, wildName.length), wildName, 0, wildName.length);
  if (wild === undefined) {
    negative(zone, out, Rcode.NXDOMAIN, qtype);
    return undefined;
  }
  // The synthesized owner: the question's labels above the encloser, then the encloser as the zone spells it (as BIND does).
  const encloserWire = encloser.name.wire;
  const owner = new Uint8Array(encloserStart + encloserWire.length);
  owner.set(name.subarray(0, encloserStart), 0);
  owner.set(encloserWire, encloserStart);
  return answerAtNode(zone, wild, owner, qtype, out, minimalAny);
}

/**
 * Step 3a at a node that matched: exactly (`owner` undefined: each RRset
 * shows its owner as the zone file spells it, as BIND does) or as a
 * wildcard (shown as `owner`).
 */
function answerAtNode(zone: Zone, node: ZoneNode, owner: Uint8Array | undefined, qtype: number, out: Answer, minimalAny: boolean): Uint8Array | undefined {
  const rrsets = node.rrsets;
  if (qtype === RRType.ANY && rrsets.size > 0) {
    out.aa = true;
    const cname = rrsets.get(RRType.CNAME);
    const chosen: RRset[] = cname !== undefined ? [cname] : [...rrsets.values()].sort((a, b) => a.type - b.type);
    // RFC 8482 §4.1: one RRset is enough; the full set over TCP.
    const list = minimalAny ? chosen.slice(0, 1) : chosen;
    for (const rrset of list) pushRRset(out.answer, owner ?? rrset.name.wire, rrset);
    addAdditional(zone, list, out);
    return undefined;
  }
  const rrset = rrsets.get(qtype);
  if (rrset !== undefined) {
    out.aa = true;
    pushRRset(out.answer, owner ?? rrset.name.wire, rrset);
    addAdditional(zone, [rrset], out);
    return undefined;
  }
  const cname = rrsets.get(RRType.CNAME);
  if (cname !== undefined && qtype !== RRType.CNAME) {
    out.aa = true;
    pushRRset(out.answer, owner ?? cname.name.wire, cname);
    return cname.rdatas[0]; // RFC 1034 §4.3.2 step 3a: restart at the canonical name
  }
  negative(zone, out, Rcode.NOERROR, qtype);
  return undefined;
}

/** RFC 6672 §3.1: the DNAME, then a CNAME synthesized for `name`, then a restart at its target. */
function synthesizeFromDname(node: ZoneNode, name: Uint8Array, ownerStart: number, qtype: number, out: Answer): Uint8Array | undefined {
  const dname = node.rrsets.get(RRType.DNAME)!;
  out.aa = true;
  pushRRset(out.answer, dname.name.wire, dname);
  const target = dname.rdatas[0]!;
  const length = ownerStart + target.length;
  if (length > 255) {
    // RFC 6672 §2.2: the substituted name does not fit.
    out.kind = AnswerKind.YXDOMAIN;
    out.rcode = Rcode.YXDOMAIN;
    return undefined;
  }
  const next = new Uint8Array(length);
  next.set(name.subarray(0, ownerStart), 0);
  next.set(target, ownerStart);
  // RFC 6672 §3.1: the CNAME's owner is the name asked for, its TTL the DNAME's.
  out.answer.push({ owner: name, type: RRType.CNAME, class: dname.class, ttl: dname.ttl, rdata: next });
  // A CNAME question is answered by the synthesized CNAME itself.
  return qtype === RRType.CNAME ? undefined : next;
}

/**
 * RFC 2308 §3: the SOA in the authority section, its TTL the smaller of its
 * own and MINIMUM. For NXDOMAIN to an SOA question the TTL is 0, as BIND's
 * default `zero-no-soa-ttl yes` gives.
 */
function negative(zone: Zone, out: Answer, rcode: number, qtype: number): void {
  out.aa = true;
  out.rcode = rcode;
  out.kind = rcode === Rcode.NXDOMAIN ? AnswerKind.NXDOMAIN : out.answer.length > 0 ? AnswerKind.ANSWER : AnswerKind.NODATA;
  const soa = zone.soa;
  const rdata = soa.rdatas[0]!;
  const m = rdata.length - 4;
  const minimum = ((rdata[m]! << 24) | (rdata[m + 1]! << 16) | (rdata[m + 2]! << 8) | rdata[m + 3]!) >>> 0;
  out.authority.push({ owner: soa.name.wire, type: RRType.SOA, class: soa.class, ttl: rcode === Rcode.NXDOMAIN && qtype === RRType.SOA ? 0 : Math.min(soa.ttl, minimum), rdata });
}

/** RFC 1034 §4.3.2 step 3b: NS of the cut in authority, addresses of its name servers in additional. */
function referral(zone: Zone, cut: ZoneNode, out: Answer): void {
  const ns = cut.rrsets.get(RRType.NS)!;
  out.kind = AnswerKind.REFERRAL;
  pushRRset(out.authority, ns.name.wire, ns);
  // RFC 9471 §2.1: in-domain glue (below this cut) must be sent; sibling
  // glue (below another cut of this zone) may be. Like BIND, only glue:
  // authoritative addresses elsewhere in the zone are not added.
  const inDomain: ZoneNode[] = [];
  const sibling: ZoneNode[] = [];
  for (const target of ns.rdatas) {
    const node = zone.lookupWire(hashWireName(target, 0, target.length), target, 0, target.length);
    if (node === undefined || (node.flags & NodeFlags.BELOW_DELEGATION) === 0) continue;
    if (inDomain.includes(node) || sibling.includes(node)) continue;
    if (isBelowOrAt(target, cut.key)) inDomain.push(node);
    else sibling.push(node);
  }
  const before = out.additional.length;
  pushAddresses(out, inDomain, RRType.A);
  pushAddresses(out, inDomain, RRType.AAAA);
  out.requiredAdditional += out.additional.length - before;
  pushAddresses(out, sibling, RRType.A);
  pushAddresses(out, sibling, RRType.AAAA);
}

/**
 * The additional section for answer RRsets (RFC 1034 §3.7, RFC 2782,
 * RFC 3403 §4.1): addresses of NS, MX and SRV targets held with authority in
 * this zone; for NAPTR with flag S, the SRV RRset at the replacement and
 * its targets' addresses. A before AAAA, as BIND orders them.
 */
function addAdditional(zone: Zone, rrsets: readonly RRset[], out: Answer): void {
  const targets: ZoneNode[] = [];
  const srvs: ZoneNode[] = [];
  for (const rrset of rrsets) {
    const type = rrset.type;
    if (type !== RRType.NS && type !== RRType.MX && type !== RRType.SRV && type !== RRType.NAPTR) continue;
    for (const rdata of rrset.rdatas) {
      const off = additionalTargetOffset(type, rdata);
      if (off < 0) continue;
      const node = authoritativeNode(zone, rdata, off);
      if (node === undefined) continue;
      if (type !== RRType.NAPTR) {
        if (!targets.includes(node)) targets.push(node);
        continue;
      }
      const flags = naptrFlags(rdata);
      if (flags.includes('s')) {
        const srv = node.rrsets.get(RRType.SRV);
        if (srv !== undefined && !srvs.includes(node)) {
          srvs.push(node);
          for (const s of srv.rdatas) {
            const t = authoritativeNode(zone, s, 6);
            if (t !== undefined && !targets.includes(t)) targets.push(t);
          }
        }
      } else if (flags.includes('a') && !targets.includes(node)) {
        targets.push(node);
      }
    }
  }
  pushAddresses(out, targets, RRType.A);
  pushAddresses(out, targets, RRType.AAAA);
  for (const node of srvs) {
    const srv = node.rrsets.get(RRType.SRV)!;
    if (!inAnswer(out, srv)) pushRRset(out.additional, srv.name.wire, srv);
  }
}

/** The node of the name at `wire[off]` when this zone holds it with authority (not at or below a cut). */
function authoritativeNode(zone: Zone, wire: Uint8Array, off: number): ZoneNode | undefined {
  const end = off + nameLengthAt(wire, off);
  const node = zone.lookupWire(hashWireName(wire, off, end), wire, off, end);
  if (node === undefined || (node.flags & NOT_AUTHORITATIVE) !== 0) return undefined;
  return node;
}

function pushAddresses(out: Answer, nodes: readonly ZoneNode[], type: number): void {
  for (const node of nodes) {
    const rrset = node.rrsets.get(type);
    if (rrset === undefined || inAnswer(out, rrset)) continue;
    pushRRset(out.additional, rrset.name.wire, rrset);
  }
}

/** True when the answer or additional section already holds `rrset` (owners are the RRset's own octets). */
function inAnswer(out: Answer, rrset: RRset): boolean {
  const owner = rrset.name.wire;
  const type = rrset.type;
  for (const r of out.answer) if (r.type === type && r.owner === owner) return true;
  for (const r of out.additional) if (r.type === type && r.owner === owner) return true;
  return false;
}

function pushRRset(list: AnswerRecord[], owner: Uint8Array, rrset: RRset): void {
  const rdatas = rrset.rdatas;
  const ttls = rrset.ttls;
  for (let i = 0; i < rdatas.length; i++) {
    list.push({ owner, type: rrset.type, class: rrset.class, ttl: ttls === undefined ? rrset.ttl : ttls[i]!, rdata: rdatas[i]! });
  }
}

/** True when the wire name `name` is at or below the name whose key (lowercased wire, latin1) is `key`. */
function isBelowOrAt(name: Uint8Array, key: string): boolean {
  const off = name.length - key.length;
  if (off < 0) return false;
  for (let i = 0; i < key.length; i++) {
    const b = name[off + i]!;
    if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== key.charCodeAt(i)) return false;
  }
  // The suffix must start at a label boundary.
  for (let p = 0; p <= off; p += name[p]! + 1) if (p === off) return true;
  return false;
}
