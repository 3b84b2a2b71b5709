/** `server.rate-limit`: the settings of response rate limiting, with BIND's names, and their defaults (NSD's: on). */

/** A network the limiter leaves alone. */
export interface RrlNetwork {
  family: 4 | 6;
  /** Network octets (4 or 16). */
  network: Uint8Array;
  prefix: number;
}

/** `server.rate-limit`, with BIND's names (see the README). */
export interface RateLimitSettings {
  /** `responses-per-second`: identical positive answers per second per client network (0 = no limit). */
  responsesPerSecond: number;
  /** `referrals-per-second` (default: responses-per-second). */
  referralsPerSecond: number;
  /** `nodata-per-second` (default: responses-per-second). */
  nodataPerSecond: number;
  /** `nxdomains-per-second` (default: responses-per-second). */
  nxdomainsPerSecond: number;
  /** `errors-per-second` (default: responses-per-second). */
  errorsPerSecond: number;
  /** `window`: seconds over which a bucket's debt is remembered (1..3600). */
  window: number;
  /** `slip`: every Nth response dropped is sent truncated instead (0 = never, 1 = always). */
  slip: number;
  ipv4PrefixLength: number;
  ipv6PrefixLength: number;
  /** `exempt`: networks never limited. */
  exempt: RrlNetwork[];
  /** `max-table-size`: buckets kept (rounded up to a power of two); the oldest is reused past it. */
  maxTableSize: number;
  /** `log-only`: count and log what would be limited, but send everything. */
  logOnly: boolean;
}

/** The loopback networks, exempt unless `exempt` is given. */
export const LOOPBACK_NETWORKS: readonly RrlNetwork[] = Object.freeze([
  { family: 4, network: Uint8Array.of(127, 0, 0, 0), prefix: 8 },
  { family: 6, network: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), prefix: 128 },
]);

/**
 * On by default, as NSD's is: 200 a second per /24 (NSD's rrl-ratelimit)
 * is far above what any real resolver asks one server for the same answer.
 */
export const RATE_LIMIT_DEFAULTS: Readonly<RateLimitSettings> = Object.freeze({
  responsesPerSecond: 200,
  referralsPerSecond: 200,
  nodataPerSecond: 200,
  nxdomainsPerSecond: 200,
  errorsPerSecond: 200,
  window: 15,
  slip: 2,
  ipv4PrefixLength: 24,
  ipv6PrefixLength: 56,
  exempt: [...LOOPBACK_NETWORKS],
  maxTableSize: 20_000,
  logOnly: false,
});
