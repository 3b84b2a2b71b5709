/**
 * A slow, deliberately plain reference for the authoritative answer path:
 * RFC 1034 §4.3.2 (with RFC 6672 DNAME, RFC 4592 wildcards, RFC 2308
 * negative answers) over plain Maps, with no precomputed node flags.
 * Every question re-scans the record maps; nothing here comes from src/.
 *
 * Names are arrays of labels (ASCII text, leftmost first), kept in the case
 * they were received; lookups compare them lowercased.
 */

export const T = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, SRV: 33, DNAME: 39, DS: 43 } as const;
export const RC = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
/** BIND's max-restarts: the question's own lookup and 11 restarts. */
export const REF_MAX_RESTARTS = 11;

export interface RefRRset {
  ttl: number;
  rdatas: Uint8Array[];
}

export interface RefZone {
  /** Apex labels, lowercase. */
  origin: string[];
  /** Owner text (lowercase, absolute, trailing dot) → type → RRset. */
  nodes: Map<string, Map<number, RefRRset>>;
}

export interface RefRecord {
  owner: Uint8Array;
  type: number;
  class: number;
  ttl: number;
  rdata: Uint8Array;
}

export interface RefAnswer {
  rcode: number;
  aa: boolean;
  answer: RefRecord[];
  authority: RefRecord[];
  additional: RefRecord[];
  /** Which branches were taken, for coverage reporting. */
  kinds: Set<string>;
}

export const keyOf = (labels: readonly string[]): string => labels.map((l) => l.toLowerCase()).join('.') + '.';

export function nameWire(labels: readonly string[]): Uint8Array {
  const out: number[] = [];
  for (const l of labels) {
    out.push(l.length);
    for (let i = 0; i < l.length; i++) out.push(l.charCodeAt(i));
  }
  out.push(0);
  return Uint8Array.from(out);
}

/** The labels of the uncompressed wire name at `off` in `b`. */
export function wireLabels(b: Uint8Array, off = 0): string[] {
  const out: string[] = [];
  for (let p = off; b[p] !== 0; p += b[p]! + 1) out.push(String.fromCharCode(...b.subarray(p + 1, p + 1 + b[p]!)));
  return out;
}

/** `name` equals `anc` or is below it (case-insensitive). */
export function isAtOrBelow(name: readonly string[], anc: readonly string[]): boolean {
  if (name.length < anc.length) return false;
  const off = name.length - anc.length;
  for (let i = 0; i < anc.length; i++) if (name[off + i]!.toLowerCase() !== anc[i]!.toLowerCase()) return false;
  return true;
}

function rrsets(zone: RefZone, name: readonly string[]): Map<number, RefRRset> | undefined {
  return zone.nodes.get(keyOf(name));
}

/** A name exists when it owns records or has a descendant that does (RFC 1034 §3.1, RFC 4592 §2.2.2). */
function exists(zone: RefZone, name: readonly string[]): boolean {
  const k = keyOf(name);
  for (const owner of zone.nodes.keys()) if (owner === k || owner.endsWith('.' + k)) return true;
  return false;
}

/** The most specific zone at or above `name` (RFC 1034 §4.3.2 step 2). DS at an apex goes to the parent, if hosted. */
function findZone(zones: readonly RefZone[], name: readonly string[], ds: boolean): RefZone | undefined {
  let best: RefZone | undefined;
  let bestParentSide: RefZone | undefined;
  for (const z of zones) {
    if (!isAtOrBelow(name, z.origin)) continue;
    if (ds && z.origin.length === name.length) {
      bestParentSide = z;
      continue;
    }
    if (best === undefined || z.origin.length > best.origin.length) best = z;
  }
  return best ?? bestParentSide;
}

type Where = 'authoritative' | 'cut' | 'glue' | 'occluded' | 'outside';

/** Where `name` sits in `zone`: walking down from the apex, the first cut or DNAME on its path decides. */
function whereIs(zone: RefZone, name: readonly string[], occludedGlue = false): Where {
  if (!isAtOrBelow(name, zone.origin)) return 'outside';
  let occluded = false;
  for (let d = zone.origin.length; d <= name.length; d++) {
    const anc = name.slice(name.length - d);
    const rs = rrsets(zone, anc);
    if (rs === undefined) continue;
    if (d > zone.origin.length && rs.has(T.NS)) return d === name.length ? 'cut' : 'glue';
    if (d < name.length && rs.has(T.DNAME)) {
      if (!occludedGlue) return 'occluded';
      occluded = true;
    }
  }
  return occluded ? 'occluded' : 'authoritative';
}

