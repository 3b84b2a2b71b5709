import { Name, Rcode, RRType, equalIgnoringCase, lowerByte } from '../wire/index.js';
import { NodeFlags, hashWireName, rdataTtl, type RRset, type Zone, type ZoneNode } from '../zone/index.js';
import { denialIndex, nsec3Covering, nsec3Hash, nsec3Matching, nsecFor, type DenialIndex } from './denial-index.js';
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
  const name = q.name;
  // RFC 1034 §4.3.2 step 2; DS is answered by the parent (RFC 4035 §3.1.4.1).
  const zone = zones.find(name, 0, name.length, q.type === RRType.DS);
  if (zone === undefined) {
    out.kind = AnswerKind.REFUSED;
    out.rcode = Rcode.REFUSED;
    return out;
  }
  if (zone === null) {
    // A zone we should serve but have no data for (an expired secondary): SERVFAIL, as BIND gives.
    out.kind = AnswerKind.SERVFAIL;
    out.rcode = Rcode.SERVFAIL;
    return out;
  }
  const ctx = new Lookup(zone, q.type, out, opts);
  let next = ctx.resolve(name);
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
    next = ctx.resolve(next);
  }
  return out;
}

/** The state of one question's lookup in its zone. */
class Lookup {
  readonly zone: Zone;
  readonly qtype: number;
  readonly out: Answer;
  readonly minimalAny: boolean;
  /** RFC 4035 §3.1: DO was set and the zone is signed, so signatures and denial proofs go in. */
  readonly sec: DenialIndex | null;
  readonly apex: ZoneNode;
  /** Nodes whose CNAME was followed (a loop ends the chain). */
  readonly visited: ZoneNode[] = [];
  /** (node, type) pairs already in the authority section, as `type:index` of `proofNodes`. */
  readonly proofNodes: ZoneNode[] = [];
  readonly proofTypes: number[] = [];

  constructor(zone: Zone, qtype: number, out: Answer, opts: AnswerOptions) {
    this.zone = zone;
    this.qtype = qtype;
    this.out = out;
    this.minimalAny = opts.minimalAny ?? true;
    const o = zone.origin.wire;
    this.apex = zone.lookupWire(hashWireName(o, 0, o.length), o, 0, o.length)!;
    const idx = opts.dnssecOk === true ? denialIndex(zone) : null;
    this.sec = idx !== null && idx.signed ? idx : null;
  }

  /**
   * One pass of RFC 1034 §4.3.2 step 3. Returns the name to restart with
   * when a CNAME or DNAME was followed, else undefined (the answer is done).
   */
  resolve(name: Uint8Array): Uint8Array | undefined {
    const zone = this.zone;
    const qtype = this.qtype;
    const end = name.length;
    const starts: number[] = [];
    for (let p = 0; name[p] !== 0; p += name[p]! + 1) starts.push(p);
    const labels = starts.length;
    const apexLabels = zone.origin.offsets.length;

    // Step 3: walk down from the apex, label by label.
    let encloser = this.apex;
    let encloserStart = labels === apexLabels ? 0 : starts[labels - apexLabels]!;
    let exact: ZoneNode | undefined = labels === apexLabels ? this.apex : undefined;
    if (exact === undefined && (this.apex.flags & NodeFlags.HAS_DNAME) !== 0) {
      return this.fromDname(this.apex, name, encloserStart);
    }
    for (let d = apexLabels + 1; exact === undefined && d <= labels; d++) {
      const start = starts[labels - d]!;
      const node = zone.lookupWire(hashWireName(name, start, end), name, start, end);
      if (node === undefined) break; // no names below either: empty non-terminals are nodes too
      const flags = node.flags;
      // Step 3b: a cut above the name, or at it unless the question is DS
      // (RFC 4035 §3.1.4.1) or NSEC (the parent's NSEC at a cut, RFC 4035 §2.3, which BIND answers as data).
      const parentSide = qtype === RRType.DS || (qtype === RRType.NSEC && node.rrsets.has(RRType.NSEC));
      if ((flags & NodeFlags.DELEGATION) !== 0 && !(d === labels && parentSide)) {
        this.referral(node);
        return undefined;
      }
      if (d === labels) {
        exact = node;
        break;
      }
      // RFC 6672 §2.3: a DNAME at a proper ancestor redirects the name.
      if ((flags & NodeFlags.HAS_DNAME) !== 0) return this.fromDname(node, name, start);
      encloser = node;
      encloserStart = start;
    }

    if (exact !== undefined) {
      if (this.visited.includes(exact)) {
        this.out.rcode = Rcode.SERVFAIL; // a CNAME loop: what was found so far, with SERVFAIL, as BIND gives
        return undefined;
      }
      this.visited.push(exact);
      return this.atNode(exact, undefined, name);
    }

    // The name asked for one label below the closest encloser (RFC 5155 §1.3 "next closer name").
    const nextCloser = name.subarray(starts[starts.indexOf(encloserStart) - 1]!);
    // Step 3c: RFC 4592 §3.3.1, the source of synthesis is `*.<closest encloser>`.
    const wildName = new Uint8Array(2 + end - encloserStart);
    wildName[0] = 1;
    wildName[1] = 0x2a;
    wildName.set(name.subarray(encloserStart), 2);
    const wild = zone.lookupWire(hashWireName(wildName, 0, wildName.length), wildName, 0, wildName.length);
    if (wild === undefined) {
      this.negative(Rcode.NXDOMAIN);
      if (this.sec !== null) this.denyName(name, name.subarray(encloserStart), nextCloser, wildName);
      return undefined;
    }
    // The synthesized owner: the question's labels above the encloser, then the encloser as the zone spells it (as BIND does).
    const encloserWire = encloser.name.wire;
    const owner = new Uint8Array(encloserStart + encloserWire.length);
    owner.set(name.subarray(0, encloserStart), 0);
    owner.set(encloserWire, encloserStart);
    return this.atNode(wild, owner, name, name.subarray(encloserStart), nextCloser);
  }

