/**
 * BIND's check of NS targets that read as IP addresses (named-checkzone
 * -n, master.c "NS record '...' appears to be an address"): RFC 1035
 * §3.3.11 makes NSDNAME a domain name, so `NS 192.0.2.1` names the host
 * `192.0.2.1.<origin>`, which is almost never what was meant.
 */
import { isIP } from 'node:net';
import { Name, RRType, type ResourceRecord } from '../wire/index.js';
import { nameForMessage } from './name-text.js';

/**
 * The address `rr`'s NS target looks like, or null. The text as written is
 * gone once parsed, so the target is tried whole and without the origin
 * (`192.0.2.1` written relative): a name written in full that ends in the
 * origin with an address before it is reported too, where BIND would not.
 */
export function nsTargetAddress(rr: ResourceRecord, origin: Name): string | null {
  if (rr.type !== RRType.NS) return null;
  const target = Name.fromWire(rr.rdata);
  const full = nameForMessage(target);
  if (couldBeIP(full) && isIP(full) !== 0) return `${full}.`;
  if (origin.labelCount > 0 && target.isSubdomainOf(origin) && target.labelCount > origin.labelCount) {
    const relative = full.slice(0, full.length - nameForMessage(origin).length - 1);
    if (couldBeIP(relative) && isIP(relative) !== 0) return relative;
  }
  return null;
}

/**
 * False when isIP(text) is surely 0, without asking it (its first call
 * compiles a large IPv6 pattern, a few milliseconds of every check-zone):
 * an IPv4 address is digits and dots only, an IPv6 one has a colon.
 */
function couldBeIP(text: string): boolean {
  if (text.includes(':')) return true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x2e && (c < 0x30 || c > 0x39)) return false;
  }
  return true;
}