/** The target name in NS/MX/SRV rdata. */
function targetOf(type: number, rdata: Uint8Array): string[] | undefined {
  if (type === T.NS) return wireLabels(rdata, 0);
  if (type === T.MX) return wireLabels(rdata, 2);
  if (type === T.SRV) return wireLabels(rdata, 6);
  return undefined;
}

/** Variations of the reference, used to pin down known differences precisely. */
export interface RefOptions {
  /**
   * RFC 1034 §4.3.2 step 3b: a referral's additional section holds the NS
   * targets' addresses from authoritative data as well as glue (default
   * true). False: glue only (at or below a cut).
   */
  referralAuthoritativeAddresses?: boolean;
  /** False: addresses owned by a delegation point itself (`a NS a.`, `a A …`) are not glue. */
  glueAtCut?: boolean;
  /** True: a cut below a DNAME (occluded data) still makes the names at or below it glue for a referral. */
  occludedGlue?: boolean;
}

class State {
  readonly out: RefAnswer = { rcode: RC.NOERROR, aa: false, answer: [], authority: [], additional: [], kinds: new Set() };
  constructor(
    readonly zone: RefZone,
    readonly qtype: number,
    readonly opts: RefOptions,
  ) {}

  /** Adds an RRset to a section unless the same owner/type is already there (a message holds an RRset once). */
  add(section: RefRecord[], owner: readonly string[], type: number, rrset: RefRRset): void {
    const w = nameWire(owner);
    const k = keyOf(owner);
    if (section.some((r) => r.type === type && keyOf(wireLabels(r.owner)) === k)) return;
    for (const rdata of rrset.rdatas) section.push({ owner: w, type, class: 1, ttl: rrset.ttl, rdata });
  }

  soa(nxdomain: boolean): void {
    const soa = rrsets(this.zone, this.zone.origin)!.get(T.SOA)!;
    const rd = soa.rdatas[0]!;
    const minimum = new DataView(rd.buffer, rd.byteOffset, rd.byteLength).getUint32(rd.length - 4);
    // RFC 2308 §3; BIND's zero-no-soa-ttl for an SOA question.
    const ttl = nxdomain && this.qtype === T.SOA ? 0 : Math.min(soa.ttl, minimum);
    this.add(this.out.authority, this.zone.origin, T.SOA, { ttl, rdatas: [rd] });
  }

  /** RFC 1034 §4.3.2 step 6 / §3.3.2 of RFC 1035: A then AAAA of NS/MX/SRV targets held authoritatively. */
  additionalFor(type: number, rrset: RefRRset): void {
    for (const rd of rrset.rdatas) {
      const target = targetOf(type, rd);
      if (target === undefined || whereIs(this.zone, target) !== 'authoritative') continue;
      const rs = rrsets(this.zone, target);
      if (rs === undefined) continue;
      for (const t of [T.A, T.AAAA]) {
        const set = rs.get(t);
        if (set !== undefined) this.add(this.out.additional, target, t, set);
      }
    }
  }

  referral(cut: readonly string[]): void {
    this.out.kinds.add('referral');
    const ns = rrsets(this.zone, cut)!.get(T.NS)!;
    this.add(this.out.authority, cut, T.NS, ns);
    // Step 3b: whatever addresses are available, from authoritative data or glue.
    for (const rd of ns.rdatas) {
      const target = wireLabels(rd, 0);
      const where = whereIs(this.zone, target, this.opts.occludedGlue === true);
      const ok =
        where === 'glue' ||
        (where === 'cut' && this.opts.glueAtCut !== false) ||
        (where === 'authoritative' && this.opts.referralAuthoritativeAddresses !== false);
      if (!ok) continue;
      if (where === 'glue' || where === 'cut') this.out.kinds.add(where === 'cut' ? 'glue-at-cut' : 'glue');
      const rs = rrsets(this.zone, target);
      if (rs === undefined) continue;
      for (const t of [T.A, T.AAAA]) {
        const set = rs.get(t);
        if (set !== undefined) this.add(this.out.additional, target, t, set);
      }
    }
  }