  /**
   * Step 3a at a node that matched: exactly (`owner` undefined: each RRset
   * shows its owner as the zone file spells it, as BIND does) or as a
   * wildcard (shown as `owner`; `encloser` and `nextCloser` are then set).
   */
  atNode(node: ZoneNode, owner: Uint8Array | undefined, name: Uint8Array, encloser?: Uint8Array, nextCloser?: Uint8Array): Uint8Array | undefined {
    const out = this.out;
    const qtype = this.qtype;
    const rrsets = node.rrsets;
    const wildcard = owner !== undefined;
    if (wildcard) out.wildcardEncloser = encloser!;
    if (qtype === RRType.ANY && rrsets.size > 0) {
      out.aa = true;
      const cname = rrsets.get(RRType.CNAME);
      const chosen: RRset[] = cname !== undefined ? [cname] : [...rrsets.values()].filter((r) => r.type !== RRType.RRSIG || this.sec === null).sort((a, b) => a.type - b.type);
      // RFC 8482 §4.1: one RRset is enough; the full set over TCP.
      const list = this.minimalAny ? chosen.slice(0, 1) : chosen;
      for (const rrset of list) this.push(out.answer, owner ?? rrset.name.wire, rrset, node);
      if (wildcard) this.proveWildcard(name, nextCloser!);
      // Like BIND, no additional records for ANY.
      return undefined;
    }
    const rrset = rrsets.get(qtype);
    if (rrset !== undefined) {
      out.aa = true;
      this.push(out.answer, owner ?? rrset.name.wire, rrset, node);
      if (wildcard) this.proveWildcard(name, nextCloser!);
      this.additional([rrset]);
      return undefined;
    }
    const cname = rrsets.get(RRType.CNAME);
    // DNSSEC types live beside a CNAME (RFC 4035 §2.5): asked for, they are not chased through it (as BIND).
    if (cname !== undefined && qtype !== RRType.CNAME && !isDnssecType(qtype)) {
      out.aa = true;
      this.push(out.answer, owner ?? cname.name.wire, cname, node);
      if (wildcard) this.proveWildcard(name, nextCloser!);
      return cname.rdatas[0]; // RFC 1034 §4.3.2 step 3a: restart at the canonical name
    }
    this.negative(Rcode.NOERROR);
    if (this.sec !== null) {
      if (wildcard) this.denyWildcardType(node, name, encloser!, nextCloser!);
      else this.denyType(node, name);
    }
    return undefined;
  }

