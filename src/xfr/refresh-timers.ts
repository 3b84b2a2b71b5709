/**
 * The refresh/retry/expire policy of a secondary zone (RFC 1035 §3.3.13,
 * RFC 1034 §4.3.5), as pure functions: no clock, no timers, no I/O.
 */

/** The four SOA timer fields, in seconds. */
export interface SoaTimers {
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/** Bounds applied to SOA timers, in seconds. */
export interface TimerClamps {
  minRefresh: number;
  maxRefresh: number;
  minRetry: number;
  maxRetry: number;
  /** Upper bound of EXPIRE; its lower bound is always refresh + retry. */
  maxExpire: number;
}

/**
 * The defaults follow BIND 9's named.conf defaults: min-refresh-time 300,
 * max-refresh-time 2419200 (4 weeks), min-retry-time 500, max-retry-time
 * 1209600 (2 weeks). EXPIRE is raised to at least refresh + retry (so a
 * zone never expires before it had one retry after a missed refresh, as
 * BIND does) and capped at 24 weeks (BIND's cap on the SOA expire field).
 */
export const DEFAULT_CLAMPS: Readonly<TimerClamps> = Object.freeze({
  minRefresh: 300,
  maxRefresh: 2_419_200,
  minRetry: 500,
  maxRetry: 1_209_600,
  maxExpire: 24 * 7 * 86_400,
});

/** Reads REFRESH, RETRY, EXPIRE and MINIMUM from SOA rdata (uncompressed wire form). */
export function soaTimers(soaRdata: Uint8Array): SoaTimers {
  let p = 0;
  // MNAME, RNAME: uncompressed names (rdata is kept uncompressed).
  for (let names = 0; names < 2; names++) {
    while (p < soaRdata.length && soaRdata[p] !== 0) p += soaRdata[p]! + 1;
    p++;
  }
  if (p + 20 > soaRdata.length) throw new RangeError('SOA rdata is too short');
  const u32 = (at: number): number =>
    ((soaRdata[at]! << 24) | (soaRdata[at + 1]! << 16) | (soaRdata[at + 2]! << 8) | soaRdata[at + 3]!) >>> 0;
  // SERIAL at p, then REFRESH, RETRY, EXPIRE, MINIMUM.
  return { refresh: u32(p + 4), retry: u32(p + 8), expire: u32(p + 12), minimum: u32(p + 16) };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** The SOA timers bounded by `opts` (DEFAULT_CLAMPS for what it leaves out); MINIMUM is kept as is. */
export function clampTimers(t: SoaTimers, opts: Partial<TimerClamps> = {}): SoaTimers {
  const c = { ...DEFAULT_CLAMPS, ...opts };
  const refresh = clamp(t.refresh, c.minRefresh, c.maxRefresh);
  const retry = clamp(t.retry, c.minRetry, c.maxRetry);
  const expire = Math.max(Math.min(t.expire, c.maxExpire), refresh + retry);
  return { refresh, retry, expire, minimum: t.minimum };
}

/**
 * Milliseconds until the next refresh (after a successful one) or retry
 * (after a failed one), jittered as BIND does: a random point in
 * [0.75, 1.0] of the interval, so secondaries started together do not
 * query the primary in step. `rnd` returns a number in [0, 1).
 */
export function nextDelay(kind: 'refresh' | 'retry', t: SoaTimers, rnd: () => number): number {
  const base = (kind === 'refresh' ? t.refresh : t.retry) * 1000;
  const r = Math.min(Math.max(rnd(), 0), 1);
  return Math.round(base * (0.75 + 0.25 * r));
}

/** Milliseconds from the last successful refresh until the zone expires. */
export function expireMs(t: SoaTimers): number {
  return t.expire * 1000;
}