  /** Data found at `node` for the search name `name` (the owner the answer shows). Returns a restart name for a CNAME. */
  fromNode(name: readonly string[], node: Map<number, RefRRset>): string[] | undefined {
    const set = node.get(this.qtype);
    if (set !== undefined) {
      this.out.aa = true;
      this.out.kinds.add('answer');
      this.add(this.out.answer, name, this.qtype, set);
      this.additionalFor(this.qtype, set);
      return undefined;
    }
    const cname = node.get(T.CNAME);
    if (cname !== undefined) {
      this.out.aa = true;
      this.out.kinds.add('cname');
      this.add(this.out.answer, name, T.CNAME, cname);
      return wireLabels(cname.rdatas[0]!, 0);
    }
    this.out.aa = true;
    this.out.kinds.add('nodata');
    this.soa(false);
    return undefined;
  }

  /** One pass of step 3 for `name`; returns the name to restart with, if any. */
  pass(name: readonly string[]): string[] | undefined {
    const zone = this.zone;
    for (let d = zone.origin.length; d <= name.length; d++) {
      const anc = name.slice(name.length - d);
      const rs = rrsets(zone, anc);
      if (rs === undefined) continue;
      const isName = d === name.length;
      // 3b: a cut at or above the name (not the apex; DS at the cut is the parent's).
      if (d > zone.origin.length && rs.has(T.NS) && !(isName && this.qtype === T.DS)) {
        this.referral(anc.map((l) => l.toLowerCase()));
        return undefined;
      }
      // RFC 6672 §3.3: a DNAME at a proper ancestor.
      const dname = rs.get(T.DNAME);
      if (!isName && dname !== undefined) {
        this.out.aa = true;
        this.out.kinds.add('dname');
        const owner = anc.map((l) => l.toLowerCase());
        this.add(this.out.answer, owner, T.DNAME, dname);
        const target = wireLabels(dname.rdatas[0]!, 0);
        const next = [...name.slice(0, name.length - d), ...target];
        const len = nameWire(next).length;
        if (len > 255) {
          this.out.kinds.add('yxdomain');
          this.out.rcode = 6;
          return undefined;
        }
        this.add(this.out.answer, name, T.CNAME, { ttl: dname.ttl, rdatas: [nameWire(next)] });
        // A CNAME question is answered by the synthesized CNAME: nothing to chase.
        return this.qtype === T.CNAME ? undefined : next;
      }
    }
    // 3a: the name itself.
    if (exists(zone, name)) {
      const node = rrsets(zone, name);
      if (node === undefined) {
        // An empty non-terminal: the name exists with no data.
        this.out.aa = true;
        this.out.kinds.add('nodata');
        this.out.kinds.add('ent');
        this.soa(false);
        return undefined;
      }
      // The owner as the zone spells it (zone data here is lowercase).
      return this.fromNode(name.map((l) => l.toLowerCase()), node);
    }
    // 3c: the closest encloser, then the wildcard below it (RFC 4592 §3.3.1).
    let ce = name.length - 1;
    while (!exists(zone, name.slice(name.length - ce))) ce--;
    const wild = ['*', ...name.slice(name.length - ce)];
    if (exists(zone, wild)) {
      this.out.kinds.add('wildcard');
      const node = rrsets(zone, wild);
      if (node === undefined) {
        this.out.aa = true;
        this.out.kinds.add('nodata');
        this.soa(false);
        return undefined;
      }
      // RFC 4592 §3.3.1: the owner is the query's labels above the encloser, then the encloser (zone case).
      const owner = [...name.slice(0, name.length - ce), ...name.slice(name.length - ce).map((l) => l.toLowerCase())];
      return this.fromNode(owner, node);
    }
    this.out.aa = true;
    this.out.kinds.add('nxdomain');
    this.out.rcode = RC.NXDOMAIN;
    this.soa(true);
    return undefined;
  }
}

/** The reference answer to (qname, qtype) from `zones`. */
export function referenceAnswer(zones: readonly RefZone[], qname: readonly string[], qtype: number, opts: RefOptions = {}): RefAnswer {
  const zone = findZone(zones, qname, qtype === T.DS);
  if (zone === undefined) {
    const out: RefAnswer = { rcode: RC.REFUSED, aa: false, answer: [], authority: [], additional: [], kinds: new Set(['refused']) };
    return out;
  }
  const st = new State(zone, qtype, opts);
  let next = st.pass(qname);
  for (let restarts = 0; next !== undefined; restarts++) {
    // Only inside the zone the chain started in.
    if (findZone(zones, next, false) !== zone) {
      st.out.kinds.add('chain-leaves-zone');
      break;
    }
    if (restarts === REF_MAX_RESTARTS) {
      st.out.kinds.add('servfail');
      st.out.rcode = RC.SERVFAIL;
      break;
    }
    next = st.pass(next);
  }
  return st.out;
}