  /** RFC 6672 §3.1: the DNAME, then a CNAME synthesized for `name`, then a restart at its target. */
  fromDname(node: ZoneNode, name: Uint8Array, ownerStart: number): Uint8Array | undefined {
    const out = this.out;
    const dname = node.rrsets.get(RRType.DNAME)!;
    out.aa = true;
    this.push(out.answer, dname.name.wire, dname, node);
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
    // RFC 6672 §3.1: the CNAME's owner is the name asked for, its TTL the DNAME's; it is not signed (§5.3.1).
    if (!holdsRRset(out.answer, name, RRType.CNAME)) out.answer.push({ owner: name, type: RRType.CNAME, class: dname.class, ttl: dname.ttl, rdata: next });
    // A CNAME question is answered by the synthesized CNAME itself.
    return this.qtype === RRType.CNAME ? undefined : next;
  }

  /**
   * RFC 2308 §3: the SOA in the authority section, its TTL the smaller of its
   * own and MINIMUM. For NXDOMAIN to an SOA question the TTL is 0, as BIND's
   * default `zero-no-soa-ttl yes` gives. Its signatures take the same TTL.
   */
  negative(rcode: number): void {
    const out = this.out;
    out.aa = true;
    out.rcode = rcode;
    out.kind = rcode === Rcode.NXDOMAIN ? AnswerKind.NXDOMAIN : out.answer.length > 0 ? AnswerKind.ANSWER : AnswerKind.NODATA;
    const soa = this.zone.soa;
    const rdata = soa.rdatas[0]!;
    const m = rdata.length - 4;
    const minimum = ((rdata[m]! << 24) | (rdata[m + 1]! << 16) | (rdata[m + 2]! << 8) | rdata[m + 3]!) >>> 0;
    const ttl = rcode === Rcode.NXDOMAIN && this.qtype === RRType.SOA ? 0 : Math.min(soa.ttl, minimum);
    out.authority.push({ owner: soa.name.wire, type: RRType.SOA, class: soa.class, ttl, rdata });
    if (this.sec !== null) {
      for (const sig of this.signatures(this.apex, RRType.SOA)) {
        out.authority.push({ owner: soa.name.wire, type: RRType.RRSIG, class: soa.class, ttl: Math.min(ttl, sig.ttl), rdata: sig.rdata });
      }
    }
  }

  /** RFC 1034 §4.3.2 step 3b: NS of the cut in authority, addresses of its name servers in additional. */
  referral(cut: ZoneNode): void {
    const out = this.out;
    const zone = this.zone;
    const ns = cut.rrsets.get(RRType.NS)!;
    out.kind = AnswerKind.REFERRAL;
    pushRRset(out.authority, ns.name.wire, ns);
    if (this.sec !== null) {
      // RFC 4035 §3.1.4: the DS RRset and its signatures, or proof that there is none.
      const ds = cut.rrsets.get(RRType.DS);
      if (ds !== undefined) this.push(out.authority, ds.name.wire, ds, cut);
      else this.denyType(cut, cut.name.wire);
    }
    // RFC 9471 §2.1: in-domain glue (below this cut) must be sent; sibling
    // glue (below another cut of this zone) may be. Like BIND, only glue:
    // authoritative addresses elsewhere in the zone are not added.
    const inDomain: ZoneNode[] = [];
    const sibling: ZoneNode[] = [];
    for (const target of ns.rdatas) {
      const node = zone.lookupWire(hashWireName(target, 0, target.length), target, 0, target.length);
      // Glue: address records at or below a cut (the cut's own name included, as for `a NS a`).
      if (node === undefined || (node.flags & (NodeFlags.BELOW_DELEGATION | NodeFlags.DELEGATION)) === 0) continue;
      if (inDomain.includes(node) || sibling.includes(node)) continue;
      if (isBelowOrAt(target, cut.key)) inDomain.push(node);
      else sibling.push(node);
    }
    // RFC 9471 §3: all in-domain glue, or TC. (BIND 9.18 instead sends what fits without TC.)
    const before = out.additional.length;
    this.addresses(inDomain, RRType.A, false);
    this.addresses(inDomain, RRType.AAAA, false);
    out.requiredAdditional += out.additional.length - before;
    this.addresses(sibling, RRType.A, false);
    this.addresses(sibling, RRType.AAAA, false);
  }

