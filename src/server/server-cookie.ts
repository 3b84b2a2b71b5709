/** DNS COOKIE server cookies (RFC 7873, RFC 9018): a query's COOKIE option checked and the one to answer with made. */
import { isIP } from 'node:net';
import { parseIPv4, parseIPv6 } from '../wire/index.js';
import type { CookieSecrets } from './cookie-secrets.js';
import { siphash24 } from './siphash.js';

/** What a query's COOKIE option (RFC 7873 §4) was found to hold. */
export const CookieVerdict = {
  /** No COOKIE option. */
  NONE: 0,
  /** A client cookie alone (RFC 7873 §5.2.3). */
  CLIENT_ONLY: 1,
  /** A server cookie we made, in time (RFC 7873 §5.2.5, RFC 9018 §4.3). */
  VALID: 2,
  /** A server cookie we did not make, or too old, or from the future (RFC 7873 §5.2.4). */
  INVALID: 3,
} as const;

/** RFC 7873 §4: the client cookie is 8 octets; RFC 9018 §4: our server cookie 16. */
export const CLIENT_COOKIE = 8;
export const SERVER_COOKIE = 16;
/** RFC 9018 §4.3: a cookie at most an hour old, at most five minutes ahead of our clock... */
const MAX_AGE_SEC = 3600;
const MAX_AHEAD_SEC = 300;
/** ...and re-issued once older than half an hour. */
const REISSUE_AGE_SEC = 1800;

/**
 * RFC 7873 server cookies in RFC 9018's interoperable form: Version (1),
 * Reserved (3 octets, 0), Timestamp (4 octets, seconds, serial arithmetic),
 * Hash = SipHash-2-4(Client Cookie | Version | Reserved | Timestamp |
 * Client-IP, Server Secret), 8 octets. Checking and making a cookie
 * allocates nothing: the result goes into `out` (client cookie and server
 * cookie, 24 octets), read by the responder before the next query.
 */
export class ServerCookies {
  readonly #secrets: CookieSecrets;
  readonly #now: () => number;
  /** The hash input: 16 octets of cookie material and the client's address (4 or 16 octets). */
  readonly #input = new Uint8Array(32);
  readonly #hash = new Uint8Array(8);
  /** The COOKIE option data to send back. */
  readonly out = new Uint8Array(CLIENT_COOKIE + SERVER_COOKIE);
  /** The last client address seen, and its length in `#input` (0: unusable). */
  #lastAddress = '';
  #addressLength = 0;

  constructor(secrets: CookieSecrets, now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.#secrets = secrets;
    this.#now = now;
  }

  /**
   * Checks the COOKIE option `buf[at, at + length)` (8 to 40 octets, as the
   * request reader made sure) from `address`, and leaves in `out` the option
   * to answer with: the client cookie and a server cookie that is valid now.
   */
  check(buf: Uint8Array, at: number, length: number, address: string): number {
    const input = this.#input;
    const ipLength = this.#address(address);
    const now = this.#now() >>> 0;
    const secrets = this.#secrets.at(now);
    // (Copies by hand: a subarray per query would be an allocation per query.)
    for (let i = 0; i < CLIENT_COOKIE; i++) input[i] = buf[at + i]!;
    let verdict: number = CookieVerdict.CLIENT_ONLY;
    if (length > CLIENT_COOKIE) {
      verdict = CookieVerdict.INVALID;
      const s = at + CLIENT_COOKIE;
      // RFC 9018 §4.2: Version 1 with Reserved zero is the only server cookie of ours, 16 octets.
      if (length === CLIENT_COOKIE + SERVER_COOKIE && buf[s] === 1 && ipLength > 0) {
        const ts = ((buf[s + 4]! << 24) | (buf[s + 5]! << 16) | (buf[s + 6]! << 8) | buf[s + 7]!) >>> 0;
        // RFC 9018 §4.3: serial-number arithmetic (RFC 1982) on the 32-bit timestamp.
        const age = (now - ts) | 0;
        if (age <= MAX_AGE_SEC && age >= -MAX_AHEAD_SEC) {
          for (let i = 0; i < 8; i++) input[CLIENT_COOKIE + i] = buf[s + i]!;
          for (let i = 0; i < secrets.length; i++) {
            siphash24(secrets[i]!, input, 0, 16 + ipLength, this.#hash);
            if (sameHash(this.#hash, buf, s + 8)) {
              verdict = CookieVerdict.VALID;
              // RFC 9018 §4.3: a recent cookie of the current secret is sent back as it is.
              if (i === 0 && age < REISSUE_AGE_SEC) {
                const out = this.out;
                for (let i = 0; i < CLIENT_COOKIE + SERVER_COOKIE; i++) out[i] = buf[at + i]!;
                return verdict;
              }
              break;
            }
          }
        }
      }
    }
    this.#make(now, secrets[0]!, ipLength);
    return verdict;
  }

  /** A new server cookie for the client cookie in `#input`, into `out`. */
  #make(now: number, secret: Uint8Array, ipLength: number): void {
    const input = this.#input;
    input[8] = 1; // RFC 9018 §4.2: Version
    input[9] = 0; // Reserved
    input[10] = 0;
    input[11] = 0;
    input[12] = now >>> 24;
    input[13] = now >>> 16;
    input[14] = now >>> 8;
    input[15] = now;
    const out = this.out;
    for (let i = 0; i < 16; i++) out[i] = input[i]!;
    // An address we cannot read (none given) still gets a cookie, which then never verifies.
    siphash24(secret, input, 0, 16 + ipLength, out, 16);
  }

  /** Puts the client's address in `#input[16, ...)`; returns its length (4 or 16; 0 when unreadable). */
  #address(address: string): number {
    if (address === this.#lastAddress) return this.#addressLength;
    this.#lastAddress = address;
    const input = this.#input;
    let text = address;
    // A dual-stack socket's IPv4 client is the IPv4 address (as a server with an IPv4 socket sees it).
    if (text.startsWith('::ffff:') && isIP(text.slice(7)) === 4) text = text.slice(7);
    const pct = text.indexOf('%');
    if (pct >= 0) text = text.slice(0, pct);
    if (parseIPv4(text, input, 16)) this.#addressLength = 4;
    else if (parseIPv6(text, input, 16)) this.#addressLength = 16;
    else this.#addressLength = 0;
    return this.#addressLength;
  }
}

function sameHash(h: Uint8Array, buf: Uint8Array, at: number): boolean {
  let d = 0;
  for (let i = 0; i < 8; i++) d |= h[i]! ^ buf[at + i]!;
  return d === 0;
}
