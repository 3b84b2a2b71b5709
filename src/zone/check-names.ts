/**
 * BIND's `check-names` (named-checkzone -k): host names must follow RFC 952
 * as relaxed by RFC 1123 §2.1 (letters, digits and hyphens; a label starts
 * and ends with a letter or digit, and may be all digits). Which names are
 * host names follows the BIND 9 ARM ("check-names") and named-checkzone
 * 9.18's verdicts on test zones:
 *
 * - owners of A, AAAA and MX records (a leading `*` label is allowed);
 * - NS targets, MX exchanges, SRV targets (the root, "no service", too),
 *   the SOA MNAME, and PTR targets in reverse zones (in-addr.arpa,
 *   ip6.arpa, ip6.int);
 * - mailboxes (the SOA RNAME, the RP mbox): the first label may hold any
 *   printable character, the others are host-name labels.
 *
 * Other names (TXT owners, `_service` labels, CNAME targets, ...) are not
 * host names and are never checked.
 */
import { Name, RRType, wireNameLength, type ResourceRecord } from '../wire/index.js';

const enum Kind {
  HOST,
  MAILBOX,
}

const REVERSE = ['in-addr.arpa.', 'ip6.arpa.', 'ip6.int.'].map((t) => Name.fromText(t));

/** Per octet: 2 for a letter or digit (RFC 952 "let-dig"), 1 for a hyphen, 0 for anything else. */
const HOST_OCTET = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  HOST_OCTET[c] = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ? 2 : c === 0x2d ? 1 : 0;
}

/** RFC 952 / RFC 1123 §2.1: let-dig [ *( let-dig-hyp ) let-dig ]. */
function hostLabel(w: Uint8Array, at: number, len: number): boolean {
  if (len === 0 || HOST_OCTET[w[at]!] !== 2 || HOST_OCTET[w[at + len - 1]!] !== 2) return false;
  for (let i = at + 1; i < at + len - 1; i++) if (HOST_OCTET[w[i]!] === 0) return false;
  return true;
}

/** Whether the uncompressed wire name at `offset` is a host name (wildcard: a first label `*` is allowed) or a mailbox. */
function wellFormed(w: Uint8Array, offset: number, kind: Kind, wildcard: boolean): boolean {
  let p = offset;
  let first = true;
  while (w[p]! !== 0) {
    const len = w[p]!;
    const at = p + 1;
    if (first && wildcard && len === 1 && w[at] === 0x2a) {
      // `*` (RFC 4592) as the first label of an owner.
    } else if (first && kind === Kind.MAILBOX) {
      // RFC 1035 §8 / RFC 822 local part: any printable character.
      for (let i = at; i < at + len; i++) if (w[i]! < 0x21 || w[i]! > 0x7e) return false;
    } else if (!hostLabel(w, at, len)) {
      return false;
    }
    first = false;
    p = at + len;
  }
  return true;
}

/** A name `check-names` finds wrong in one record: its owner, or a name inside its rdata (wire form). */
export interface BadName {
  where: 'owner' | 'rdata';
  /** The name, uncompressed wire form, and where it starts. */
  wire: Uint8Array;
  offset: number;
}

/**
 * True when the wire name at `offset` passes as the owner of an A, AAAA or
 * MX record: then checkNames finds nothing wrong with an A or AAAA record
 * of that owner (their rdata holds no name).
 */
export function hostOwnerOk(wire: Uint8Array, offset = 0): boolean {
  return wellFormed(wire, offset, Kind.HOST, true);
}

/** The names of `rr` that break the host-name rules above, owner first. */
export function checkNames(rr: ResourceRecord): BadName[] {
  const bad: BadName[] = [];
  if ((rr.type === RRType.A || rr.type === RRType.AAAA || rr.type === RRType.MX) && !hostOwnerOk(rr.name.wire)) {
    bad.push({ where: 'owner', wire: rr.name.wire, offset: 0 });
  }
  const check = (offset: number, kind: Kind): void => {
    if (!wellFormed(rr.rdata, offset, kind, false)) bad.push({ where: 'rdata', wire: rr.rdata, offset });
  };
  switch (rr.type) {
    case RRType.NS:
      check(0, Kind.HOST);
      break;
    case RRType.MX:
      check(2, Kind.HOST);
      break;
    case RRType.SRV:
      check(6, Kind.HOST);
      break;
    case RRType.SOA:
      check(0, Kind.HOST);
      check(wireNameLength(rr.rdata, 0), Kind.MAILBOX);
      break;
    case RRType.RP:
      check(0, Kind.MAILBOX);
      break;
    case RRType.PTR:
      if (REVERSE.some((r) => rr.name.isSubdomainOf(r))) check(0, Kind.HOST);
      break;
  }
  return bad;
}
