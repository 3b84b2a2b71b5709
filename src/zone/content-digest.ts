/**
 * What a version of a zone holds, as a short digest that does not depend on
 * the order of the records: each record (owner in lower case, type, class,
 * TTL and rdata, the SOA's SERIAL field read as 0) hashes to 128 bits, and
 * the digest is the sum of those hashes, lane by lane, modulo 2^32. Two
 * versions that differ only in their SOA serial have the same digest, so a
 * primary can tell "the same content under another serial" from "other
 * content" (RFC 1982 serials say nothing about content). Being a sum, it is
 * kept up to date from an IXFR-style difference (remove the old records,
 * add the new ones) without walking the zone again.
 *
 * It guards against accidents (a lost state file, an edit without a serial
 * bump), not against an adversary: the per-record hash is murmur3-style,
 * four lanes with their own constants.
 */
import { RRType, lowerByte, type ResourceRecord } from '../wire/index.js';
import type { Zone } from './zone.js';
import { rdataTtl } from './rrset.js';
import { runStepsNow, type Steps } from './run-steps.js';

/** Nodes hashed per step of ofZoneSteps (a few hundred microseconds). */
const DIGEST_STEP_NODES = 256;

/** One record in the form that is hashed: owner (lowercased), TYPE, CLASS, TTL, RDLENGTH, RDATA, padded to 4 octets. */
const scratch = new Uint8Array(255 + 10 + 65535 + 4);
/** The four lanes of the last record's hash. */
const h = new Uint32Array(4);

function fmix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** murmur3's block step with a lane's own constants. */
function step(acc: number, k: number, c1: number, c2: number): number {
  k = Math.imul(k, c1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, c2);
  acc ^= k;
  acc = (acc << 13) | (acc >>> 19);
  return (Math.imul(acc, 5) + 0xe6546b64) | 0;
}

/** Hashes one record into `h` (owner octets `wire`, any case). */
function hashRecord(wire: Uint8Array, type: number, cls: number, ttl: number, rdata: Uint8Array): void {
  const b = scratch;
  let n = 0;
  // Label lengths are at most 63, so lowering every octet leaves them alone.
  for (let i = 0; i < wire.length; i++) {
    b[n++] = lowerByte(wire[i]!);
  }
  b[n++] = type >>> 8;
  b[n++] = type;
  b[n++] = cls >>> 8;
  b[n++] = cls;
  b[n++] = ttl >>> 24;
  b[n++] = ttl >>> 16;
  b[n++] = ttl >>> 8;
  b[n++] = ttl;
  b[n++] = rdata.length >>> 8;
  b[n++] = rdata.length;
  b.set(rdata, n);
  // RFC 1035 §3.3.13: SERIAL is the 32 bits after the two names, 20 octets before the end of the rdata.
  if (type === RRType.SOA && rdata.length >= 20) b.fill(0, n + rdata.length - 20, n + rdata.length - 16);
  n += rdata.length;
  const len = n;
  while ((n & 3) !== 0) b[n++] = 0;
  let h0 = 0x74796e65;
  let h1 = 0x2d646967;
  let h2 = 0x65737421;
  let h3 = 0x5f5f3132;
  for (let i = 0; i < n; i += 4) {
    const k = b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
    h0 = step(h0, k, 0xcc9e2d51, 0x1b873593);
    h1 = step(h1, k, 0x85ebca77, 0xc2b2ae3d);
    h2 = step(h2, k, 0x9e3779b1, 0x165667b1);
    h3 = step(h3, k, 0x27d4eb2f, 0x7feb352d);
  }
  h[0] = fmix(h0 ^ len);
  h[1] = fmix(h1 ^ len ^ 1);
  h[2] = fmix(h2 ^ len ^ 2);
  h[3] = fmix(h3 ^ len ^ 3);
}

/** The digest of a version of a zone; see the file comment. */
export class ContentDigest {
  readonly #sum = new Uint32Array(4);

  /** Walks every record of `zone` (no listing is built). */
  static ofZone(zone: Zone): ContentDigest {
    return runStepsNow(ContentDigest.ofZoneSteps(zone));
  }

  /**
   * ofZone as steps of DIGEST_STEP_NODES nodes, to run in slices
   * (runStepsInSlices): a zone of a million records takes about half a
   * second, which at startup must not be one stretch of the main thread.
   */
  static *ofZoneSteps(zone: Zone): Steps<ContentDigest> {
    const d = new ContentDigest();
    let n = 0;
    for (const node of zone.nodes()) {
      let owner: Uint8Array | undefined;
      for (const rrset of node.transientRRsets()) {
        const wire = rrset.ownerIsNode === true ? (owner ??= node.transientName().wire) : rrset.name.wire;
        const rdatas = rrset.rdatas;
        for (let i = 0; i < rdatas.length; i++) {
          hashRecord(wire, rrset.type, rrset.class, rdataTtl(rrset, i) >>> 0, rdatas[i]!);
          d.#fold(1);
        }
      }
      if (++n % DIGEST_STEP_NODES === 0) yield;
    }
    return d;
  }

  /** Reads the text form (32 hex digits); null when it is not one. */
  static fromText(text: string): ContentDigest | null {
    if (!/^[0-9a-f]{32}$/.test(text)) return null;
    const d = new ContentDigest();
    for (let i = 0; i < 4; i++) d.#sum[i] = Number.parseInt(text.slice(i * 8, i * 8 + 8), 16);
    return d;
  }

  /** A copy, to update without changing this one. */
  clone(): ContentDigest {
    const d = new ContentDigest();
    d.#sum.set(this.#sum);
    return d;
  }

  add(rr: ResourceRecord): this {
    hashRecord(rr.name.wire, rr.type, rr.class, rr.ttl >>> 0, rr.rdata);
    this.#fold(1);
    return this;
  }

  remove(rr: ResourceRecord): this {
    hashRecord(rr.name.wire, rr.type, rr.class, rr.ttl >>> 0, rr.rdata);
    this.#fold(-1);
    return this;
  }

  /** After a change given as the records that went and the records that came (an IXFR sequence, SOAs included). */
  update(removed: readonly ResourceRecord[], added: readonly ResourceRecord[]): this {
    for (const rr of removed) this.remove(rr);
    for (const rr of added) this.add(rr);
    return this;
  }

  equals(other: ContentDigest): boolean {
    for (let i = 0; i < 4; i++) if (this.#sum[i] !== other.#sum[i]) return false;
    return true;
  }

  /** 32 lower-case hex digits. */
  toString(): string {
    let s = '';
    for (let i = 0; i < 4; i++) s += this.#sum[i]!.toString(16).padStart(8, '0');
    return s;
  }

  #fold(sign: 1 | -1): void {
    for (let i = 0; i < 4; i++) this.#sum[i] = this.#sum[i]! + sign * h[i]!;
  }
}