  /**
   * The additional section for answer RRsets (RFC 1034 §3.7, RFC 2782,
   * RFC 3403 §4.1): addresses of NS, MX and SRV targets held with authority in
   * this zone; for NAPTR with flag S, the SRV RRset at the replacement and
   * its targets' addresses. A before AAAA, as BIND orders them.
   */
  additional(rrsets: readonly RRset[]): void {
    const targets: ZoneNode[] = [];
    const srvs: ZoneNode[] = [];
    for (const rrset of rrsets) {
      const type = rrset.type;
      if (type !== RRType.NS && type !== RRType.MX && type !== RRType.SRV && type !== RRType.NAPTR) continue;
      for (const rdata of rrset.rdatas) {
        const off = additionalTargetOffset(type, rdata);
        if (off < 0) continue;
        const node = this.authoritativeNode(rdata, off);
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
              const t = this.authoritativeNode(s, 6);
              if (t !== undefined && !targets.includes(t)) targets.push(t);
            }
          }
        } else if (flags.includes('a') && !targets.includes(node)) {
          targets.push(node);
        }
      }
    }
    this.addresses(targets, RRType.A, true);
    this.addresses(targets, RRType.AAAA, true);
    for (const node of srvs) {
      const srv = node.rrsets.get(RRType.SRV)!;
      if (!inSections(this.out, srv)) this.push(this.out.additional, srv.name.wire, srv, node);
    }
  }

  /** The node of the name at `wire[off]` when this zone holds it with authority (not at or below a cut). */
  authoritativeNode(wire: Uint8Array, off: number): ZoneNode | undefined {
    const end = off + nameLengthAt(wire, off);
    const node = this.zone.lookupWire(hashWireName(wire, off, end), wire, off, end);
    if (node === undefined || (node.flags & NOT_AUTHORITATIVE) !== 0) return undefined;
    return node;
  }

  addresses(nodes: readonly ZoneNode[], type: number, signed: boolean): void {
    for (const node of nodes) {
      const rrset = node.rrsets.get(type);
      if (rrset === undefined || inSections(this.out, rrset)) continue;
      if (signed) this.push(this.out.additional, rrset.name.wire, rrset, node);
      else pushRRset(this.out.additional, rrset.name.wire, rrset); // glue is never signed (RFC 4035 §2.2)
    }
  }

  /**
   * Pushes `rrset` as `owner`, followed by its signatures when DNSSEC is on
   * (RFC 4035 §3.1.1). An RRset already in the answer section is not added
   * again (as BIND's message rendering does), so a chain that comes back to
   * a name through a wildcard or a DNAME lists each RRset once.
   */
  push(list: AnswerRecord[], owner: Uint8Array, rrset: RRset, node: ZoneNode): void {
    if (list === this.out.answer && holdsRRset(list, owner, rrset.type)) return;
    pushRRset(list, owner, rrset);
    if (this.sec === null || rrset.type === RRType.RRSIG) return;
    for (const sig of this.signatures(node, rrset.type)) list.push({ owner, type: RRType.RRSIG, class: rrset.class, ttl: sig.ttl, rdata: sig.rdata });
  }

  /** The RRSIGs at `node` covering `type` (RFC 4034 §3.1.1: the first two octets name the type covered). */
  signatures(node: ZoneNode, type: number): { ttl: number; rdata: Uint8Array }[] {
    const sigs = node.rrsets.get(RRType.RRSIG);
    if (sigs === undefined) return [];
    const found: { ttl: number; rdata: Uint8Array }[] = [];
    const rdatas = sigs.rdatas;
    for (let i = 0; i < rdatas.length; i++) {
      const r = rdatas[i]!;
      if (((r[0]! << 8) | r[1]!) === type) found.push({ ttl: rdataTtl(sigs, i), rdata: r });
    }
    return found;
  }

  /** Adds the NSEC or NSEC3 RRset of `node` (and its signatures) to the authority section, once. */
  proof(node: ZoneNode, type: number): void {
    for (let i = 0; i < this.proofNodes.length; i++) if (this.proofNodes[i] === node && this.proofTypes[i] === type) return;
    const rrset = node.rrsets.get(type);
    if (rrset === undefined) return;
    this.proofNodes.push(node);
    this.proofTypes.push(type);
    this.push(this.out.authority, rrset.name.wire, rrset, node);
  }

  /** RFC 4035 §3.1.3.2 / RFC 5155 §7.2.2: the name does not exist, nor does a wildcard that would match it. */
  denyName(name: Uint8Array, encloser: Uint8Array, nextCloser: Uint8Array, wildcard: Uint8Array): void {
    const sec = this.sec!;
    if (sec.nsec !== null) {
      this.proof(nsecFor(sec.nsec, Name.trusted(name)), RRType.NSEC);
      this.proof(nsecFor(sec.nsec, Name.trusted(wildcard)), RRType.NSEC);
    } else if (sec.nsec3 !== null) {
      this.closestEncloserProof(encloser, nextCloser);
      this.proof(nsec3Covering(sec.nsec3, nsec3Hash(sec.nsec3, wildcard)), RRType.NSEC3);
    }
  }

  /** RFC 4035 §3.1.3.1 / RFC 5155 §7.2.3-7.2.4: the name exists but has no RRset of the type asked for. */
  denyType(node: ZoneNode, name: Uint8Array): void {
    const sec = this.sec!;
    if (sec.nsec !== null) {
      // An empty non-terminal has no NSEC of its own: the one that covers it shows nothing is there.
      this.proof(node.rrsets.has(RRType.NSEC) ? node : nsecFor(sec.nsec, Name.trusted(name)), RRType.NSEC);
    } else if (sec.nsec3 !== null) {
      const match = nsec3Matching(sec.nsec3, nsec3Hash(sec.nsec3, name));
      if (match !== undefined) {
        this.proof(match, RRType.NSEC3);
        return;
      }
      // RFC 5155 §7.2.4: no NSEC3 of its own (an opt-out span): the closest provable encloser and the opt-out NSEC3 covering the next closer name.
      let child = name;
      for (let p = name[0]! + 1; p < name.length; p += name[p]! + 1) {
        const ancestor = name.subarray(p);
        if (nsec3Matching(sec.nsec3, nsec3Hash(sec.nsec3, ancestor)) !== undefined) {
          this.closestEncloserProof(ancestor, child);
          return;
        }
        child = ancestor;
      }
    }
  }

  /** RFC 4035 §3.1.3.3 / RFC 5155 §7.2.6: a wildcard answer, with proof that the name asked for does not exist. */
  proveWildcard(name: Uint8Array, nextCloser: Uint8Array): void {
    const sec = this.sec;
    if (sec === null) return;
    if (sec.nsec !== null) this.proof(nsecFor(sec.nsec, Name.trusted(name)), RRType.NSEC);
    else if (sec.nsec3 !== null) this.proof(nsec3Covering(sec.nsec3, nsec3Hash(sec.nsec3, nextCloser)), RRType.NSEC3);
  }

  /** RFC 4035 §3.1.3.4 / RFC 5155 §7.2.5: wildcard NODATA: no closer match, and the wildcard lacks the type. */
  denyWildcardType(wild: ZoneNode, name: Uint8Array, encloser: Uint8Array, nextCloser: Uint8Array): void {
    const sec = this.sec!;
    if (sec.nsec !== null) {
      this.proof(nsecFor(sec.nsec, Name.trusted(name)), RRType.NSEC);
      this.proof(wild, RRType.NSEC);
    } else if (sec.nsec3 !== null) {
      this.closestEncloserProof(encloser, nextCloser);
      const match = nsec3Matching(sec.nsec3, nsec3Hash(sec.nsec3, wild.name.wire));
      if (match !== undefined) this.proof(match, RRType.NSEC3);
    }
  }

  /** RFC 5155 §7.2.1: the NSEC3 matching the closest encloser and the one covering the next closer name. */
  closestEncloserProof(encloser: Uint8Array, nextCloser: Uint8Array): void {
    const chain = this.sec!.nsec3!;
    const match = nsec3Matching(chain, nsec3Hash(chain, encloser));
    if (match !== undefined) this.proof(match, RRType.NSEC3);
    this.proof(nsec3Covering(chain, nsec3Hash(chain, nextCloser)), RRType.NSEC3);
  }
}

/** True when `list` already holds records of `type` owned by `owner` (letter case aside). */
function holdsRRset(list: readonly AnswerRecord[], owner: Uint8Array, type: number): boolean {
  for (const r of list) {
    if (r.type !== type || r.owner.length !== owner.length) continue;
    if (equalIgnoringCase(r.owner, 0, owner, 0, owner.length)) return true;
  }
  return false;
}

/** RRSIG and NSEC: the types BIND does not chase through a CNAME (NSEC3, which never sits beside one, it does). */
function isDnssecType(type: number): boolean {
  return type === RRType.RRSIG || type === RRType.NSEC;
}

/** True when the answer or additional section already holds `rrset` (owners are the RRset's own octets). */
function inSections(out: Answer, rrset: RRset): boolean {
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
    if (lowerByte(name[off + i]!) !== key.charCodeAt(i)) return false;
  }
  // The suffix must start at a label boundary.
  for (let p = 0; p <= off; p += name[p]! + 1) if (p === off) return true;
  return false;
}
